"""SIGINT, SIGTERM and SIGHUP at each phase of a real qemu build (QEMU under TCG, with
nothing to boot: see tiny.pkr.hcl): the run exits 130 and leaves nothing behind — no QEMU,
no temporary files, no output directory (unless ``-on-error=abort``), no held port.
Signals while a real guest boots / is provisioned over SSH are in tests/e2e."""

from __future__ import annotations

import http.server
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from nightly_util import TINY, Pybuild, wait_gone

pytestmark = pytest.mark.slow

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]

# phase -> (extra -var settings, text printed once the build is in that phase, step name);
# the shutdown phase is covered by the -on-error=abort, double-Ctrl-C and output-lock tests
PHASES: dict[str, tuple[list[str], str, str]] = {
    "download": ([], "Retrieving ISO", "download"),
    "boot_wait": (["boot_wait=10m"], "Waiting 600s for boot", "boot_command"),
    "connect": (["communicator=ssh", "reboot_timeout=-1"], "Waiting for SSH to become available", "connect"),
    "provision": (["provision_sleep=600"], "PROVISIONING-STARTED", "provision"),
    "post_process": (["pp_sleep=600"], "POST-PROCESSING-STARTED", ""),
}


class _SlowISO(http.server.BaseHTTPRequestHandler):
    """Serves a 64 MiB 'ISO' at 64 KiB/s: the download phase lasts as long as we like."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(64 * 2**20))
        self.end_headers()
        try:
            for _ in range(1024):
                self.wfile.write(b"\0" * 8192)
                self.wfile.flush()
                time.sleep(0.125)
        except OSError:
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def slow_iso_url() -> Iterator[str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowISO)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/slow.iso"
    finally:
        srv.shutdown()
        srv.server_close()


def _interrupt(w: Path, iso_url: str, phase: str, sig: signal.Signals, pybuilds: list[Pybuild],
               extra: list[str] = ()) -> tuple[Pybuild, str]:  # type: ignore[assignment]
    vars_, needle, _ = PHASES[phase]
    args = ["-var", f"iso_url={iso_url}", *[a for v in vars_ for a in ("-var", v)], *extra, str(TINY)]
    pb = Pybuild(w, args)
    pybuilds.append(pb)
    pb.start()
    pb.wait_for(needle, timeout=300)
    time.sleep(0.5)
    pb.signal(sig)
    r = pb.finish(timeout=120)
    return pb, r.out


@pytest.mark.parametrize("phase", list(PHASES))
@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: s.name)
def test_signal_in_phase_cancels_and_cleans_up(phase: str, sig: signal.Signals, tmp_path: Path,
                                               blank_iso: Path, slow_iso_url: str, pybuilds: list[Pybuild]):
    iso = slow_iso_url if phase == "download" else str(blank_iso)
    pb, out = _interrupt(tmp_path / "w", iso, phase, sig, pybuilds)
    assert pb.proc is not None and pb.proc.returncode == 130, out[-3000:]
    assert f"Build was cancelled ({sig.name})" in out
    # the summary says cancelled, not FAILED; the JUnit report records both builds as failures
    assert "qemu.a  cancelled" in out and "qemu.b  cancelled" in out, out[-2000:]
    report = pb.report.read_text()
    assert 'tests="2" failures="2"' in report and "cancelled" in report
    events = pb.events()
    ends = [e for e in events if e["event"] == "build_end"]
    assert sorted(e["build"] for e in ends) == ["qemu.a", "qemu.b"] and not any(e["ok"] for e in ends)
    step = PHASES[phase][2]
    if step:  # the error event names the step the signal interrupted
        assert {e["step"] for e in events if e["event"] == "error"} == {step}, [
            e for e in events if e["event"] == "error"]
    # cleanup: no QEMU, no temporary files, no output directory, no partial download
    assert wait_gone(pb.qemu_pids(), timeout=5, started=0 if phase == "download" else 2) == []
    assert list(pb.tmpdir.iterdir()) == []
    assert not (pb.workdir / "output-a").exists() and not (pb.workdir / "output-b").exists()
    if phase == "download":  # the partial download stays only as the cache's resumable .part
        cached = {p.suffix for p in (pb.workdir / "cache").iterdir()}
        assert cached <= {".part", ".lock"}, cached
    assert not list(pb.workdir.glob(".output-*.pybuild.lock"))
    assert "Stopping QEMU" in out or phase in ("download", "post_process")


def test_signal_with_on_error_abort_keeps_output(tmp_path: Path, blank_iso: Path, pybuilds: list[Pybuild]):
    """SIGTERM while waiting for the guest to power off, with -on-error=abort."""
    pb = Pybuild(tmp_path / "w", ["-on-error=abort", "-var", f"iso_url={blank_iso}", "-var", "reboot_timeout=-1",
                                  str(TINY)])
    pybuilds.append(pb)
    pb.start()
    pb.wait_for("qemu.a: Waiting for the guest to power off", timeout=300)
    pb.wait_for("qemu.b: Waiting for the guest to power off", timeout=300)
    pb.signal(signal.SIGTERM)
    out = pb.finish(timeout=120).out
    assert pb.proc is not None and pb.proc.returncode == 130, out[-3000:]
    assert wait_gone(pb.qemu_pids(), timeout=5, started=2) == []
    assert list(pb.tmpdir.iterdir()) == []
    for name in ("a", "b"):
        out_dir = pb.workdir / f"output-{name}"
        assert (out_dir / f"packer-{name}").is_file()  # kept for inspection...
        assert not (out_dir / ".pybuild-incomplete").exists()  # ...on purpose, not swept by the next run
    assert "(-on-error=abort)" in out


def test_second_signal_still_cleans_up(tmp_path: Path, blank_iso: Path, pybuilds: list[Pybuild]):
    """An impatient operator presses Ctrl-C twice: still exit 130 and no QEMU left."""
    pb = Pybuild(tmp_path / "w", ["-var", f"iso_url={blank_iso}", "-var", "reboot_timeout=-1", str(TINY)])
    pybuilds.append(pb)
    pb.start()
    pb.wait_for("qemu.a: Waiting for the guest to power off", timeout=300)
    pb.wait_for("qemu.b: Waiting for the guest to power off", timeout=300)
    pb.signal(signal.SIGINT)
    pb.signal(signal.SIGINT)
    r = pb.finish(timeout=120)
    assert r.rc == 130, r.out[-3000:]
    assert wait_gone(pb.qemu_pids(), timeout=10, started=2) == []


TINY_GLANCE = TINY.with_name("tiny-glance.pkr.hcl")


@pytest.mark.parametrize("sig", [signal.SIGTERM], ids=lambda s: s.name)
def test_signal_during_glance_upload_leaves_no_image(sig: signal.Signals, tmp_path: Path, blank_iso: Path,
                                                     glance_server, pybuilds: list[Pybuild]):  # type: ignore[no-untyped-def]
    name = f"nightly-cancelled-{tmp_path.name}"
    pb = Pybuild(tmp_path / "w", ["-var", f"iso_url={blank_iso}", "-var", f"glance_endpoint={glance_server.url}",
                                  "-var", f"image_name={name}", str(TINY_GLANCE)])
    pybuilds.append(pb)
    pb.start()
    pb.wait_for("Running post-processor: glance", timeout=300)
    # wait until Glance has the image record and the upload is streaming
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not [i for i in glance_server.images() if i["name"] == name]:
        time.sleep(0.2)
    assert [i for i in glance_server.images() if i["name"] == name], pb.buf[-2000:]
    time.sleep(1.0)
    pb.signal(sig)
    r = pb.finish(timeout=180)
    assert r.rc == 130, r.out[-3000:]
    assert "deleted incomplete image" in r.out
    assert [i for i in glance_server.images() if i["name"] == name] == []  # no half image
    assert not (pb.workdir / "output-up").exists()
    assert wait_gone(pb.qemu_pids(), timeout=5, started=1) == []
    assert list(pb.tmpdir.iterdir()) == []

"""vtpm = true and the vagrant post-processor through the real ``pybuild`` CLI.

One real build (tests/e2e/vtpm_vagrant.pkr.hcl, the cached Debian base image under TCG)
proves both: the guest has a TPM 2.0 at /dev/tpm0 that answers TPM2_GetRandom, no swtpm
is left afterwards, and the box the vagrant post-processor makes of the build is
accepted by Debian's ``vagrant box add`` and its disk, as vagrant unpacked it, boots to a
login prompt. Two quick runs with a blank disk show that no swtpm is left after a failed
build or a Ctrl-C either.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.e2e_util import read_until, rest_of_output, run_pybuild, running_in, start_pybuild
from tests.fixtures.runs import Run

TEMPLATE = Path(__file__).with_name("vtpm_vagrant.pkr.hcl")


def need(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is not installed (dev/setup installs {package})")
        pytest.skip(f"{tool} is not installed: apt-get install {package}")


def swtpm_running(workdir: Path) -> list[int]:
    """swtpm processes started by a pybuild run in ``workdir`` (their cwd), still alive."""
    return running_in(workdir, "-x", "swtpm")


# --------------------------------------------------------------------------- the real build


@pytest.fixture(scope="module")
def vtpm_build(debian_base_image: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    need("swtpm", "swtpm swtpm-tools")
    workdir = tmp_path_factory.mktemp("vtpm-vagrant")
    return run_pybuild(["build", "-var", f"base_image={debian_base_image}", str(TEMPLATE)], workdir,
                       timeout=1800)


@pytest.mark.slow
def test_build_succeeds_with_the_tpm_device(vtpm_build: Run):
    assert vtpm_build.rc == 0, vtpm_build.out[-6000:]
    qemu_line = next(line for line in vtpm_build.out.splitlines() if "Qemu command:" in line)
    assert re.search(r"-chardev socket,id=vtpm,path=\S+/vtpm/vtpm\.sock", qemu_line)
    assert "-tpmdev emulator,id=tpm0,chardev=vtpm" in qemu_line
    assert "-device tpm-tis,tpmdev=tpm0" in qemu_line


@pytest.mark.slow
def test_guest_sees_a_tpm2_that_answers(vtpm_build: Run):
    out = vtpm_build.out
    assert "TPM_VERSION_MAJOR=2" in out, out[-4000:]
    assert re.search(r"crw\S* .* /dev/tpm0", out)
    m = re.search(r"GETRANDOM tag=0x8001 rc=(\d+) bytes=(\d+) ([0-9a-f]*)", out)
    assert m is not None, out[-4000:]
    assert (m.group(1), m.group(2), len(m.group(3))) == ("0", "16", 32)


@pytest.mark.slow
def test_no_swtpm_left_after_success(vtpm_build: Run):
    assert "Starting the software TPM (TPM 2.0, tpm-tis)" in vtpm_build.out
    assert swtpm_running(vtpm_build.workdir) == []


@pytest.mark.slow
def test_vagrant_box_of_the_build(vtpm_build: Run):
    assert vtpm_build.rc == 0, vtpm_build.out[-3000:]
    box = vtpm_build.workdir / "boxes" / "vtpm_libvirt.box"
    assert box.is_file()
    assert "'libvirt' provider box: " + str(box) in vtpm_build.out
    assert not (vtpm_build.workdir / "output-vtpm").exists()  # keep_input_artifact defaults to false
    art = [e for e in vtpm_build.events if e["event"] == "post_processor_end"]
    assert art and art[-1]["artifact_id"] == "libvirt"


@pytest.mark.slow
def test_vagrant_accepts_the_box_and_its_disk_boots(vtpm_build: Run, tmp_path: Path):
    need("vagrant", "vagrant")
    from builder.verify.vm import VM, Instance

    box = vtpm_build.workdir / "boxes" / "vtpm_libvirt.box"
    home = tmp_path / "vagrant.d"
    env = dict(os.environ, VAGRANT_HOME=str(home), VAGRANT_CHECKPOINT_DISABLE="1", VAGRANT_NO_PLUGINS="1")
    added = subprocess.run(["vagrant", "box", "add", "--name", "pybuild-vtpm", str(box)], env=env,
                           capture_output=True, text=True, timeout=600)
    assert added.returncode == 0, added.stdout + added.stderr
    listed = subprocess.run(["vagrant", "box", "list"], env=env, capture_output=True, text=True, timeout=120)
    assert "pybuild-vtpm (libvirt, 0)" in listed.stdout
    box_dir = home / "boxes" / "pybuild-vtpm" / "0" / "libvirt"
    meta = json.loads((box_dir / "metadata.json").read_text())
    assert meta["provider"] == "libvirt" and meta["disks"] == [{"path": "box_0.img", "format": "qcow2"}]
    assert 'libvirt.driver = "qemu"' in (box_dir / "Vagrantfile").read_text()  # built with TCG

    # boot the disk exactly as vagrant unpacked it (a copy-on-write overlay on top)
    vm = VM(box_dir / "box_0.img", disk_size=4 * 2**30, datasource="nocloud", workdir=tmp_path,
            instance=Instance(hostname="from-box"))
    try:
        vm.start()
        deadline = time.monotonic() + 900
        text = ""
        while time.monotonic() < deadline and "login:" not in text:
            time.sleep(2)
            text = vm.serial_text()
        assert "Linux version" in text and "login:" in text, text[-3000:]
        assert "from-box login:" in text  # cloud-init applied the new instance's hostname
    finally:
        vm.stop()
        vm.remove()


# --------------------------------------------------------------------------- failure and Ctrl-C


def blank_template(workdir: Path, extra: str = "") -> Path:
    """A vtpm build of a blank 64 MiB disk with no communicator (nothing boots)."""
    disk = workdir / "blank.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(disk), "64M"], check=True)
    tpl = workdir / "blank.pkr.hcl"
    tpl.write_text(f'''source "qemu" "blank" {{
  iso_url          = "{disk}"
  iso_checksum     = "none"
  disk_image       = true
  disk_size        = "64M"
  headless         = true
  communicator     = "none"
  shutdown_timeout = "10m"
  vtpm             = true
  tpm_device_type  = "tpm-crb"
  {extra}
}}
build {{ sources = ["source.qemu.blank"] }}
''')
    return tpl


def test_no_swtpm_left_after_a_failed_build(tmp_path: Path):
    need("swtpm", "swtpm swtpm-tools")
    tpl = blank_template(tmp_path, 'qemuargs = [["-no-such-option"]]')
    run = run_pybuild(["build", str(tpl)], tmp_path, timeout=300)
    assert run.rc == 1, run.out[-3000:]
    assert "Starting the software TPM (TPM 2.0, tpm-crb)" in run.out
    assert "QEMU exited at once" in run.out and "-no-such-option" in run.out
    assert swtpm_running(tmp_path) == []


def test_no_swtpm_left_after_ctrl_c(tmp_path: Path):
    need("swtpm", "swtpm swtpm-tools")
    tpl = blank_template(tmp_path)
    p = start_pybuild(["build", str(tpl)], tmp_path)
    try:
        read_until(p, "Qemu command:", timeout=120)
        time.sleep(1)
        assert len(swtpm_running(tmp_path)) == 1  # the TPM is up while QEMU runs
        p.send_signal(signal.SIGINT)
        rest = rest_of_output(p, timeout=120)
        assert p.returncode == 130, rest[-3000:]
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(10)
    assert swtpm_running(tmp_path) == []

"""Fast tests of ``pybuild verify``'s logic: the ``--expect`` rules, the format check on
real qcow2 files made by ``qemu-img``, the clean verdict, the report, the config drive,
the CLI's usage errors, and the ``verify`` post-processor's failure path (with a fake of
``verify_image``; the real one boots VMs in test_verify_images.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pycdlib
import pytest

from builder import secrets
from builder.config import parse_config
from builder.errors import BuildError, ConfigError, PybuildError
from builder.plugins import Artifact
from builder.post_processors import verify as verify_pp
from builder.verify.checks import (
    CHECKS,
    CheckResult,
    CleanFacts,
    VerifyReport,
    check_format,
    clean_verdict,
    expand_expect,
)
from builder.verify.vm import Instance, config_drive, nocloud_seed

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = [n for n, (_, req) in CHECKS.items() if req]


def _qemu_img(*args: str) -> None:
    subprocess.run(["qemu-img", *args], check=True, capture_output=True)


@pytest.fixture
def raw_disk(tmp_path: Path) -> Path:
    raw = tmp_path / "disk.raw"
    with raw.open("wb") as f:
        f.write(b"pybuild verify test data " * 40000)  # ~1 MiB, compresses well
        f.truncate(16 * 2**20)
    return raw


# --- --expect ---------------------------------------------------------------------------

def test_expect_defaults_are_the_standard_checks():
    assert expand_expect([]) == DEFAULTS
    assert "root_login" not in DEFAULTS and "root_login" in CHECKS


def test_expect_names_replace_and_plus_minus_adjust_the_defaults():
    assert expand_expect(["format", "clean"]) == ["format", "clean"]
    assert expand_expect(["+root_login"]) == [*DEFAULTS, "root_login"]
    assert expand_expect(["-admin_pass", "-set_password"]) == [n for n in DEFAULTS
                                                              if n not in ("admin_pass", "set_password")]


@pytest.mark.parametrize("bad", [["nope"], ["+nope"], ["format", "+root_login"]])
def test_expect_rejects_unknown_names_and_mixed_forms(bad):
    with pytest.raises(PybuildError, match="expect"):
        expand_expect(bad)


# --- format (real qemu-img files) ---------------------------------------------------------

def test_format_passes_a_compressed_qcow2(tmp_path, raw_disk):
    img = tmp_path / "c.qcow2"
    _qemu_img("convert", "-c", "-O", "qcow2", str(raw_disk), str(img))
    ok, ev = check_format(img)
    assert ok, ev
    assert "format=qcow2" in ev and "virtual_size=0.02GiB" in ev
    assert int(ev.split("compressed_clusters=")[1].split()[0]) > 0


def test_format_fails_uncompressed_raw_and_backed_images(tmp_path, raw_disk):
    plain = tmp_path / "u.qcow2"
    _qemu_img("convert", "-O", "qcow2", str(raw_disk), str(plain))
    ok, ev = check_format(plain)
    assert not ok and "compressed_clusters=0" in ev

    ok, ev = check_format(raw_disk)
    assert not ok and "format=raw" in ev

    packed = tmp_path / "c.qcow2"
    _qemu_img("convert", "-c", "-O", "qcow2", str(raw_disk), str(packed))
    overlay = tmp_path / "overlay.qcow2"
    _qemu_img("create", "-f", "qcow2", "-b", str(packed), "-F", "qcow2", str(overlay))
    ok, ev = check_format(overlay)
    assert not ok and "backing=" in ev


# --- clean --------------------------------------------------------------------------------

def test_clean_verdict_passes_a_sysprepped_image_whose_instance_made_its_own_machine_id():
    ok, ev = clean_verdict(CleanFacts(), guest_machine_id="0123456789abcdef0123456789abcdef\n")
    assert ok, ev
    assert "own machine-id" in ev
    ok, ev = clean_verdict(CleanFacts(machine_id="uninitialized"))
    assert ok and "machine-id uninitialized" in ev


def test_clean_verdict_names_every_leftover():
    facts = CleanFacts(host_keys=["/etc/ssh/ssh_host_ed25519_key"], machine_id="ab" * 16,
                       net_rules=["/etc/udev/rules.d/70-persistent-net.rules"],
                       history=["/root/.bash_history"], cloud_instances=["/var/lib/cloud/instances/i-1"])
    ok, ev = clean_verdict(facts, guest_machine_id="ab" * 16)
    assert not ok
    for word in ("SSH host keys", "/etc/machine-id is set", "persistent-net", "shell history",
                 "cloud-init instance data", "kept the image's machine-id"):
        assert word in ev


def test_clean_verdict_fails_an_instance_with_the_build_machine_id_or_none():
    build = "cd" * 16
    ok, ev = clean_verdict(CleanFacts(), guest_machine_id=build, build_machine_id=build)
    assert not ok and "build VM's machine-id" in ev
    ok, ev = clean_verdict(CleanFacts(), guest_machine_id="")
    assert not ok and "no valid machine-id" in ev
    ok, ev = clean_verdict(CleanFacts(error="guestfish could not inspect the image: boom"))
    assert not ok and "boom" in ev


# --- report -------------------------------------------------------------------------------

def test_report_verdict_table_and_masked_json():
    secrets.add("S3cret-admin-pass")
    results = [CheckResult("format", True, "format=qcow2"),
               CheckResult("admin_pass", False, "root refused S3cret-admin-pass"),
               CheckResult("root_login", False, "sshd -T: no match", required=False)]
    rep = VerifyReport("img.qcow2", results, "2026-01-01T00:00:00+00:00", 12.0)
    assert not rep.ok and rep.failed() == ["admin_pass"]
    table = rep.table()
    assert "admin_pass  FAIL" in table and "fail (optional)" in table and "verdict" in table
    assert "S3cret-admin-pass" not in table
    data = json.loads(rep.to_json())
    assert data["ok"] is False and [r["name"] for r in data["results"]] == ["format", "admin_pass", "root_login"]
    assert "S3cret-admin-pass" not in rep.to_json()
    assert VerifyReport("i", results[:1], "t", 1.0).ok


# --- datasources --------------------------------------------------------------------------

def _iso_files(iso: Path) -> tuple[str, dict[str, bytes]]:
    import io

    p = pycdlib.PyCdlib()
    p.open(str(iso))
    try:
        label = p.pvd.volume_identifier.decode().strip()
        out = {}
        facade = p.get_rock_ridge_facade() if p.has_rock_ridge() else None
        for path in ("/openstack/latest/meta_data.json", "/meta-data", "/user-data"):
            buf = io.BytesIO()
            try:
                if facade is not None:
                    facade.get_file_from_iso_fp(buf, path)
                else:
                    p.get_file_from_iso_fp(buf, joliet_path=path)
            except pycdlib.pycdlibexception.PyCdlibException:
                continue
            out[path] = buf.getvalue()
        return label, out
    finally:
        p.close()


def test_config_drive_carries_nova_metadata(tmp_path):
    inst = Instance(hostname="vm-1", admin_pass="pw", public_key="ssh-ed25519 AAAA test")
    label, files = _iso_files(config_drive(tmp_path / "cd.iso", inst))
    assert label == "config-2"
    md = json.loads(files["/openstack/latest/meta_data.json"])
    assert md["uuid"] == inst.uuid and md["hostname"] == "vm-1" and md["admin_pass"] == "pw"
    assert md["public_keys"] == {"verify": "ssh-ed25519 AAAA test"}


def test_nocloud_seed_carries_hostname_and_key(tmp_path):
    inst = Instance(hostname="vm-2", public_key="ssh-ed25519 BBBB test")
    label, files = _iso_files(nocloud_seed(tmp_path / "seed.iso", inst))
    assert label.lower() == "cidata"
    assert b"local-hostname: vm-2" in files["/meta-data"]
    assert b"ssh-ed25519 BBBB test" in files["/user-data"]


# --- CLI ----------------------------------------------------------------------------------

def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "builder.cli", "verify", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})


def test_cli_rejects_unknown_checks_and_missing_images(tmp_path):
    p = _cli("--expect", "format,bogus", str(tmp_path / "x.qcow2"), cwd=tmp_path)
    assert p.returncode != 0 and "bogus" in p.stderr
    p = _cli(str(tmp_path / "missing.qcow2"), cwd=tmp_path)
    assert p.returncode != 0 and "does not exist" in p.stderr


# --- post-processor failure path (fast fake of verify_image) --------------------------------

def _cfg(raw: dict) -> verify_pp.VerifyConfig:
    return parse_config(verify_pp.VerifyConfig, raw, component='post-processor "verify"')


def _pp(raw: dict) -> verify_pp.VerifyPostProcessor:
    pp = verify_pp.VerifyPostProcessor.__new__(verify_pp.VerifyPostProcessor)
    pp.config = _cfg(raw)
    return pp


def test_post_processor_config_validation():
    assert _cfg({"expect": ["+root_login"]}).expect == ["+root_login"]
    with pytest.raises(ConfigError, match="unknown check"):
        _cfg({"expect": ["nope"]})
    with pytest.raises(ConfigError, match="disk_size"):
        _cfg({"disk_size": "lots"})


def test_post_processor_stops_a_failing_image_and_writes_the_report(tmp_path, monkeypatch):
    disk = tmp_path / "img.qcow2"
    disk.write_bytes(b"x")
    seen = {}

    def fake_verify(image, opts, ui=None):
        seen.update(image=image, opts=opts)
        return VerifyReport(str(image), [CheckResult("format", True, "ok"),
                                         CheckResult("qga_ping", False, "no answer")], "t", 1.0, "/ev")

    monkeypatch.setattr(verify_pp, "verify_image", fake_verify)
    msgs: list[str] = []
    ctx = SimpleNamespace(ui=SimpleNamespace(message=msgs.append, say=msgs.append))
    report = tmp_path / "r.json"
    pp = _pp({"user": "centos", "expect": ["+root_login"], "disk_size": "6G", "report": str(report),
              "timeout": "2m"})
    with pytest.raises(BuildError, match="qga_ping"):
        pp.post_process(ctx, Artifact("test", "id", [disk]))
    assert seen["image"] == disk and seen["opts"].user == "centos"
    assert seen["opts"].disk_size == 6 * 2**30 and seen["opts"].boot_timeout == 120.0
    assert seen["opts"].expect == ["+root_login"]
    assert json.loads(report.read_text())["ok"] is False
    assert any("qga_ping" in m for m in msgs)

    monkeypatch.setattr(verify_pp, "verify_image", lambda image, opts, ui=None: VerifyReport(
        str(image), [CheckResult("format", True, "ok")], "t", 1.0))
    res = pp.post_process(ctx, Artifact("test", "id", [disk]))
    assert res.artifact.files == [disk] and res.keep

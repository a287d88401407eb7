"""Secrets and file permissions.

A canary in a sensitive variable, in an OpenStack password and in the SSH password of the
shipped cloud template never appears in the output, the JSON events, the logs, the
manifest or the failure evidence; private keys, seed ISOs, logs and events are user-only.
(The canary in QEMU's `ps` output is checked by test_faults.py while a VM runs.)
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder import secrets
from builder.communicator.keys import generate_keypair, write_private_key
from builder.errors import PybuildError
from builder.isofs import make_iso
from builder.openstack import CloudTarget, connect

VAR_CANARY = "Var-Canary-3310"
OS_CANARY = "OsPass-Canary-5521"

TEMPLATE = """
variable "secret" {
  type      = string
  sensitive = true
}
source "null" "n" {
  communicator = "none"
}
build {
  sources = ["source.null.n"]
  provisioner "shell-local" {
    environment_vars = ["S=${var.secret}"]
    inline           = ["echo the secret is $S", "echo ${var.secret} >&2", "echo fail-with $S; exit 3"]
  }
}
"""


def _private(p: Path) -> bool:
    return stat.S_IMODE(p.stat().st_mode) & 0o077 == 0


def _files(root: Path) -> Iterator[Path]:
    return (f for f in root.rglob("*") if f.is_file())


@pytest.fixture(autouse=True)
def _clear_secrets() -> Iterator[None]:
    yield
    secrets.clear()


def test_failed_build_masks_the_sensitive_variable_everywhere(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(TEMPLATE)
    env = dict(os.environ, PYBUILD_ACCELERATOR="tcg", PYBUILD_LOG_DIR=str(tmp_path / "logs"),
               PYBUILD_FAILURE_DIR=str(tmp_path / "failures"))
    p = subprocess.run([sys.executable, "-m", "builder.cli", "build", "--log-json", "events.jsonl",
                        "-var", f"secret={VAR_CANARY}", "t.pkr.hcl"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300)
    out = p.stdout + p.stderr
    assert p.returncode == 1, out
    assert "the secret is <sensitive>" in out  # it was printed, masked
    assert VAR_CANARY not in out
    written = list(_files(tmp_path))
    assert any(f.name == "events.jsonl" for f in written)
    assert any(f.parent.name == "logs" for f in written)
    for f in written:
        if f.name == "t.pkr.hcl":
            continue
        assert VAR_CANARY not in f.read_text(errors="replace"), f
        assert _private(f), (f, oct(f.stat().st_mode))
    evidence = list((tmp_path / "failures").iterdir())
    assert len(evidence) == 1
    for d in [tmp_path / "logs", *evidence]:
        assert _private(d), (d, oct(d.stat().st_mode))


def test_openstack_password_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    # Keystone "at" a closed local port: the connection fails, the password stays hidden
    for k in [k for k in os.environ if k.startswith("OS_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("OS_AUTH_URL", "http://127.0.0.1:9/v3")
    monkeypatch.setenv("OS_USERNAME", "builder")
    monkeypatch.setenv("OS_PASSWORD", OS_CANARY)
    monkeypatch.setenv("OS_PROJECT_NAME", "p")
    monkeypatch.setenv("OS_USER_DOMAIN_NAME", "Default")
    monkeypatch.setenv("OS_PROJECT_DOMAIN_NAME", "Default")
    with pytest.raises(PybuildError) as ei:
        connect(CloudTarget())
    assert OS_CANARY not in ei.value.render()
    assert "cannot connect to OpenStack" in ei.value.render()
    # registered as a secret: any later output is masked
    assert OS_CANARY not in secrets.mask(f"token for {OS_CANARY}")


def test_generated_private_key_is_user_only(tmp_path: Path) -> None:
    old = os.umask(0)  # even with a permissive umask
    try:
        pair = generate_keypair("ed25519")
        key = write_private_key(pair.private_pem, tmp_path / "id")
    finally:
        os.umask(old)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_seed_iso_with_password_is_user_only(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        iso = make_iso(tmp_path / "seed.iso", content={"user-data": f"password: {VAR_CANARY}\n",
                                                      "meta-data": "instance-id: x\n"}, label="cidata")
    finally:
        os.umask(old)
    assert stat.S_IMODE(iso.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".cd-*"))  # the staging directory is gone


@pytest.mark.slow
def test_cloud_build_never_shows_the_ssh_password(cloud_build) -> None:  # type: ignore[no-untyped-def]
    from tests.fixtures.cloud import SSH_PASSWORD

    assert SSH_PASSWORD not in cloud_build.out
    checked = 0
    for f in _files(cloud_build.workdir):
        if f.suffix in (".qcow2", ".raw", ".img", ".iso") or f.stat().st_size > 50 * 2**20:
            continue
        checked += 1
        assert SSH_PASSWORD.encode() not in f.read_bytes(), f
    assert checked >= 3  # events, logs, manifest/report at least
    for f in [*(cloud_build.workdir / "logs").glob("*"), cloud_build.workdir / "events.jsonl"]:
        assert _private(f), (f, oct(f.stat().st_mode))

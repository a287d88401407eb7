"""The admin_pass first-boot hook, run for real on the host through its test overrides.

The hook is POSIX sh + awk (it must work on CentOS 7 without python): its JSON
extraction is checked against Python's json module with both awk implementations a
guest may have (gawk on EL, mawk on Debian), and its main path runs with a fake
chpasswd that records what it would have applied — the host's passwords are never
touched and no network address is contacted (ADMIN_PASS_META replaces the config drive
and the metadata service).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.templates._paths import HOOK, SCRIPTS
from tests.tools import require_tool

AWKS = [a for a in ("gawk", "mawk") if shutil.which(a)]
# a minimal PATH: the hook must not depend on python3 or jq
BASE_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C.UTF-8"}


def json_get(key: str, doc: str | bytes, tmp_path: Path, awk: str) -> tuple[int, bytes]:
    f = tmp_path / "meta_data.json"
    f.write_bytes(doc.encode() if isinstance(doc, str) else doc)
    r = subprocess.run(
        ["sh", str(HOOK), "--get", key, str(f)],
        capture_output=True, env={**BASE_ENV, "ADMIN_PASS_AWK": awk}, timeout=30,
    )
    return r.returncode, r.stdout


def test_both_awk_implementations_are_available() -> None:
    # the JSON tests below run once per awk; make sure that really means two of them
    assert AWKS == ["gawk", "mawk"]


TRICKY = {
    "quotes": 'pa"ss"word',
    "backslashes": "C:\\dir\\new\\\\",
    "escaped_slash": "a/b</script>",
    "unicode_raw": "pässwörd-密码-🙂",
    "colon_and_spaces": "  lead:ing : trail  ",
    "shell_meta": "$(touch /tmp/pwned)`id`;|&<>*?'\"",
    "control_chars": "tab\there\x01\x7f",
    "percent_backslash_u": "\\u0041 literally %s %n",
}


@pytest.mark.parametrize("awk", AWKS)
@pytest.mark.parametrize("ensure_ascii", [True, False], ids=["ascii-escaped", "raw-utf8"])
@pytest.mark.parametrize("indent", [None, 2], ids=["compact", "pretty"])
@pytest.mark.parametrize("name", sorted(TRICKY))
def test_json_get_tricky_passwords(tmp_path: Path, awk: str, ensure_ascii: bool,
                                   indent: int | None, name: str) -> None:
    pw = TRICKY[name]
    doc = {
        "uuid": "3f0e4b0e-1111-4a5b-9c3d-5e6f7a8b9c0d",
        "meta": {"admin_pass": "NOT-THIS-ONE", "x": ['"admin_pass": "nor this"']},
        "public_keys": {"k": "ssh-ed25519 AAAA admin_pass"},
        "note": 'text with "admin_pass": "fake" inside a string',
        "admin_pass": pw,
        "hostname": "vm",
    }
    rc, out = json_get("admin_pass", json.dumps(doc, ensure_ascii=ensure_ascii, indent=indent),
                       tmp_path, awk)
    assert rc == 0
    assert out.decode("utf-8") == pw


@pytest.mark.parametrize("awk", AWKS)
def test_json_get_surrogate_pair_and_escapes(tmp_path: Path, awk: str) -> None:
    doc = r'{"admin_pass": "\ud83d\ude00 \u00e9\u4e2d \"q\" \\ \/ \b\f\n\r\t end"}'
    rc, out = json_get("admin_pass", doc, tmp_path, awk)
    assert rc == 0
    assert out.decode("utf-8") == json.loads(doc)["admin_pass"]


@pytest.mark.parametrize("awk", AWKS)
@pytest.mark.parametrize(
    ("doc", "expected_rc"),
    [
        ('{"uuid": "x"}', 1),  # absent
        ('{"meta": {"admin_pass": "nested"}}', 1),  # only nested: not the instance's
        ('{"admin_pass": null}', 3),  # not a string
        ('{"admin_pass": 12345}', 3),
        ('{"admin_pass": "unterminated}', 2),  # invalid JSON
        ('{"admin_pass": "bad \\x escape"}', 2),
        ('{"admin_pass": "nul \\u0000 byte"}', 2),  # would truncate the password
        ('["admin_pass", "x"]', 2),  # not an object
        ('{"a": [1, 2}', 2),  # unbalanced
        ("", 2),
    ],
    ids=["absent", "nested-only", "null", "number", "unterminated", "bad-escape", "nul",
         "array", "unbalanced", "empty"],
)
def test_json_get_failures(tmp_path: Path, awk: str, doc: str, expected_rc: int) -> None:
    rc, out = json_get("admin_pass", doc, tmp_path, awk)
    assert (rc, out) == (expected_rc, b"")


@pytest.mark.parametrize("awk", AWKS)
def test_json_get_duplicate_key_takes_the_last_like_json_loads(tmp_path: Path, awk: str) -> None:
    doc = '{"admin_pass": "first", "admin_pass": "second"}'
    rc, out = json_get("admin_pass", doc, tmp_path, awk)
    assert (rc, out.decode()) == (0, json.loads(doc)["admin_pass"])


# any printable or control character except NUL; surrogates cannot be UTF-8 encoded
password_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(password_chars, max_size=8),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(password_chars, max_size=6), inner, max_size=3),
    max_leaves=8,
)


@pytest.mark.parametrize("awk", AWKS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pw=st.text(password_chars, min_size=1, max_size=40),
    others=st.dictionaries(st.text(password_chars, max_size=10).filter(lambda k: k != "admin_pass"),
                           json_values, max_size=4),
    ensure_ascii=st.booleans(),
    indent=st.sampled_from([None, 1, 4]),
)
def test_json_get_matches_python_json(tmp_path: Path, awk: str, pw: str, others: dict,
                                      ensure_ascii: bool, indent: int | None) -> None:
    doc = dict(others)
    doc["admin_pass"] = pw
    text = json.dumps(doc, ensure_ascii=ensure_ascii, indent=indent)
    rc, out = json_get("admin_pass", text, tmp_path, awk)
    assert rc == 0
    assert out.decode("utf-8") == json.loads(text)["admin_pass"]


# --------------------------------------------------------------------------- the hook's main path


class FakeGuest:
    """A staging root made by the real install script, plus recording fakes."""

    def __init__(self, root: Path, *, root_password_ssh: str = "yes"):
        self.root = root
        self.record = root / "chpasswd.input"
        self.unlock_record = root / "unlock.args"
        fake = root / "fake-chpasswd"
        fake.write_text(f'#!/bin/sh\ncat >>"{self.record}"\n')
        fake.chmod(0o755)
        unlock = root / "fake-unlock"
        unlock.write_text(f'#!/bin/sh\necho "$@" >>"{self.unlock_record}"\n')
        unlock.chmod(0o755)
        hook_src = root / "upload" / "pybuild-admin-pass-hook"
        hook_src.parent.mkdir()
        shutil.copy(HOOK, hook_src)
        r = subprocess.run(
            ["sh", str(SCRIPTS / "install-admin-pass-hook.sh")],
            env={**BASE_ENV, "DESTDIR": str(root), "ADMIN_PASS_HOOK_SRC": str(hook_src),
                 "ROOT_PASSWORD_SSH": root_password_ssh},
            capture_output=True, text=True, timeout=30,
        )
        assert r.returncode == 0, r.stderr
        self.sshd_config = root / "etc/ssh/sshd_config"
        self.sshd_config.parent.mkdir(parents=True)
        self.sshd_config.write_text(
            "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin prohibit-password\n"
            "PasswordAuthentication no\nUsePAM yes\nMatch User backup\n  PasswordAuthentication no\n"
        )
        self.meta = root / "meta_data.json"

    def run(self, meta: dict | str) -> subprocess.CompletedProcess[str]:
        self.meta.write_text(meta if isinstance(meta, str) else json.dumps(meta))
        env = {
            **BASE_ENV,
            "ADMIN_PASS_META": str(self.meta),
            "ADMIN_PASS_CHPASSWD": str(self.root / "fake-chpasswd"),
            "ADMIN_PASS_UNLOCK": str(self.root / "fake-unlock"),
            "ADMIN_PASS_STATE_DIR": str(self.root / "var/lib/pybuild-admin-pass"),
            "ADMIN_PASS_CONF": str(self.root / "etc/pybuild-admin-pass.conf"),
            "ADMIN_PASS_SSHD_CONFIG": str(self.sshd_config),
            "ADMIN_PASS_SSHD_RELOAD": "true",
            "ADMIN_PASS_METADATA_URL": "http://127.0.0.1:9/never-contacted",
        }
        return subprocess.run(["sh", str(self.root / "usr/local/sbin/pybuild-admin-pass")],
                              env=env, capture_output=True, text=True, timeout=60)

    def applied(self) -> list[str]:
        return self.record.read_text().splitlines() if self.record.exists() else []


def test_install_script_lays_out_hook_unit_and_conf(tmp_path: Path) -> None:
    FakeGuest(tmp_path)
    hook = tmp_path / "usr/local/sbin/pybuild-admin-pass"
    assert hook.read_bytes() == HOOK.read_bytes()
    assert stat.S_IMODE(hook.stat().st_mode) == 0o755
    unit = (tmp_path / "etc/systemd/system/pybuild-admin-pass.service").read_text()
    assert "Type=oneshot" in unit
    assert "ExecStart=/usr/local/sbin/pybuild-admin-pass" in unit
    after = next(line for line in unit.splitlines() if line.startswith("After="))
    assert "cloud-init-local.service" in after and "network-online.target" in after
    assert "WantedBy=multi-user.target" in unit
    link = tmp_path / "etc/systemd/system/multi-user.target.wants/pybuild-admin-pass.service"
    assert os.readlink(link) == "/etc/systemd/system/pybuild-admin-pass.service"
    assert "ROOT_PASSWORD_SSH=yes" in (tmp_path / "etc/pybuild-admin-pass.conf").read_text()
    assert stat.S_IMODE((tmp_path / "var/lib/pybuild-admin-pass").stat().st_mode) == 0o700


def test_unit_file_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze", hint="apt-get install systemd")
    FakeGuest(tmp_path)
    unit = tmp_path / "etc/systemd/system/pybuild-admin-pass.service"
    # verify resolves ExecStart on this host: point it at the staged copy
    staged = tmp_path / "pybuild-admin-pass.service"
    staged.write_text(unit.read_text().replace(
        "/usr/local/sbin/pybuild-admin-pass", str(tmp_path / "usr/local/sbin/pybuild-admin-pass")))
    r = subprocess.run([analyze, "verify", str(staged)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert [line for line in (r.stdout + r.stderr).splitlines() if "pybuild-admin-pass" in line] == []


def test_install_script_rejects_a_bad_setting(tmp_path: Path) -> None:
    r = subprocess.run(["sh", str(SCRIPTS / "install-admin-pass-hook.sh")],
                       env={**BASE_ENV, "DESTDIR": str(tmp_path), "ROOT_PASSWORD_SSH": "maybe",
                            "ADMIN_PASS_HOOK_SRC": str(HOOK)},
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "ROOT_PASSWORD_SSH" in r.stderr


def test_hook_applies_admin_pass_once_per_instance(tmp_path: Path) -> None:
    g = FakeGuest(tmp_path)
    pw = 'S3cr"et:with\\ünïcode 🙂'
    meta = {"uuid": "11111111-2222-3333-4444-555555555555", "admin_pass": pw,
            "meta": {"admin_pass": "nested"}}
    r = g.run(meta)
    assert r.returncode == 0, r.stderr
    assert g.applied() == [f"root:{pw}"]
    assert g.unlock_record.read_text().split() == ["root"]
    assert (tmp_path / "var/lib/pybuild-admin-pass" / meta["uuid"]).exists()
    # the password appears in no output
    assert pw not in r.stdout + r.stderr
    assert "password of root set" in r.stderr

    # a reboot of the same instance: nothing is applied again
    r = g.run({**meta, "admin_pass": "changed-later"})
    assert r.returncode == 0, r.stderr
    assert g.applied() == [f"root:{pw}"]

    # a new instance made from the same image: applied again
    r = g.run({**meta, "uuid": "66666666-7777-8888-9999-000000000000", "admin_pass": "second"})
    assert r.returncode == 0, r.stderr
    assert g.applied() == [f"root:{pw}", "root:second"]


def test_hook_enables_root_password_ssh_when_the_image_intends_it(tmp_path: Path) -> None:
    g = FakeGuest(tmp_path, root_password_ssh="yes")
    assert g.run({"uuid": "a1", "admin_pass": "x1y2z3"}).returncode == 0
    lines = g.sshd_config.read_text().splitlines()
    settings_ = [line for line in lines if line and not line.startswith("#")]
    # first value wins in sshd_config: ours come before Include and Match
    assert settings_[:3] == ["PermitRootLogin yes", "PasswordAuthentication yes",
                             "Include /etc/ssh/sshd_config.d/*.conf"]
    assert "PermitRootLogin prohibit-password" not in lines
    assert "UsePAM yes" in lines and "Match User backup" in lines


def test_hook_leaves_sshd_alone_when_not_wanted(tmp_path: Path) -> None:
    g = FakeGuest(tmp_path, root_password_ssh="no")
    before = g.sshd_config.read_text()
    assert g.run({"uuid": "a2", "admin_pass": "x1y2z3"}).returncode == 0
    assert g.applied() == ["root:x1y2z3"]
    assert g.sshd_config.read_text() == before


@pytest.mark.parametrize(
    ("meta", "expected_rc", "message", "stamped"),
    [
        ({"uuid": "b1"}, 0, "no admin_pass", True),
        ({"uuid": "b2", "admin_pass": ""}, 0, "empty", True),
        ({"uuid": "b3", "admin_pass": None}, 0, "not a string", True),
        ({"uuid": "b4", "admin_pass": "two\nlines"}, 1, "line break", True),
        ('{"uuid": "b5", "admin_pass": "broken', 1, "not valid JSON", False),
    ],
    ids=["absent", "empty", "null", "newline", "invalid-json"],
)
def test_hook_refuses_unusable_metadata(tmp_path: Path, meta: dict | str, expected_rc: int,
                                        message: str, stamped: bool) -> None:
    g = FakeGuest(tmp_path)
    r = g.run(meta)
    assert r.returncode == expected_rc, r.stderr
    assert message in r.stderr
    assert g.applied() == []
    uuid = meta["uuid"] if isinstance(meta, dict) else "unknown-instance"
    assert (tmp_path / "var/lib/pybuild-admin-pass" / uuid).exists() == stamped


def test_hook_never_uses_a_hostile_uuid_as_a_path(tmp_path: Path) -> None:
    g = FakeGuest(tmp_path)
    r = g.run({"uuid": "../../../etc/evil", "admin_pass": "pw-123"})
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "etc/evil").exists()
    assert (tmp_path / "var/lib/pybuild-admin-pass/invalid-instance-id").exists()


def test_hook_reports_chpasswd_failure(tmp_path: Path) -> None:
    g = FakeGuest(tmp_path)
    (tmp_path / "fake-chpasswd").write_text("#!/bin/sh\ncat >/dev/null\nexit 1\n")
    r = g.run({"uuid": "c1", "admin_pass": "pw-123"})
    assert r.returncode == 1
    assert "chpasswd failed" in r.stderr
    # not stamped: the next boot tries again
    assert not (tmp_path / "var/lib/pybuild-admin-pass/c1").exists()

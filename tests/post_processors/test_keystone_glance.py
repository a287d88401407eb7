"""The glance post-processor against a real Keystone: Glances validating tokens with
keystonemiddleware, two regions in the catalog, clouds.yaml + secure.yaml as users write
them, application credentials, the OS_* variables, wrong credentials, secrets.

The cloud (``keystone_cloud``, tests/fixtures/keystone.py) is shared by the session; each
test uploads small qcow2 images made with qemu-img and deletes nothing it does not own.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from builder.cancel import TOKEN
from builder.errors import BuildError
from builder.plugins import PostProcessContext
from builder.ui import UI, EventSink, add_build_log
from tests.fixtures.keystone import IdentityCloud
from tests.post_processors.conftest import make_pp, qemu_artifact

pytestmark = pytest.mark.glance

CloudFiles = Callable[..., Path]


@pytest.fixture
def clouds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keystone_cloud: IdentityCloud) -> CloudFiles:
    """``clouds(name, secret=..., auth_type=..., region=...)``: a clouds.yaml with the
    non-secret settings and a secure.yaml beside it with the secret (as users split
    them); OS_CLIENT_CONFIG_FILE / OS_CLIENT_SECURE_FILE point at them."""
    for k in [k for k in os.environ if k.startswith("OS_")]:
        monkeypatch.delenv(k)
    entries: dict[str, dict[str, Any]] = {}
    secure: dict[str, dict[str, Any]] = {}

    def write(name: str = "ci", *, app_cred: bool = False, password: str | None = None,
              region: str | list[str] = "RegionOne", auth_url: str = "", username: str = "",
              **settings: Any) -> Path:
        """``settings``: more clouds.yaml keys (cacert, insecure...)."""
        kc = keystone_cloud
        if app_cred:
            entry: dict[str, Any] = {"auth_type": "v3applicationcredential",
                                     "auth": {"auth_url": auth_url or kc.auth_url,
                                              "application_credential_id": kc.app_cred_id}}
            secret = {"auth": {"application_credential_secret": kc.app_cred_secret}}
        else:
            auth = {k: v for k, v in kc.password_auth().items() if k != "password"}
            auth.update({k: v for k, v in (("auth_url", auth_url), ("username", username)) if v})
            entry = {"auth_type": "password", "auth": auth}
            secret = {"auth": {"password": kc.password if password is None else password}}
        if isinstance(region, list):
            entry["regions"] = region  # the SDK accepts only these (the first is the default)
        elif region:
            entry["region_name"] = region
        entry["interface"] = "public"
        entry.update(settings)
        entries[name], secure[name] = entry, secret
        (tmp_path / "clouds.yaml").write_text(json.dumps({"clouds": entries}, indent=2))
        (tmp_path / "secure.yaml").write_text(json.dumps({"clouds": secure}, indent=2))
        monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "clouds.yaml"))
        monkeypatch.setenv("OS_CLIENT_SECURE_FILE", str(tmp_path / "secure.yaml"))
        return tmp_path / "clouds.yaml"

    return write


@pytest.fixture
def disk(small_disk: Callable[..., Path]) -> Path:
    return small_disk(size="16M")


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def project_id(kc: IdentityCloud) -> str:
    conn = kc.admin()
    try:
        return str(conn.identity.find_project(kc.project).id)
    finally:
        conn.close()


def by_id(kc: IdentityCloud, region: str) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in kc.images(region)}


# --------------------------------------------------------------------------- the ways users authenticate


def test_cloud_startup_is_measured(keystone_cloud: IdentityCloud) -> None:
    print(f"identity cloud start-up: {keystone_cloud.timings}")
    assert {"RegionOne", "RegionTwo"} <= set(keystone_cloud.glances)
    assert keystone_cloud.timings["start"] > 0


def test_password_from_clouds_and_secure_yaml(keystone_cloud, clouds, ctx, disk) -> None:
    clouds("ci")
    art = make_pp("glance", cloud="ci", image_name="ks-password").post_process(ctx, qemu_artifact(disk)).artifact
    img = by_id(keystone_cloud, "RegionOne")[art.id]
    assert img["status"] == "active" and img["checksum"] == md5(disk)
    assert img["owner"] == project_id(keystone_cloud), "uploaded as the member user's project"
    assert art.id not in by_id(keystone_cloud, "RegionTwo")


def test_application_credential_through_os_cloud(keystone_cloud, clouds, ctx, disk, monkeypatch) -> None:
    clouds("ci-ac", app_cred=True, region="RegionTwo")
    monkeypatch.setenv("OS_CLOUD", "ci-ac")
    art = make_pp("glance", image_name="ks-appcred").post_process(ctx, qemu_artifact(disk)).artifact
    img = by_id(keystone_cloud, "RegionTwo")[art.id]
    assert img["status"] == "active" and img["owner"] == project_id(keystone_cloud)


def test_plain_os_variables(keystone_cloud, clouds, ctx, disk, monkeypatch) -> None:
    clouds("unused")  # clears OS_*; the variables below are all the SDK gets
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", "/nonexistent/clouds.yaml")
    monkeypatch.delenv("OS_CLIENT_SECURE_FILE")
    env = {"OS_AUTH_URL": keystone_cloud.auth_url, "OS_USERNAME": keystone_cloud.username,
           "OS_PASSWORD": keystone_cloud.password, "OS_PROJECT_NAME": keystone_cloud.project,
           "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
           "OS_REGION_NAME": "RegionTwo", "OS_INTERFACE": "internal"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    art = make_pp("glance", image_name="ks-env").post_process(ctx, qemu_artifact(disk)).artifact
    # RegionTwo's internal endpoint is RegionOne's Glance (tests/fixtures/keystone.py internal_url)
    assert by_id(keystone_cloud, "RegionOne")[art.id]["status"] == "active"
    assert art.id not in by_id(keystone_cloud, "RegionTwo")


@pytest.mark.parametrize("interface", ["public", "internal"])
def test_clouds_yaml_interface_picks_the_catalog_endpoint(keystone_cloud, clouds, ctx, disk,
                                                          interface) -> None:
    clouds("ci-if", region="RegionTwo", interface=interface)
    art = make_pp("glance", cloud="ci-if", image_name=f"ks-{interface}").post_process(
        ctx, qemu_artifact(disk)).artifact
    landed = {r for r in ("RegionOne", "RegionTwo") if art.id in by_id(keystone_cloud, r)}
    # public: RegionTwo's own Glance; internal: the one RegionTwo's internal endpoint names
    assert landed == ({"RegionTwo"} if interface == "public" else {"RegionOne"})


def test_region_option_picks_one_of_the_clouds_yaml_regions(keystone_cloud, clouds, ctx, disk) -> None:
    clouds("ci", region=["RegionOne", "RegionTwo"])
    pp = make_pp("glance", cloud="ci", region="RegionTwo", image_name="ks-region-option")
    art = pp.post_process(ctx, qemu_artifact(disk)).artifact
    assert by_id(keystone_cloud, "RegionTwo")[art.id]["status"] == "active"
    assert art.id not in by_id(keystone_cloud, "RegionOne")


def test_two_regions_in_parallel(keystone_cloud, clouds, ctx, disk) -> None:
    clouds("ci", region="")
    pp = make_pp("glance", image_name="ks-two-regions", clouds=["ci/RegionOne", "ci/RegionTwo"])
    art = pp.post_process(ctx, qemu_artifact(disk)).artifact
    one, two = art.id.split(",")
    assert by_id(keystone_cloud, "RegionOne")[one]["checksum"] == md5(disk)
    assert by_id(keystone_cloud, "RegionTwo")[two]["checksum"] == md5(disk)
    assert [(i["cloud"], i["region"]) for i in art.data["images"]] == [("ci", "RegionOne"), ("ci", "RegionTwo")]


# --------------------------------------------------------------------------- failing fast and clearly


def _token_posts(kc: IdentityCloud) -> int:
    return sum(1 for line in kc.keystone.requests_seen() if '"POST /v3/auth/tokens' in line)


def test_wrong_password_is_one_clear_line_and_one_request(keystone_cloud, clouds, ctx, disk) -> None:
    wrong = "Wrong-Canary-" + os.urandom(4).hex()
    clouds("ci-wrong", password=wrong)
    before_images = set(by_id(keystone_cloud, "RegionOne"))
    before = _token_posts(keystone_cloud)
    t0 = time.monotonic()
    with pytest.raises(BuildError) as e:
        make_pp("glance", cloud="ci-wrong", image_name="ks-wrong", retries=3).post_process(ctx, qemu_artifact(disk))
    elapsed = time.monotonic() - t0
    msg = e.value.render()
    assert "ci-wrong" in msg and keystone_cloud.auth_url in msg and "401" in msg, msg
    assert wrong not in msg
    assert len(str(e.value).strip().splitlines()) == 1, msg
    time.sleep(0.5)  # gunicorn writes the access log line after the answer
    assert _token_posts(keystone_cloud) - before == 1, "no retry storm on a 401"
    assert elapsed < 15
    assert set(by_id(keystone_cloud, "RegionOne")) == before_images


def test_unknown_region_names_the_catalog_regions(keystone_cloud, clouds, ctx, disk) -> None:
    clouds("ci", region="")
    with pytest.raises(BuildError) as e:
        make_pp("glance", image_name="ks-region", clouds=["ci/RegionNine"]).post_process(ctx, qemu_artifact(disk))
    msg = str(e.value)
    # every region of the catalog (RegionTLS too once a TLS test has added it)
    assert "RegionNine" in msg and ", ".join(sorted(keystone_cloud.glances)) in msg, msg


def test_reader_role_gets_glances_403_explained(keystone_cloud, clouds, ctx, disk, out) -> None:
    """A user with only the reader role: Glance's 403 in one line naming the cloud, the
    project, the user's roles and the role that is missing; nothing left in Glance."""
    clouds("ci-reader", username=keystone_cloud.reader)
    before = set(by_id(keystone_cloud, "RegionOne"))
    with pytest.raises(BuildError) as e:
        make_pp("glance", cloud="ci-reader", image_name="ks-reader", retries=3).post_process(
            ctx, qemu_artifact(disk))
    msg = str(e.value)
    assert len(msg.strip().splitlines()) == 1, msg
    for part in ("403", "ci-reader/RegionOne", f"'{keystone_cloud.reader}'", "roles: reader",
                 f"project '{keystone_cloud.project}'", "member"):
        assert part in msg, msg
    assert "retry" not in out.text
    assert set(by_id(keystone_cloud, "RegionOne")) == before


# --------------------------------------------------------------------------- TLS


def test_tls_with_cacert(keystone_tls_cloud, clouds, ctx, disk, recwarn, out) -> None:
    """Keystone and Glance over HTTPS, certificates from a CA made by the test, clouds.yaml
    ``cacert``: the upload works and nothing warns."""
    kc = keystone_tls_cloud
    assert kc.tls_keystone and kc.tls_keystone.url.startswith("https://")
    assert kc.glances["RegionTLS"].url.startswith("https://")
    print(f"TLS side start-up: {kc.timings['tls']} s")
    clouds("ci-tls", auth_url=kc.tls_keystone.url, region="RegionTLS", cacert=str(kc.tls.ca))
    art = make_pp("glance", cloud="ci-tls", image_name="ks-tls").post_process(ctx, qemu_artifact(disk)).artifact
    assert by_id(kc, "RegionTLS")[art.id]["checksum"] == md5(disk)
    assert "insecure" not in out.text
    assert not [w for w in recwarn if "Unverified HTTPS" in str(w.message)]


@pytest.mark.parametrize("side", ["keystone", "glance"])
def test_tls_without_cacert_is_one_clear_line(keystone_tls_cloud, clouds, ctx, disk, side, out) -> None:
    """No cacert: one line saying the certificate did not verify, naming the URL (Keystone's,
    or Glance's when only Glance is HTTPS) and suggesting cacert / insecure; no retries."""
    kc = keystone_tls_cloud
    auth_url = kc.tls_keystone.url if side == "keystone" else kc.auth_url
    clouds("ci-nocacert", auth_url=auth_url, region="RegionTLS")
    before = set(by_id(kc, "RegionTLS"))
    t0 = time.monotonic()
    with pytest.raises(BuildError) as e:
        make_pp("glance", cloud="ci-nocacert", image_name="ks-nocacert", retries=3).post_process(
            ctx, qemu_artifact(disk))
    msg = str(e.value)
    url = auth_url if side == "keystone" else kc.glances["RegionTLS"].url
    assert len(msg.strip().splitlines()) == 1, msg
    assert "certificate verify failed" in msg and url in msg and "cacert" in msg and "insecure" in msg, msg
    assert "retry" not in out.text
    assert time.monotonic() - t0 < 20
    assert set(by_id(kc, "RegionTLS")) == before


def test_tls_insecure_works_and_warns_once(keystone_tls_cloud, clouds, ctx, disk, recwarn, out) -> None:
    kc = keystone_tls_cloud
    clouds("ci-insecure", auth_url=kc.tls_keystone.url, region="RegionTLS", insecure=True)
    art = make_pp("glance", cloud="ci-insecure", image_name="ks-insecure").post_process(
        ctx, qemu_artifact(disk)).artifact
    assert by_id(kc, "RegionTLS")[art.id]["status"] == "active"
    text = out.text
    assert text.count("TLS certificate verification is off") == 1, text
    assert not [w for w in recwarn if "Unverified HTTPS" in str(w.message)], "urllib3's per-request warnings"


# --------------------------------------------------------------------------- token expiry


def test_token_expiring_mid_upload(keystone_cloud, clouds, ctx, disk, tmp_path, monkeypatch) -> None:
    """Tokens that live 8 s, an upload slowed to ~16 s (a slow reader): it completes, with
    the right checksums, and leaves no queued/saving image. keystonemiddleware checks the
    token when the PUT starts, then Glance reads the stream to its end; keystoneauth gets
    a new token (same credentials) before the requests that follow, and answers a 401
    (a token that expired before Glance checked it) by re-authenticating and sending the
    request again, body included: the reader restarts its digests for the new copy."""
    from builder.post_processors import glance as pp_glance

    lifetime = 8
    real_iter = pp_glance.HashingReader.__iter__
    chunks: list[float] = []

    def slow_iter(self: Any) -> Iterator[bytes]:  # the slow reader: ~2 lifetimes in all
        pause = 2 * lifetime / max(1, -(-self.size // pp_glance._CHUNK) - 1)
        for chunk in real_iter(self):
            if chunks:
                time.sleep(pause)
            chunks.append(time.monotonic())
            yield chunk

    monkeypatch.setattr(pp_glance.HashingReader, "__iter__", slow_iter)
    with keystone_cloud.twin_keystone(tmp_path / "ks-short", token_lifetime=lifetime) as ks:
        clouds("ci-short", auth_url=ks.url)
        before = {i["id"] for i in keystone_cloud.images("RegionOne")}
        t0 = time.monotonic()
        art = make_pp("glance", cloud="ci-short", image_name="ks-expiry").post_process(
            ctx, qemu_artifact(disk)).artifact
        elapsed = time.monotonic() - t0
        time.sleep(0.5)
        issued = ks.tokens_issued()
    assert chunks[-1] - chunks[0] > lifetime, "the stream outlasted a token"
    img = by_id(keystone_cloud, "RegionOne")[art.id]
    assert img["status"] == "active" and img["checksum"] == md5(disk)
    assert len(issued) >= 2, "keystoneauth re-authenticated"
    from builder import secrets

    assert all(t not in secrets.mask(t) for t in issued), "every new token is masked in output"
    left = [i for i in keystone_cloud.images("RegionOne")
            if i["id"] not in before and i["status"] in ("queued", "saving", "importing")]
    assert left == []
    print(f"upload {elapsed:.1f}s with {lifetime}s tokens: {len(issued)} tokens issued")


# --------------------------------------------------------------------------- secrets


@pytest.fixture
def build_log(tmp_path: Path) -> Iterator[Path]:
    """pybuild's own per-build debug log (the file ``pybuild build`` always writes)."""
    path = tmp_path / "build.log"
    handler = add_build_log(path)
    try:
        yield path
    finally:
        logging.getLogger("pybuild").removeHandler(handler)
        handler.close()


def test_secrets_never_leak(keystone_cloud, clouds, disk, tmp_path, build_log, capfd) -> None:
    """Canary: the password, the application-credential secret and the tokens (every one
    Keystone issued meanwhile: its access log records them) appear in no UI output, JSON
    event, build log, error or stdout/stderr of two successful uploads (password,
    application credential) and one refused (wrong password). The CLI test below covers
    every file, the process listing and PYBUILD_LOG=debug."""
    mark = len(keystone_cloud.keystone.requests_seen())
    events = tmp_path / "events.jsonl"
    out = io.StringIO()
    ui = UI(out=out, events=EventSink(events))
    ctx = PostProcessContext(build_name="null.canary", build_type="null", ui=ui.for_build("null.canary"),
                             template_dir=tmp_path, variables={}, cancel=TOKEN, debug=True)
    clouds("ci")
    clouds("ci-ac", app_cred=True)
    for cloud in ("ci", "ci-ac"):
        pp = make_pp("glance", cloud=cloud, image_name=f"ks-canary-{cloud}")
        art = pp.post_process(ctx, qemu_artifact(disk)).artifact
        assert art.id in by_id(keystone_cloud, "RegionOne")
    clouds("ci-bad", password=keystone_cloud.password + "x")
    with pytest.raises(BuildError) as e:
        make_pp("glance", cloud="ci-bad", image_name="ks-canary-bad").post_process(ctx, qemu_artifact(disk))
    ui.events.close()
    captured = capfd.readouterr()
    time.sleep(0.5)  # gunicorn writes the access-log line after the answer
    tokens_issued = sorted(keystone_cloud.keystone.tokens_issued(mark))
    seen = {"ui": out.getvalue(), "events": events.read_text(), "build log": build_log.read_text(),
            "error": e.value.render(), "stdout": captured.out, "stderr": captured.err}
    assert "ks-canary-ci" in seen["ui"] and seen["events"], "the canary must look at real output"
    assert len(tokens_issued) >= 2
    canaries = {"password": keystone_cloud.password, "wrong password": keystone_cloud.password + "x",
                "application credential secret": keystone_cloud.app_cred_secret,
                **{f"token {i}": t for i, t in enumerate(tokens_issued)}}
    for name, canary in canaries.items():
        for where, text in seen.items():
            assert canary not in text, f"the {name} leaked into {where}"


CANARY_TEMPLATE = """
source "null" "n" {
  communicator = "none"
}
build {
  sources = ["source.null.n"]
  post-processors {
    post-processor "artifice" {
      files = ["DISK"]
    }
    post-processor "glance" {
      image_name          = "ks-cli-canary-{{ timestamp }}"
      keep_input_artifact = true
    }
    post-processor "manifest" {
      output = "manifest.json"
    }
  }
}
"""


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _cli_build(tmp_path: Path, home: Path, cloud: str, *flags: str) -> tuple[int, str, dict[str, int]]:
    """Run ``pybuild --debug build`` (PYBUILD_LOG=debug, JSON events, JUnit report) for
    ``OS_CLOUD=cloud``; return (exit code, output, {command line: times seen}) where the
    command lines are /proc/*/cmdline of pybuild and its children, sampled every 20 ms
    while it runs (the key ``"during upload"`` counts samples taken between the first
    upload progress event and the end of the upload)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "XDG_"))}
    env.update(HOME=str(home), OS_CLOUD=cloud, PYBUILD_LOG="debug", PYBUILD_LOG_PATH=str(tmp_path / "debug.log"),
               PYBUILD_LOG_DIR=str(tmp_path / "logs"), PYBUILD_FAILURE_DIR=str(tmp_path / "failures"))
    events = tmp_path / f"events-{cloud}.jsonl"
    argv = [sys.executable, "-m", "builder.cli", "--debug", "build", "--log-json", events.name,
            "--report", f"report-{cloud}.xml", *flags, "t.pkr.hcl"]
    seen: dict[str, int] = {}
    with open(tmp_path / f"out-{cloud}.txt", "w+") as out:
        proc = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            for pid in _descendants(proc.pid):
                with contextlib.suppress(OSError):
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    seen[cmd] = seen.get(cmd, 0) + 1
            with contextlib.suppress(OSError):
                ev = events.read_text()
                if "glance.progress" in ev and "glance.uploaded" not in ev:
                    seen["during upload"] = seen.get("during upload", 0) + 1
            time.sleep(0.02)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        out.seek(0)
        return proc.returncode, out.read(), seen


def test_cli_build_never_shows_the_secrets(keystone_cloud, small_disk, tmp_path) -> None:
    """The canary over everything ``pybuild --debug build`` writes, with PYBUILD_LOG=debug:
    a null source + artifice + glance + manifest, ~/.config/openstack/clouds.yaml +
    secure.yaml in a temporary HOME and OS_CLOUD; a password upload, an
    application-credential upload (``-machine-readable``), a refused password and a
    reader-only user's 403. The password, the application-credential secret and every
    token Keystone issued meanwhile (its access log records them) appear in no output,
    log, JSON event, JUnit report, manifest, failure-evidence file, nor in the command
    lines of pybuild and its children sampled during the runs."""
    kc = keystone_cloud
    disk = small_disk(size="48M", writes=((0x5A, "0", "40M"),))  # ~40 MiB: the upload takes a while
    home = tmp_path / "home"
    cfg = home / ".config" / "openstack"
    cfg.mkdir(parents=True)
    user_auth = {k: v for k, v in kc.password_auth().items() if k != "password"}
    clouds_yaml = {"clouds": {
        "pw": {"auth": user_auth, "region_name": "RegionOne"},
        "bad": {"auth": user_auth, "region_name": "RegionOne"},
        "reader": {"auth": {**user_auth, "username": kc.reader}, "region_name": "RegionOne"},
        "ac": {"auth_type": "v3applicationcredential", "region_name": "RegionTwo",
               "auth": {"auth_url": kc.auth_url, "application_credential_id": kc.app_cred_id}}}}
    secure_yaml = {"clouds": {"pw": {"auth": {"password": kc.password}},
                              "reader": {"auth": {"password": kc.password}},
                              "bad": {"auth": {"password": kc.password + "-wrong"}},
                              "ac": {"auth": {"application_credential_secret": kc.app_cred_secret}}}}
    (cfg / "clouds.yaml").write_text(json.dumps(clouds_yaml))
    (cfg / "secure.yaml").write_text(json.dumps(secure_yaml))
    (tmp_path / "t.pkr.hcl").write_text(CANARY_TEMPLATE.replace("DISK", str(disk)))
    before = {r: set(by_id(kc, r)) for r in ("RegionOne", "RegionTwo")}
    mark = len(kc.keystone.requests_seen())

    runs = {cloud: _cli_build(tmp_path, home, cloud, *(["-machine-readable"] if cloud == "ac" else []))
            for cloud in ("pw", "ac", "bad", "reader")}
    assert runs["pw"][0] == 0 and runs["ac"][0] == 0, runs["pw"][1] + runs["ac"][1]
    assert len(set(by_id(kc, "RegionOne")) - before["RegionOne"]) == 1
    assert len(set(by_id(kc, "RegionTwo")) - before["RegionTwo"]) == 1
    assert runs["bad"][0] != 0 and runs["reader"][0] != 0
    assert f"Keystone at {kc.auth_url} refused the credentials" in runs["bad"][1]
    assert "403" in runs["reader"][1] and "roles: reader" in runs["reader"][1], runs["reader"][1]
    assert ",ui," in runs["ac"][1], "machine-readable output"
    time.sleep(0.5)  # gunicorn writes the access-log line after the answer
    tokens = kc.keystone.tokens_issued(mark)
    assert len(tokens) >= 3, "tokens of the pw, ac and reader runs (and Glance's validations)"

    texts = {f"{c} output": r[1] for c, r in runs.items()}
    written = [f for f in tmp_path.rglob("*") if f.is_file() and home not in f.parents
               and f.suffix not in (".qcow2", ".hcl")]
    names = {f.name for f in written}
    assert {"manifest.json", "debug.log", "events-pw.jsonl", "report-pw.xml", "report-bad.xml"} <= names, names
    assert any((tmp_path / "failures").rglob("*")), "the failed builds saved failure evidence"
    texts.update({str(f.relative_to(tmp_path)): f.read_text(errors="replace") for f in written})
    for cloud, (_, _, cmdlines) in runs.items():
        assert any("builder.cli" in c for c in cmdlines), f"{cloud}: the sampler saw pybuild"
        texts.update({f"{cloud} process {c[:60]!r}": c for c in cmdlines})
    assert runs["pw"][2].get("during upload", 0) + runs["ac"][2].get("during upload", 0) >= 2, \
        "command lines were sampled during the uploads"
    canaries = {"password": kc.password, "wrong password": kc.password + "-wrong",
                "application credential secret": kc.app_cred_secret,
                **{f"token {i}": t for i, t in enumerate(sorted(tokens))}}
    for name, canary in canaries.items():
        for where, text in texts.items():
            assert canary not in text, f"the {name} leaked into {where}"

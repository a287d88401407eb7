#!/usr/bin/env python3
"""Upload throughput of the glance post-processor against a baseline: ``curl -T``.

Both push the same file of random data (generated once, cached) to the same real
Glance (gunicorn, sqlite, file store, on 127.0.0.1; started here, from the test
fixture's cached venv):

- **pybuild**: the ``glance`` post-processor in a child process (create the record,
  stream + md5/sha512 in one pass, verify checksums, wait for active);
- **curl** (baseline): the image record is created first (not timed), then
  ``curl -T FILE -X PUT .../v2/images/ID/file`` (timed).

Each run's image is deleted afterwards. Client peak RSS is the child's ``VmHWM``
(sampled from /proc). Prints one table with medians and min–max.

    python bench/glance_upload_bench.py [--size-gib 2] [--runs 3]

Through a real Keystone (``bench/keystone.py``, ``python -m bench --parts keystone``):
the same comparison against a Glance that validates tokens (keystonemiddleware), pybuild
authenticating from clouds.yaml + secure.yaml (its time includes the authentication),
curl sending a token obtained beforehand (``-H @file``: the token stays out of its
command line); and the authentication overhead of one upload (:func:`auth_overhead`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.glance import GlanceServer, cache_root, ensure_venv  # noqa: E402

CHILD = r"""
import json, sys, time
from pathlib import Path
from builder.config import parse_config
from builder.plugins import Artifact, PostProcessContext
from builder.post_processors.glance import GlanceUpload
from builder.ui import UI
import io
url, path = sys.argv[1], Path(sys.argv[2])
cfg = parse_config(GlanceUpload.Config, {"auth_type": "none", "endpoint": url, "image_name": "bench",
                   "disk_format": "raw", "build_properties": False, "retries": 0},
                   component="glance")
ctx = PostProcessContext(build_name="bench.x", build_type="bench", ui=UI(out=io.StringIO()).for_build("b"),
                         template_dir=Path("."))
art = Artifact("bench", "x", files=[path], data={"diskPaths": [str(path)]})
t0 = time.monotonic()
res = GlanceUpload(cfg).post_process(ctx, art)
print(json.dumps({"seconds": time.monotonic() - t0, "image_id": res.artifact.id}))
"""


def data_file(size_gib: float) -> Path:
    d = cache_root() / "bench"
    d.mkdir(parents=True, exist_ok=True)
    p = d / f"random-{size_gib:g}G.raw"
    if not p.exists() or p.stat().st_size != int(size_gib * 2**30):
        tmp = p.with_suffix(".tmp")
        block = os.urandom(64 << 20)  # random-ish: 64 MiB of random bytes, each copy shifted
        with open(tmp, "wb") as f:
            for i in range(int(size_gib * 2**30) // len(block)):
                f.write(block[i:] + block[:i])
        os.replace(tmp, p)
    return p


def _hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed_child(argv: list[str]) -> tuple[float, int, str]:
    """Run argv; return (wall seconds, peak RSS in MiB, stdout). The peak is the
    child's VmHWM, sampled every 20 ms (ru_maxrss would include the forking parent)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _hwm_kib(proc.pid))
            time.sleep(0.02)
        wall = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        text, etext = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({proc.returncode}):\n{etext[-2000:]}\n{text[-2000:]}")
    return wall, peak // 1024, text


def api(srv: GlanceServer, method: str, path: str, body: dict[str, object] | None = None) -> dict:
    req = urllib.request.Request(srv.url + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        raw = r.read()
    return json.loads(raw) if raw else {}


def run_pybuild(srv: GlanceServer, path: Path) -> tuple[float, int]:
    _, rss, out = timed_child([sys.executable, "-c", CHILD, srv.url, str(path)])
    res = json.loads(out.strip().splitlines()[-1])
    api(srv, "DELETE", f"/v2/images/{res['image_id']}")
    return res["seconds"], rss


CHILD_KEYSTONE = r"""
import io, json, sys, time
from pathlib import Path
from builder.config import parse_config
from builder.plugins import Artifact, PostProcessContext
from builder.post_processors.glance import GlanceUpload
from builder.ui import UI
path = Path(sys.argv[1])
cfg = parse_config(GlanceUpload.Config, {"cloud": "bench", "image_name": "bench", "disk_format": "raw",
                   "build_properties": False, "retries": 0}, component="glance")
ctx = PostProcessContext(build_name="bench.x", build_type="bench", ui=UI(out=io.StringIO()).for_build("b"),
                         template_dir=Path("."))
art = Artifact("bench", "x", files=[path], data={"diskPaths": [str(path)]})
t0 = time.monotonic()
res = GlanceUpload(cfg).post_process(ctx, art)
print(json.dumps({"seconds": time.monotonic() - t0, "image_id": res.artifact.id}))
"""


def write_clouds_yaml(directory: Path, auth: dict[str, str], region: str) -> dict[str, str]:
    """clouds.yaml + secure.yaml (the password) for cloud ``bench``; the environment
    that points the SDK at them."""
    public = {k: v for k, v in auth.items() if k != "password"}
    (directory / "clouds.yaml").write_text(json.dumps(  # JSON is YAML
        {"clouds": {"bench": {"auth": public, "region_name": region, "interface": "public"}}}))
    (directory / "secure.yaml").write_text(json.dumps(
        {"clouds": {"bench": {"auth": {"password": auth["password"]}}}}))
    (directory / "secure.yaml").chmod(0o600)
    return {"OS_CLIENT_CONFIG_FILE": str(directory / "clouds.yaml"),
            "OS_CLIENT_SECURE_FILE": str(directory / "secure.yaml")}


def run_pybuild_keystone(env: dict[str, str], path: Path) -> tuple[float, str]:
    """pybuild's glance post-processor with clouds.yaml auth: (seconds, image id)."""
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        _, _, out = timed_child([sys.executable, "-c", CHILD_KEYSTONE, str(path)])
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    res = json.loads(out.strip().splitlines()[-1])
    return float(res["seconds"]), str(res["image_id"])


def run_curl_token(session: object, glance_url: str, path: Path, workdir: Path) -> tuple[float, str]:
    """``curl -T`` with a token (obtained untimed) to the same Glance: (seconds, image id)."""
    from keystoneauth1.session import Session

    assert isinstance(session, Session)
    token = session.get_token()
    img = session.post(f"{glance_url}/v2/images", json={"name": "bench-curl", "disk_format": "raw",
                                                       "container_format": "bare"}).json()
    headers = workdir / "curl-headers"
    headers.write_text(f"X-Auth-Token: {token}\nContent-Type: application/octet-stream\n")
    headers.chmod(0o600)
    try:
        wall, _, _ = timed_child(["curl", "-sS", "--fail", "-T", str(path), "-X", "PUT", "-H", f"@{headers}",
                                  f"{glance_url}/v2/images/{img['id']}/file"])
    finally:
        headers.unlink()
    status = session.get(f"{glance_url}/v2/images/{img['id']}").json()["status"]
    assert status == "active", status
    return wall, str(img["id"])


def auth_overhead(auth: dict[str, str], region: str, runs: int) -> dict[str, list[float]]:
    """Seconds per fresh authentication: ``token + catalog`` (keystoneauth: version
    discovery, POST /v3/auth/tokens, the image endpoint from the catalog) and ``pybuild
    connect`` (builder.openstack.connect from clouds.yaml: the SDK's config loading, the
    same, and pybuild's region check), each in this process, ``runs`` times."""
    from keystoneauth1 import session as ks_session
    from keystoneauth1.identity import v3

    from builder.openstack import CloudTarget, connect

    out: dict[str, list[float]] = {"token + catalog": [], "pybuild connect": []}
    for _ in range(runs):
        t0 = time.perf_counter()
        sess = ks_session.Session(auth=v3.Password(**auth))
        sess.get_token()
        sess.get_endpoint(service_type="image", interface="public", region_name=region)
        out["token + catalog"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        conn = connect(CloudTarget("bench"))
        out["pybuild connect"].append(time.perf_counter() - t0)
        conn.close()
    return out


def run_curl(srv: GlanceServer, path: Path) -> tuple[float, int]:
    img = api(srv, "POST", "/v2/images", {"name": "bench-curl", "disk_format": "raw",
                                          "container_format": "bare"})
    wall, rss, _ = timed_child(["curl", "-sS", "--fail", "-T", str(path), "-X", "PUT",
                                "-H", "Content-Type: application/octet-stream",
                                f"{srv.url}/v2/images/{img['id']}/file"])
    status = api(srv, "GET", f"/v2/images/{img['id']}")["status"]
    assert status == "active", status
    api(srv, "DELETE", f"/v2/images/{img['id']}")
    return wall, rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-gib", type=float, default=2.0)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    path = data_file(args.size_gib)
    mib = path.stat().st_size / 2**20
    with tempfile.TemporaryDirectory(prefix="glance-bench-") as td:
        srv = GlanceServer(ensure_venv(), Path(td))
        srv.start()
        try:
            results: dict[str, list[tuple[float, int]]] = {"curl -T (baseline)": [], "pybuild glance": []}
            for i in range(args.runs):  # interleaved, so drifting machine load hits both alike
                results["curl -T (baseline)"].append(run_curl(srv, path))
                results["pybuild glance"].append(run_pybuild(srv, path))
                print(f"run {i + 1}/{args.runs}: curl {results['curl -T (baseline)'][-1][0]:.1f}s, "
                      f"pybuild {results['pybuild glance'][-1][0]:.1f}s", file=sys.stderr)
        finally:
            srv.stop()
    print(f"\nUpload of {mib:.0f} MiB of random data to a local Glance (gunicorn gthread), "
          f"{args.runs} runs each; baseline: curl -T\n")
    print(f"{'client':<20} {'median s':>9} {'min-max s':>13} {'median MiB/s':>13} {'min-max MiB/s':>15} "
          f"{'peak RSS MiB':>13}")
    base = None
    for name, runs in results.items():
        secs = [s for s, _ in runs]
        med = statistics.median(secs)
        base = base or med
        rates = [mib / s for s in secs]
        print(f"{name:<20} {med:>9.1f} {min(secs):>6.1f}-{max(secs):<6.1f} {mib / med:>13.1f} "
              f"{min(rates):>7.1f}-{max(rates):<7.1f} {max(r for _, r in runs):>13d}")
    print("\npybuild's time includes creating the record, md5+sha512 of the stream, "
          "the checksum verification and the status poll; curl's only the PUT.")


if __name__ == "__main__":
    main()

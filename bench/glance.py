"""Part 4 — Glance upload: pybuild's ``glance`` post-processor against ``curl -T``.

Reuses bench/glance_upload_bench.py: the same file of random data pushed to the same
real Glance (gunicorn gthread, sqlite, file store, 127.0.0.1), interleaved run by run.
pybuild's time covers creating the record, streaming with md5 + sha512 computed in the
same pass, verifying Glance's checksums and the status poll; curl's only the PUT (its
record is created untimed). Client peak RSS = the child's VmHWM. RSS flatness: the
same upload of a 64 MiB file.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench import glance_upload_bench as gub
from bench.common import Goal, Part, Stat, Table, load1, now


def run(runs: int, quick: bool) -> Part:
    size_gib = 0.25 if quick else 2.0
    part = Part("glance", f"4. Glance upload of {size_gib:g} GiB: pybuild vs curl -T", runs, quick,
                started=now(), load=[load1()])
    t0 = time.perf_counter()
    path = gub.data_file(size_gib)
    small = gub.data_file(0.0625)
    size_mib = path.stat().st_size / 2**20
    res: dict[str, list[tuple[float, int]]] = {"curl -T (baseline)": [], "pybuild glance post-processor": []}
    with tempfile.TemporaryDirectory(prefix="pybuild-bench-glance-") as td:
        srv = gub.GlanceServer(gub.ensure_venv(), Path(td))
        srv.start()
        try:
            for i in range(runs):
                res["curl -T (baseline)"].append(gub.run_curl(srv, path))
                res["pybuild glance post-processor"].append(gub.run_pybuild(srv, path))
                print(f"  run {i + 1}/{runs}: curl {res['curl -T (baseline)'][-1][0]:.1f}s, "
                      f"pybuild {res['pybuild glance post-processor'][-1][0]:.1f}s", flush=True)
            small_rss = gub.run_pybuild(srv, small)[1]
        finally:
            srv.stop()
    rows = []
    stats = {}
    for name, rr in res.items():
        st = Stat([s for s, _ in rr])
        rates = Stat([size_mib / s for s, _ in rr])
        stats[name] = (st, rates, max(r for _, r in rr))
        rows.append([name, st.fmt(1, " s"), rates.fmt(0, " MiB/s"), f"{max(r for _, r in rr)} MiB"])
    rows.append(["pybuild, 64 MiB file (RSS reference)", "–", "–", f"{small_rss} MiB"])
    part.tables.append(Table(f"{size_mib:.0f} MiB of random data to a local Glance",
                             ["client", "time", "throughput", "client peak RSS"], rows))
    curl_rate = stats["curl -T (baseline)"][1].median
    pb_rate = stats["pybuild glance post-processor"][1].median
    pb_rss = stats["pybuild glance post-processor"][2]
    ratio = pb_rate / curl_rate
    part.goals.append(Goal("throughput ≥ 90 % of curl -T", ratio >= 0.9,
                           f"{100 * ratio:.0f} % ({pb_rate:.0f} vs {curl_rate:.0f} MiB/s)"
                           + ("" if ratio >= 0.9 else "; the server (md5 + sha512 + format inspection in "
                              "Python, one gunicorn worker) is the bottleneck for both, and pybuild's figure "
                              "also includes record creation, the checksum check and the status poll")))
    flat = pb_rss <= small_rss * 1.25 + 8
    part.goals.append(Goal("client RSS flat (independent of the image size)", flat,
                           f"{pb_rss} MiB for {size_mib:.0f} MiB vs {small_rss} MiB for 64 MiB"))
    part.notes.append("pybuild computes md5 and sha512 of the stream while sending it (one read of the file) "
                      "and compares them with Glance's `checksum` / `os_hash_value`.")
    part.seconds = time.perf_counter() - t0
    part.load.append(load1())
    return part

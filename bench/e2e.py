"""Part 6 — end to end: the shipped Debian 12 cloud template, pybuild vs Packer 1.6.6.

- pybuild: ``templates/debian12-cloud.pkr.hcl`` unchanged (``-var verify=false``; no
  Glance endpoint, so no upload): QEMU (TCG) boots a copy of the base image, the
  provisioners run, the guest powers off, the disk is compacted, then the virt-sysprep
  and virt-sparsify (compress) post-processors.
- Packer 1.6.6: ``bench/templates/debian12-cloud-packer166.pkr.hcl``, the same template
  as far as 1.6.6 allows (cd_files instead of cd_content, accelerator "tcg",
  shell-local post-processors running the same virt-sysprep / virt-sparsify /
  qemu-img commands).

Both start from a fresh copy of the cached base image (copy not timed), interleaved run
by run; the time is the tool process's wall time, split at its first post-processor line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import ROOT, Goal, Part, Stat, Table, load1, now
from bench.orchestration import Trace, _pump, base_image

TEMPLATE = ROOT / "templates" / "debian12-cloud.pkr.hcl"
PACKER_TEMPLATE = ROOT / "bench" / "templates" / "debian12-cloud-packer166.pkr.hcl"
IMAGE = "bench-e2e"
USER_DATA = """#cloud-config
ssh_pwauth: true
ssh_genkeytypes: [ed25519]
users:
  - name: pybuild
    gecos: pybuild temporary build user
    sudo: "ALL=(ALL) NOPASSWD:ALL"
    shell: /bin/sh
    lock_passwd: false
    plain_text_passwd: "pybuild-build"
"""


def _run(tool: str, argv: list[str], work: Path, env: dict[str, str], timeout: float = 3600) -> Trace:
    trace = Trace(tool)
    trace.start = time.time()
    proc = subprocess.Popen(argv, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    pumps = [threading.Thread(target=_pump, args=(proc.stdout, trace, "out"), daemon=True),
             threading.Thread(target=_pump, args=(proc.stderr, trace, "err"), daemon=True)]
    for t in pumps:
        t.start()
    try:
        proc.wait(timeout)
        trace.exit, trace.rc = time.time(), proc.returncode
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait(10)
        for t in pumps:
            t.join(10)
    if trace.rc != 0:
        tail = "\n".join(f"{s}: {x}" for _, s, x in trace.lines[-40:])
        raise RuntimeError(f"{tool} build failed (rc {trace.rc}):\n{tail}")
    return trace


def run_one(tool: str, work: Path, image: Path) -> tuple[float, float, int]:
    """(total s, post-processing s, output bytes)."""
    work.mkdir(parents=True, exist_ok=True)
    base = work / "base.qcow2"
    shutil.copyfile(image, base)
    env = dict(os.environ, PYBUILD_ACCELERATOR="tcg", CHECKPOINT_DISABLE="1", PYTHONUNBUFFERED="1",
               PACKER_CACHE_DIR=str(work / "packer_cache"), PYBUILD_LOG_DIR=str(work / "logs"),
               PYBUILD_FAILURE_DIR=str(work / "failures"))
    if tool == "packer":
        seed = work / "seed"
        seed.mkdir()
        (seed / "meta-data").write_text("instance-id: pybuild-build\nlocal-hostname: debian12-cloud\n")
        (seed / "user-data").write_text(USER_DATA)
        argv = ["packer", "build", f"-var=base_image={base}", f"-var=seed_dir={seed}",
                f"-var=scripts_dir={ROOT / 'scripts'}", f"-var=image_name={IMAGE}", str(PACKER_TEMPLATE)]
    else:
        argv = [sys.executable, "-m", "builder.cli", "build", "-var", f"base_image={base}", "-var", "verify=false",
                "-var", f"image_name={IMAGE}", str(TEMPLATE)]
    tr = _run(tool, argv, work, env)
    assert tr.exit is not None
    pp = next((t for t, s, x in tr.lines if s == "out" and "post-processor" in x.lower()), tr.exit)
    out = work / "output-debian12-cloud" / f"{IMAGE}.qcow2"
    size = out.stat().st_size if out.exists() else 0
    return tr.exit - tr.start, tr.exit - pp, size


def run(runs: int, quick: bool) -> Part:
    part = Part("e2e", "6. End to end: templates/debian12-cloud.pkr.hcl, pybuild vs Packer 1.6.6",
                runs, quick, started=now(), load=[load1()])
    t0 = time.perf_counter()
    image = base_image()
    tools = ["pybuild", "packer"] if shutil.which("packer") else ["pybuild"]
    res: dict[str, list[tuple[float, float, int]]] = {t: [] for t in tools}
    with tempfile.TemporaryDirectory(prefix="pybuild-bench-e2e-", dir="/var/tmp") as td:
        for i in range(runs):
            for tool in tools:
                w = Path(td) / f"{tool}-{i}"
                res[tool].append(run_one(tool, w, image))
                shutil.rmtree(w, ignore_errors=True)
                print(f"  run {i + 1}/{runs} {tool}: {res[tool][-1][0]:.0f} s", flush=True)
    rows = []
    for tool, rr in res.items():
        tot, pp = Stat([r[0] for r in rr]), Stat([r[1] for r in rr])
        rows.append([tool, tot.fmt(0, " s"), Stat([r[0] - r[1] for r in rr]).fmt(0, " s"), pp.fmt(0, " s"),
                     f"{Stat([float(r[2]) for r in rr]).median / 2**20:.0f} MiB"])
    part.tables.append(Table("Whole build, wall clock", ["tool", "total", "build (VM)", "post-processing",
                                                         "image"], rows))
    if "packer" in res:
        p = Stat([r[0] for r in res["pybuild"]]).median
        q = Stat([r[0] for r in res["packer"]]).median
        part.goals.append(Goal("pybuild's total no longer than Packer's", p <= q,
                               f"{p:.0f} s vs {q:.0f} s ({100 * (p - q) / q:+.0f} %)"))
    part.notes += [
        "The guest work (provisioning scripts under TCG, two libguestfs appliance boots) dominates both "
        "totals; the orchestration differences are measured separately in part 1.",
        "pybuild's template also boots the finished image like Nova (`verify`) and uploads to Glance; both "
        "are off here because Packer 1.6.6 has no equivalent.",
    ]
    part.seconds = time.perf_counter() - t0
    part.load.append(load1())
    return part

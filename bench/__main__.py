"""``python -m bench``: run the benchmark parts, print their tables, write RESULTS.md.

    python -m bench                         # every part, full mode (>= 5 runs each)
    python -m bench --quick                 # 1 run each: a smoke test of the whole command
    python -m bench --parts typing,glance   # only these parts; the other parts' stored
                                            # results stay in RESULTS.md

Parts: orchestration (1), typing (2), postprocess (3), glance (4), validate (5), e2e (6),
matrix (8), zerokey (9).
Each part's result is stored as JSON in --results-dir (default bench/results/) and
RESULTS.md is rendered from every stored part (plus <results-dir>/notes.md, if present),
so parts can be re-measured one by one; ``--parts ""`` only re-renders.
"""

from __future__ import annotations

import argparse
import compileall
import importlib
import os
import sys
import time
import traceback
from pathlib import Path

from bench.common import ROOT, Part, machine_info, render_results

PARTS = {
    "orchestration": "bench.orchestration",
    "typing": "bench.typing_bench",
    "postprocess": "bench.postprocess",
    "glance": "bench.glance",
    "keystone": "bench.keystone",
    "validate": "bench.validate",
    "e2e": "bench.e2e",
    "ansible": "bench.ansible",
    "matrix": "bench.matrix",
    "zerokey": "bench.zerokey",
}
ORDER = list(PARTS)
# full-mode run counts (the issue asks for medians of >= 5 runs; typing: 20 runs per setting)
FULL_RUNS = {"typing": 20}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="1 run per figure, smaller inputs")
    ap.add_argument("--runs", type=int, default=0, help="runs per figure (default 5; typing 20; quick 1)")
    ap.add_argument("--parts", default=",".join(ORDER), help=f"comma-separated subset of {','.join(ORDER)}")
    ap.add_argument("--results-dir", type=Path, default=None,
                    help="where each part's JSON goes (default bench/results, quick: bench/results-quick)")
    ap.add_argument("--out", type=Path, default=None,
                    help="the Markdown report (default bench/RESULTS.md, quick: <results-dir>/RESULTS.md)")
    args = ap.parse_args(argv)
    wanted = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = [p for p in wanted if p not in PARTS]
    if unknown:
        ap.error(f"unknown part(s): {', '.join(unknown)} (known: {', '.join(ORDER)})")
    results_dir = args.results_dir or ROOT / "bench" / ("results-quick" if args.quick else "results")
    out = args.out or (results_dir / "RESULTS.md" if args.quick else ROOT / "bench" / "RESULTS.md")
    os.environ["PYBUILD_ACCELERATOR"] = "tcg"  # nested KVM hangs guests on the CI machines
    # measure pybuild as installed (byte-compiled), whatever the shell says: without .pyc files
    # every run compiles ~60 modules first (~0.15 s of its start-up)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(ROOT / "builder", quiet=1)
    os.environ.setdefault("CHECKPOINT_DISABLE", "1")
    failed = []
    for key in wanted:
        runs = args.runs or (1 if args.quick else FULL_RUNS.get(key, 5))
        print(f"\n>>> part {key}: {runs} run(s){' (quick)' if args.quick else ''}", flush=True)
        t0 = time.perf_counter()
        try:
            mod = importlib.import_module(PARTS[key])
            part: Part = mod.run(runs, args.quick)
        except KeyboardInterrupt:
            raise
        except Exception:
            traceback.print_exc()
            failed.append(key)
            print(f"<<< part {key} FAILED after {time.perf_counter() - t0:.0f} s", flush=True)
            continue
        part.save(results_dir)
        print(part.text(), flush=True)
    stored = {p.stem: Part.load_file(p) for p in sorted(results_dir.glob("*.json"))}
    parts = [stored[k] for k in ORDER if k in stored]
    cmd = "python -m bench" + (" --quick" if args.quick else "")
    out.parent.mkdir(parents=True, exist_ok=True)
    notes = results_dir / "notes.md"  # hand-written remarks on a measurement, kept across re-renders
    out.write_text(render_results(parts, machine_info(), cmd, notes.read_text() if notes.exists() else ""))
    print(f"\nwrote {out} ({len(parts)} part(s)); failed: {', '.join(failed) or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

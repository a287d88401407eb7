"""The benchmark command works: its cheapest part (template evaluation) in --quick mode,
through ``python -m bench`` as a user runs it; plus the phase arithmetic of part 1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.orchestration import PHASES, Trace  # noqa: E402


def test_bench_quick_validate_part_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    p = subprocess.run([sys.executable, "-m", "bench", "--quick", "--parts", "validate",
                        "--results-dir", str(tmp_path), "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert "pybuild validate (AST cache warm)" in p.stdout
    text = out.read_text()
    assert "## 5. Template evaluation" in text and "| Python |" in text and "| CPU |" in text
    row = next(line for line in text.splitlines() if line.startswith("| pybuild validate (AST cache warm)"))
    secs = float(re.search(r"\| ([0-9.]+) s", row).group(1))
    assert 0 < secs < 120
    data = json.loads((tmp_path / "validate.json").read_text())
    assert data["quick"] is True and data["runs"] == 1 and len(data["load"]) == 2


def test_bench_rejects_unknown_part(tmp_path: Path) -> None:
    p = subprocess.run([sys.executable, "-m", "bench", "--parts", "nope", "--results-dir", str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "unknown part" in p.stderr


def test_orchestration_phases_from_a_trace() -> None:
    t = Trace("packer", start=100.0, qemu_start=100.3, sshd_up=149.0, login_ok=150.0, qemu_exit=170.0, exit=171.5)
    t.lines = [(101.0, "out", "==> qemu.bench: Waiting 2s for boot..."),
               (103.5, "err", "packer-builder-qemu plugin: Sending char 'p', code 0x70, shift false"),
               (106.9, "err", "packer-builder-qemu plugin: Sending char 'g', code 0x67, shift false"),
               (152.25, "out", "    qemu.bench: BENCH-PROVISIONER-RUNS")]
    ph = t.phases()
    assert abs(ph[PHASES[0]] - 0.3) < 1e-9
    assert abs(ph[PHASES[1]] - 3.9) < 1e-9  # 101 + 2 s boot_wait → last key at 106.9
    assert abs(ph[PHASES[2]] - 2.25) < 1e-9
    assert abs(ph[PHASES[3]] - 1.5) < 1e-9
    assert abs(ph["total"] - 71.5) < 1e-9
    t.login_ok = None
    assert t.phases()[PHASES[2]] is None

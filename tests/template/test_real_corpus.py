"""Real public Packer templates, run the way their repositories run them.

``real/`` holds templates vendored unchanged from public repositories (``real/SOURCES.md``
names each repository, commit and licence) and ``real/invocations.yaml`` lists how each
repository's README or Makefile invokes Packer on them, one line per invocation, with the
outcome pybuild is expected to reach today:

* ``ok``: ``pybuild validate`` and ``pybuild inspect`` both succeed;
* ``waits-on: <component>``: the template needs a component pybuild lacks; validate must
  fail and its message must name that component (``match`` is the regex looked for);
* ``gap: <issue-15 item>``: a known compatibility defect; validate (or inspect) fails and
  the message matches ``match``.  When the defect is fixed the test fails with "now passes",
  so the table is kept true;
* ``rejects: <text>``: the template is wrong for Packer too.

Each invocation runs in a fresh copy of its repository folder, in the subfolder ``dir`` names
(nothing is written into the vendored tree), through ``python3 -m builder.cli``, offline: an invocation marked
``network: true`` needs the network at validate time and is skipped.

``test_packer_differential`` runs Debian's Packer 1.6.6 ``validate`` on the same argv: where
the table says 1.6.6 can read the template (``packer: ok|rejects``) its verdict must be the
table's and agree with pybuild's expectation when that is ``ok``/``rejects``; where the table
says ``unreadable: <why>``, 1.6.6 must fail naming that (most templates declare
``required_plugins``, which came with Packer 1.7).
Without Packer the differential skips, unless CI=true, where it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.tools import require_tool

REAL = Path(__file__).with_name("real")
ROOT = Path(__file__).resolve().parents[2]
# `packer build` flags that validate (and inspect) do not take.
BUILD_ONLY = ("-on-error", "-timestamp-ui", "-force", "-debug", "-parallel-builds", "-color")
SELECTION = ("-only", "-except")


@dataclass(frozen=True)
class Invocation:
    name: str
    dir: str
    argv: list[str]
    expect: str
    match: str = ""
    env: dict[str, str] = field(default_factory=dict)
    network: bool = False
    packer: str = ""
    creates: list[str] = field(default_factory=list)
    note: str = ""
    inspect_fails: str = ""  # regex: `inspect` reads every build (no -only), and an unselected one is broken upstream

    @property
    def kind(self) -> str:
        return self.expect.split(":", 1)[0].strip()

    @property
    def pattern(self) -> str:
        """What the error must say: ``match``, else the text after ``waits-on:``/``rejects:``."""
        if self.match:
            return self.match
        return re.escape(self.expect.split(":", 1)[1].strip())


def load_invocations() -> list[Invocation]:
    with open(REAL / "invocations.yaml", encoding="utf-8") as fh:
        rows = yaml.safe_load(fh)
    invs = [
        Invocation(
            **{
                **row,
                "argv": [str(a) for a in row["argv"]],
                "env": {k: str(v) for k, v in row.get("env", {}).items()},
            }
        )
        for row in rows
    ]
    names = [i.name for i in invs]
    assert len(names) == len(set(names)), "duplicate invocation names"
    return invs


INVOCATIONS = load_invocations()


def _flag(arg: str) -> str:
    return "-" + arg.lstrip("-").split("=", 1)[0]


def drop_flags(argv: list[str], flags: tuple[str, ...]) -> list[str]:
    """argv without the given flags (as -f, --f, -f=v or -f v for the value-taking -only/-except/-on-error)."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg.startswith("-") and _flag(arg) in flags:
            skip = "=" not in arg and _flag(arg) in ("-only", "-except", "-on-error", "-parallel-builds")
            continue
        out.append(arg)
    return out


def validate_argv(inv: Invocation) -> list[str]:
    # the repositories run `packer build`, which executes data sources: so does this validate
    return ["-evaluate-datasources", *drop_flags(inv.argv, BUILD_ONLY)]


def inspect_argv(inv: Invocation) -> list[str]:
    return drop_flags(inv.argv, BUILD_ONLY + SELECTION)


@dataclass(frozen=True)
class Result:
    command: str
    rc: int
    output: str

    def describe(self) -> str:
        tail = self.output.strip()[-1500:]
        return f"`{self.command}` exited {self.rc}:\n{tail}"


def workdir(inv: Invocation, tmp: Path) -> Path:
    top = inv.dir.split("/", 1)[0]  # the whole repository folder: templates reach ../ siblings
    shutil.copytree(REAL / top, tmp / top, symlinks=True)
    dest = tmp / inv.dir
    for made in inv.creates:  # what the repository's Makefile generates before it runs Packer
        (dest / made).parent.mkdir(parents=True, exist_ok=True)
        (dest / made).touch()
    return dest


def run(cmd: list[str], cwd: Path, inv: Invocation, extra_env: dict[str, str]) -> Result:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PKR_VAR_", "PACKER_"))}
    env.update(extra_env)
    env.update(inv.env)
    env.setdefault("CHECKPOINT_DISABLE", "1")
    env["PYBUILD_HOSTCHECK"] = "0"  # the templates' compatibility, not this host's tools (tests/test_hostcheck.py)
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False)
    shown = " ".join(cmd[3:] if cmd[:3] == [sys.executable, "-m", "builder.cli"] else cmd)
    return Result(
        ("pybuild " if cmd[0] == sys.executable else "") + shown, proc.returncode, proc.stdout + proc.stderr
    )


def pybuild(verb: str, argv: list[str], cwd: Path, inv: Invocation) -> Result:
    return run([sys.executable, "-m", "builder.cli", verb, *argv], cwd, inv, {"PYTHONPATH": str(ROOT)})


def outcome(inv: Invocation, tmp: Path) -> tuple[Result, Result]:
    cwd = workdir(inv, tmp)
    return pybuild("validate", validate_argv(inv), cwd, inv), pybuild("inspect", inspect_argv(inv), cwd, inv)


def error_blocks(output: str) -> list[str]:
    """pybuild's diagnostics, one string per ``Error:`` (with the lines that follow it)."""
    return [b for b in re.split(r"^(?=Error: )", output, flags=re.M) if b.startswith("Error: ")]


@pytest.mark.parametrize("inv", INVOCATIONS, ids=[i.name for i in INVOCATIONS])
def test_real_invocation(inv: Invocation, tmp_path: Path) -> None:
    assert inv.kind in ("ok", "waits-on", "gap", "rejects"), f"{inv.name}: unknown expectation {inv.expect!r}"
    assert inv.packer in ("ok", "rejects") or inv.packer.startswith("unreadable:"), (
        f"{inv.name}: packer {inv.packer!r}"
    )
    validate, inspect = outcome(inv, tmp_path)
    where = f"invocation {inv.name} (real/{inv.dir}, expected {inv.expect!r})"
    if inv.kind == "ok" and inv.inspect_fails:
        assert inspect.rc != 0 and re.search(inv.inspect_fails, inspect.output), f"{where}: {inspect.describe()}"
    elif inv.kind == "ok":
        assert inspect.rc == 0, f"{where}: {inspect.describe()}"
    if inv.kind == "ok" and inv.network and validate.rc != 0:
        others = [e for e in error_blocks(validate.output) if "checksum" not in e]
        assert not others, f"{where}: offline, only the checksum fetch may fail: {validate.describe()}"
        return
    if inv.kind == "ok":
        assert validate.rc == 0, f"{where}: {validate.describe()}"
        return
    failed = [r for r in (validate, inspect) if r.rc != 0]
    assert failed, (
        f"{where} now passes validate and inspect: update real/invocations.yaml "
        f"(validate said:\n{validate.output.strip()[-600:]})"
    )
    assert any(re.search(inv.pattern, r.output) for r in failed), (
        f"{where}: the error does not match {inv.pattern!r}: " + "\n".join(r.describe() for r in failed)
    )
    if inv.kind == "rejects":
        assert validate.rc != 0, f"{where}: validate accepted it: {validate.describe()}"


def _packer_or_skip() -> str:
    return require_tool("packer", hint="apt-get install -y packer gives 1.6.6")


@pytest.mark.parametrize("inv", INVOCATIONS, ids=[i.name for i in INVOCATIONS])
def test_packer_differential(inv: Invocation, tmp_path: Path) -> None:
    """Packer 1.6.6's verdict is the table's; where it reads the template it agrees with pybuild."""
    packer = _packer_or_skip()
    if inv.network and inv.packer in ("ok", "rejects"):
        pytest.skip(f"{inv.name}: Packer's validate needs the network")
    cwd = workdir(inv, tmp_path)
    res = run([packer, "validate", *drop_flags(inv.argv, BUILD_ONLY)], cwd, inv, {})
    where = f"invocation {inv.name} (real/{inv.dir}): Packer 1.6.6"
    if inv.packer.startswith("unreadable:"):
        why = inv.packer.split(":", 1)[1].strip()
        assert res.rc != 0 and why in res.output, f"{where} was expected to fail on {why!r}: {res.describe()}"
        return
    verdict = "ok" if res.rc == 0 else "rejects"
    assert verdict == inv.packer, f"{where} {verdict}, the table says {inv.packer!r}: {res.describe()}"
    if inv.kind in ("ok", "rejects"):
        assert inv.kind == verdict, f"{where} {verdict}, pybuild is expected to {inv.kind}"


def test_corpus_size_and_sources() -> None:
    """The corpus keeps its promise: ≥ 40 invocations, every folder named in SOURCES.md."""
    assert len(INVOCATIONS) >= 40
    sources = (REAL / "SOURCES.md").read_text(encoding="utf-8")
    for d in sorted({i.dir for i in INVOCATIONS}):
        assert (REAL / d).is_dir(), d
        top = d.split("/", 1)[0]
        assert f"`{top}/`" in sources, f"real/{top} is not listed in SOURCES.md"


def test_error_blocks() -> None:
    out = "Error: a\n\n  on x line 1:\nError: b checksum\nWarning: c\n"
    assert error_blocks(out) == ["Error: a\n\n  on x line 1:\n", "Error: b checksum\nWarning: c\n"]


def test_drop_flags() -> None:
    argv = [
        "-only=qemu.vm",
        "-on-error=abort",
        "-timestamp-ui",
        "-var",
        "a=b",
        "-except",
        "x",
        "--only=y",
        "t.pkr.hcl",
    ]
    assert drop_flags(argv, BUILD_ONLY) == [
        "-only=qemu.vm",
        "-var",
        "a=b",
        "-except",
        "x",
        "--only=y",
        "t.pkr.hcl",
    ]
    assert drop_flags(argv, BUILD_ONLY + SELECTION) == ["-var", "a=b", "t.pkr.hcl"]

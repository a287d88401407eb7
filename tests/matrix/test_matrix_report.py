"""report.html of a matrix run: what a cell's build left (steps, checks, Glance ids, failure
evidence) read back, the page rendered with untrusted text escaped and secrets masked, trends
from earlier runs; and the page of a real run (a passing null cell, a failing QEMU cell with its
real screenshot) rendered by a real headless chromium with every network fetch bound to fail."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from builder import secrets
from builder.matrix.cell import CellResult
from builder.matrix.details import read_details
from builder.matrix.loader import load_matrix
from builder.matrix.report import write_run
from tests.matrix.conftest import ROOT
from tests.tools import require_module, require_tool

EVIL = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
CANARY = "canary-s3cr3t-value"


def _png(w: int, h: int, color: tuple[int, int, int]) -> bytes:
    image = require_module("PIL.Image", "pip install Pillow")
    buf = io.BytesIO()
    image.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


def _events(path: Path, recs: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in recs) + '{"time": "2026-12-04T10:00:0')  # a cut-off line


def test_details_from_events_and_evidence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fdir = tmp_path / "pybuild-failures" / "qemu.x-1"
    fdir.mkdir(parents=True)
    png = _png(8, 4, (0, 0, 0))
    (fdir / "screenshot.png").write_bytes(png)
    (fdir / "serial.log").write_text("".join(f"line {i}\n" for i in range(100)) + f"password is {CANARY}\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "disk.qcow2").write_bytes(b"x" * 4096)
    t = "2026-12-04T10:00:{:06.3f}+00:00".format
    _events(tmp_path / "events.jsonl", [
        {"time": t(1.0), "event": "step_start", "step": "qemu_run"},
        {"time": t(3.5), "event": "step_end", "step": "qemu_run", "ok": True, "duration": 2.5},
        {"time": t(3.5), "event": "step_start", "step": "connect"},
        {"time": t(4.0), "event": "verify_check", "check": "boots", "ok": True},
        {"time": t(4.5), "event": "verify_check", "check": "cloud-init", "ok": False},
        {"time": t(5.0), "event": "artifact", "files": ["out/disk.qcow2", "out/gone"]},
        {"time": t(6.0), "event": "glance.uploaded", "cloud": "lab", "region": "RegionOne", "image_id": "img-1"},
        {"time": t(9.0), "event": "build_end", "ok": False, "failure_dir": "pybuild-failures/qemu.x-1"},
    ])
    monkeypatch.setenv("PKR_VAR_REPORT_CANARY", CANARY)  # a sensitive value in the worker's environment
    d = read_details(tmp_path, started=datetime.fromisoformat(t(0.0)).timestamp())
    # the open step ("connect", cut off by a time limit) ends at the last event, failed
    assert d.steps == [{"name": "qemu_run", "start": 1.0, "duration": 2.5, "ok": True},
                       {"name": "connect", "start": 3.5, "duration": 5.5, "ok": False}]
    assert d.checks == [{"name": "boots", "ok": True}, {"name": "cloud-init", "ok": False}]
    assert d.images == [{"cloud": "lab", "region": "RegionOne", "image_id": "img-1"}]
    assert d.size == 4096
    assert base64.b64decode(d.screenshot) == png
    tail = d.serial_tail.splitlines()
    assert len(tail) == 30 and tail[0] == "line 71"
    assert CANARY not in d.serial_tail and tail[-1] == "password is <sensitive>"


def _result(name: str, status: str, duration: float, run_id: str = "r", **details: object) -> CellResult:
    return CellResult(name, status, duration=duration, worker="w1@host", host="buildhost", queue="x86_64",
                      error=f"failed: {EVIL}" if status != "ok" else "", run_id=run_id, details=dict(details))


def _matrix(tmp_path: Path, names: list[str]):  # type: ignore[no-untyped-def]
    body = "".join(f'cell "{n}" {{\n  template = "t.pkr.hcl"\n  clouds = ["lab/RegionOne", "lab/RegionTwo"]\n}}\n'
                   for n in names)
    (tmp_path / "t.pkr.hcl").write_text("")
    (tmp_path / "matrix.hcl").write_text(body)
    return load_matrix(str(tmp_path / "matrix.hcl"))


def test_html_escapes_untrusted_text_and_masks_secrets(tmp_path: Path) -> None:
    """A cell name, an error and a serial tail with markup render as text; a registered secret
    is masked in report.html, summary.json and junit.xml alike."""
    name = 'evil"><b>x</b>'
    m = _matrix(tmp_path, ["good", name.replace('"', "'")])
    bad = name.replace('"', "'")
    secrets.add(CANARY)
    good = _result("good", "ok", 10, steps=[{"name": "qemu_run", "start": 0, "duration": 5, "ok": True}],
                   images=[{"cloud": "lab", "region": "RegionOne", "image_id": "id-1"},
                           {"cloud": "lab", "region": "RegionTwo", "image_id": "id-2"}],
                   checks=[{"name": "boots", "ok": True}, {"name": "ssh", "ok": False}], size=3 * 2**20)
    failed = _result(bad, "failed", 3, serial_tail=f"{EVIL}\nthe password {CANARY}",
                     screenshot=base64.b64encode(_png(4, 4, (255, 0, 0))).decode())
    write_run(tmp_path / "runs" / "r", m, "r", [good, failed], "local")
    page = (tmp_path / "runs" / "r" / "report.html").read_text()
    assert "<script" not in page and "<img src=x" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page and "evil&#39;&gt;&lt;b&gt;x&lt;/b&gt;" in page
    for f in ("report.html", "summary.json", "junit.xml"):
        text = (tmp_path / "runs" / "r" / f).read_text()
        assert CANARY not in text, f
    assert "the password &lt;sensitive&gt;" in page
    # one row per cell and region: the good cell's two uploads, the failed one's two planned regions
    rows = re.findall(r'<tr class="cell" data-cell="([^"]*)" data-status="(\w+)" data-region="([^"]*)"', page)
    assert rows == [("good", "ok", "lab/RegionOne"), ("good", "ok", "lab/RegionTwo"),
                    ("evil&#39;&gt;&lt;b&gt;x&lt;/b&gt;", "failed", "lab/RegionOne"),
                    ("evil&#39;&gt;&lt;b&gt;x&lt;/b&gt;", "failed", "lab/RegionTwo")]
    assert "<code>id-1</code>" in page and "<code>id-2</code>" in page and "3.0 MiB" in page
    assert '<span class="pass">✔ boots</span>' in page and '<span class="fail">✘ ssh</span>' in page
    assert page.count('class="screenshot"') == 1 and "data:image/png;base64," in page
    # self-contained: nothing is fetched (every src/href is a data URI, a CSP forbids the rest)
    assert not re.search(r'(?:src|href)="(?!data:)', page)
    assert "default-src 'none'" in page and "@import" not in page and "url(" not in page


def test_trends_from_earlier_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sparklines over the good runs of each cell, this run last; a kept cell of a rerun is not counted twice."""
    # secrets registered by earlier tests of this process would be masked out of the page
    monkeypatch.setattr(secrets, "_secrets", set())
    monkeypatch.setattr(secrets, "_pattern", None)
    m = _matrix(tmp_path, ["a"])
    runs = tmp_path / "runs"
    for i, (dur, size) in enumerate([(100, 1000), (200, 3000), (150, 2000)]):
        write_run(runs / f"2026120{i}", m, f"2026120{i}", [_result("a", "ok", dur, f"2026120{i}", size=size)], "local")
    # a rerun that kept run 2's good cell: the same build, not a fourth point
    write_run(runs / "20261203", m, "20261203", [_result("a", "ok", 150, "20261202", size=2000)], "local")
    write_run(runs / "20261209", m, "20261209", [_result("a", "ok", 50, "20261209", size=4000)], "local")
    page = (runs / "20261209" / "report.html").read_text()
    spark = re.findall(r'aria-label="(duration|image size) of the last (\d) good runs"><title>[^<]*</title>'
                       r'<polyline fill="none" stroke="[^"]+" stroke-width="1.5" points="([^"]+)"', page)
    assert [(k, n) for k, n, _ in spark] == [("duration", "4"), ("image size", "4")] * 2  # two regions
    spark = spark[:2]
    ys = [[float(p.split(",")[1]) for p in pts.split()] for _, _, pts in spark]
    # SVG y grows downwards: the longest run (200 s) is highest, this run (50 s) lowest
    assert ys[0].index(min(ys[0])) == 1 and ys[0].index(max(ys[0])) == 3
    assert ys[1].index(min(ys[1])) == 3 and ys[1].index(max(ys[1])) == 0


QEMU_FAILS = '''
variable "disk" {
  type = string
}
variable "ssh_timeout" {
  type    = string
  default = "3s"
}
source "qemu" "blank" {
  iso_url          = var.disk
  iso_checksum     = "none"
  disk_image       = true
  ssh_username     = "nobody"
  ssh_password     = "nothing"
  ssh_timeout      = var.ssh_timeout
  headless         = true
  memory           = 128
  output_directory = "out"
  format           = "qcow2"
}
build {
  sources = ["source.qemu.blank"]
}
'''


def qemu_failing_template(d: Path) -> Path:
    """A real QEMU build that boots a blank disk (the firmware's "no bootable device" screen) and
    fails at its SSH timeout: a failed cell with a real screenshot in a few seconds."""
    require_tool("qemu-system-x86_64", "qemu-img", hint="dev/setup installs them")
    subprocess.run(["qemu-img", "create", "-f", "qcow2", str(d / "blank.qcow2"), "64M"], check=True,
                   capture_output=True)
    (d / "blank.pkr.hcl").write_text(QEMU_FAILS)
    return d / "blank.pkr.hcl"


def _chromium(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Headless chromium as root, with a proxy nothing listens on: a fetch of anything but a
    file or data URI fails (and would be visible as a missing resource)."""
    exe = require_tool("chromium", hint="dev/setup installs Debian's chromium")
    return subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                           f"--user-data-dir={cwd / 'chromium-profile'}", "--window-size=1400,1400",
                           "--hide-scrollbars", "--virtual-time-budget=5000", *args],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.slow
def test_report_renders_in_chromium_with_the_failed_cells_screenshot(mdir: Path) -> None:
    qemu_failing_template(mdir)
    (mdir / "matrix.hcl").write_text(f'''
cell "good" {{
  template = "null.pkr.hcl"
  clouds   = ["lab/RegionOne"]
}}
cell "broken<i>" {{
  template = "blank.pkr.hcl"
  vars     = {{ disk = "{mdir / 'blank.qcow2'}" }}
}}
''')
    r = subprocess.run([sys.executable, "-m", "builder.cli", "matrix", "run", "--runs-dir", str(mdir / "runs"),
                        "--run-id", "night", "--parallel", "2", str(mdir / "matrix.hcl")],
                       env={**os.environ, "PYTHONPATH": str(ROOT), "PYBUILD_ACCELERATOR": "tcg"},
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stdout + r.stderr
    run = mdir / "runs" / "night"
    cells = {c["name"]: c for c in json.loads((run / "summary.json").read_text())["cells"]}
    assert {n: c["status"] for n, c in cells.items()} == {"good": "ok", "broken<i>": "failed"}
    shot = base64.b64decode(cells["broken<i>"]["details"]["screenshot"])
    assert shot.startswith(b"\x89PNG")
    assert "connect" in [s["name"] for s in cells["broken<i>"]["details"]["steps"] if not s["ok"]]
    assert (run / "junit.xml").exists()

    # the DOM: the rows are there (the cell name as text, not as markup)
    dom = _chromium(["--dump-dom", (run / "report.html").as_uri()], mdir)
    assert dom.returncode == 0, dom.stderr[-2000:]
    rows = re.findall(r'<tr class="cell" data-cell="([^"]*)" data-status="(\w+)"', dom.stdout)
    assert rows == [("good", "ok"), ("broken&lt;i&gt;", "failed")]
    assert "<i>" not in dom.stdout.split("<body>")[1]

    # the screenshot decodes: a copy of the page with a script that writes each image's natural size
    # into the DOM (the report itself allows no script at all)
    probe = run / "probe.html"
    probe.write_text((run / "report.html").read_text().replace("default-src 'none';", "default-src 'none'; "
                     "script-src 'unsafe-inline';").replace("</body>", "<script>for (const i of document.images) "
                     "i.setAttribute('data-natural', i.naturalWidth + 'x' + i.naturalHeight)</script></body>"))
    dom = _chromium(["--dump-dom", probe.as_uri()], mdir)
    image = require_module("PIL.Image", "pip install Pillow")
    w, h = image.open(io.BytesIO(shot)).size
    assert f'data-natural="{w}x{h}"' in dom.stdout, dom.stdout[-3000:]

    # the page as a person sees it: the guest's black screen is on it, at the width the page gives it
    png = mdir / "page.png"
    shotrun = _chromium([f"--screenshot={png}", (run / "report.html").as_uri()], mdir)
    assert png.exists(), shotrun.stderr[-2000:]
    page = image.open(png).convert("RGB")
    black = [(x, y) for y in range(0, page.height, 2) for x in range(0, page.width, 2)
             if page.getpixel((x, y)) == (0, 0, 0)]
    assert black, "no pixel of the screenshot is on the page"
    xs, ys = [x for x, _ in black], [y for _, y in black]
    shown_w = min(480, w)  # the page's max-width for a screenshot
    assert abs((max(xs) - min(xs)) - shown_w) <= 6, (min(xs), max(xs))
    assert abs((max(ys) - min(ys)) - shown_w * h / w) <= 6, (min(ys), max(ys))
    assert "ERR_PROXY_CONNECTION_FAILED" not in shotrun.stderr

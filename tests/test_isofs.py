"""CD (xorriso) and floppy (mkfs.fat + mtools) images, read back with real tools."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pycdlib
import pytest

from builder.errors import BuildError, CommandError
from builder.isofs import CDConfig, FloppyConfig, make_floppy, make_iso

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("xorriso", "mkfs.fat", "mcopy", "mdir", "isoinfo")),
    reason="needs xorriso, dosfstools, mtools, genisoimage (isoinfo)",
)


@pytest.fixture
def src(tmp_path: Path) -> Path:
    d = tmp_path / "src"
    (d / "tree" / "deep").mkdir(parents=True)
    (d / "user-data").write_text("#cloud-config\npassword: pw\n")
    (d / "meta-data").write_text("instance-id: from-file\n")
    (d / "tree" / "a.txt").write_text("A")
    (d / "tree" / "deep" / "b.txt").write_text("B")
    (d / "x1.cfg").write_text("1")
    (d / "x2.cfg").write_text("2")
    os.symlink(d / "x1.cfg", d / "link.cfg")
    return d


def iso_files(iso: Path) -> dict[str, bytes]:
    """Rock Ridge path → content, read with pycdlib."""
    cd = pycdlib.PyCdlib()
    cd.open(str(iso))
    out: dict[str, bytes] = {}
    try:
        for root, _dirs, files in cd.walk(rr_path="/"):
            for f in files:
                path = (root.rstrip("/") + "/" + f) if root != "/" else "/" + f
                buf = io.BytesIO()
                cd.get_file_from_iso_fp(buf, rr_path=path)
                out[path] = buf.getvalue()
    finally:
        cd.close()
    return out


def test_cidata_iso(src: Path, tmp_path: Path) -> None:
    iso = make_iso(
        tmp_path / "out" / "seed.iso",
        files=["user-data", "meta-data", "tree", "x*.cfg", "link.cfg"],
        content={"meta-data": "instance-id: from-content\n", "extra/n.txt": "N"},
        label="cidata",
        base_dir=src,
    )
    assert (iso.stat().st_mode & 0o777) == 0o600
    files = iso_files(iso)
    assert files == {
        "/user-data": b"#cloud-config\npassword: pw\n",
        "/meta-data": b"instance-id: from-content\n",  # content wins over the file
        "/tree/a.txt": b"A",
        "/tree/deep/b.txt": b"B",
        "/x1.cfg": b"1",
        "/x2.cfg": b"2",
        "/link.cfg": b"1",  # symlinks are followed
        "/extra/n.txt": b"N",
    }
    info = subprocess.run(["isoinfo", "-d", "-i", str(iso)], capture_output=True, text=True, check=True)
    assert "Volume id: cidata" in info.stdout
    assert "Joliet" in info.stdout
    # staging directories are cleaned up
    assert sorted(p.name for p in iso.parent.iterdir()) == ["seed.iso"]


def test_iso_directory_with_trailing_slash_goes_to_root(src: Path, tmp_path: Path) -> None:
    iso = make_iso(tmp_path / "c.iso", files=[str(src / "tree") + "/"], label="X")
    assert set(iso_files(iso)) == {"/a.txt", "/deep/b.txt"}


def test_iso_overwrites_existing_output(src: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.iso"
    out.write_bytes(b"old" * 100000)
    make_iso(out, content={"only": "1"}, label="L")
    assert iso_files(out) == {"/only": b"1"}


def test_iso_missing_inputs(src: Path, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="file not found: nope"):
        make_iso(tmp_path / "c.iso", files=["nope"], base_dir=src)
    with pytest.raises(BuildError, match="no files match"):
        make_iso(tmp_path / "c.iso", files=["*.none"], base_dir=src)
    with pytest.raises(BuildError, match=r"'\.\.' is not allowed"):
        make_iso(tmp_path / "c.iso", content={"../escape": "x"})
    assert not (tmp_path / "c.iso").exists()
    assert not (tmp_path / "escape").exists()


def mtools(*args: str) -> str:
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    return subprocess.run(args, capture_output=True, text=True, check=True, env=env).stdout


def test_floppy(src: Path, tmp_path: Path) -> None:
    img = make_floppy(
        tmp_path / "floppy.img",
        files=["user-data", "x*.cfg"],
        dirs=["tree"],
        content={"ks.cfg": "text\n", "x1.cfg": "from content"},
        label="oemdrv",
        base_dir=src,
    )
    assert (img.stat().st_mode & 0o777) == 0o600
    assert img.stat().st_size == 1440 * 1024
    listing = mtools("mdir", "-b", "-/", "-i", str(img), "::/")
    names = {line.strip() for line in listing.splitlines() if line.strip()}
    assert {
        "::/user-data",
        "::/x1.cfg",
        "::/x2.cfg",
        "::/ks.cfg",
        "::/tree/a.txt",
        "::/tree/deep/b.txt",
    } <= names
    assert mtools("mtype", "-i", str(img), "::/x1.cfg") == "from content"
    assert mtools("mtype", "-i", str(img), "::/tree/deep/b.txt") == "B"
    assert "OEMDRV" in mtools("minfo", "-i", str(img), "::")


def test_floppy_default_label_and_empty(tmp_path: Path) -> None:
    img = make_floppy(tmp_path / "f.img")
    assert "PACKER" in mtools("minfo", "-i", str(img), "::")


def test_floppy_too_big(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(2 * 1024 * 1024))
    with pytest.raises(CommandError):
        make_floppy(tmp_path / "f.img", files=[str(big)])
    assert not (tmp_path / "f.img").exists()


def test_config_validation() -> None:
    assert CDConfig(cd_files=[__file__], cd_label="cidata").validate() == []
    # a missing file fails validate, before the ISO download (tests/compat/test_issue15.py)
    assert CDConfig(cd_files=["/nonexistent/a"]).validate() == ["cd_files: file not found: /nonexistent/a"]
    assert any("'..'" in e for e in CDConfig(cd_content={"../x": "y"}).validate())
    assert any("32 characters" in e for e in CDConfig(cd_label="x" * 33).validate())
    assert FloppyConfig(floppy_label="OEMDRV").validate() == []
    assert any("11 characters" in e for e in FloppyConfig(floppy_label="x" * 12).validate())

"""Real builds of the same guest, cleaned two ways (one ``pybuild build``, two sources,
one after the other):

- ``gs``: the guest-sysprep provisioner and a discarding build disk. The output passes
  verify's offline ``clean`` check without virt-sysprep, what virt-sysprep would remove
  is gone, and the output is no bigger than the virt-sparsify path's (virt-sparsify
  --in-place + qemu-img convert -c of the same disk).
- ``plain``: the same provisioning, copied as built (``dirty.qcow2``), then the chain
  ``virt-sysprep`` (default operations) + ``virt-sparsify compress = true``, which pybuild
  runs in ONE appliance boot: clean by verify, and its trim freed the deleted data.

Then the offline diff: every file virt-sysprep removed from the dirty guest must be gone
from the guest-sysprep'ed one too (the deliberate exceptions are listed with a reason).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_util import Run, pybuild_env, qemu_running, run_pybuild

from builder import run

pytestmark = pytest.mark.slow
TEMPLATE = Path(__file__).with_name("guest_sysprep.pkr.hcl")

# one appliance boot for all the extra facts; a section per fact
GUESTFISH = """\
echo @TMP
ls /tmp
ls /var/tmp
echo @LOG
filesize /var/log/pybuild-build.log
echo @DEBS
glob-expand /var/cache/apt/archives/*.deb
echo @SSHDIR
is-dir /home/debian/.ssh
echo @MACHINEID
filesize /etc/machine-id
echo @KEPT
filesize /var/lib/pybuild-kept
echo @PASSWDBAK
glob-expand /etc/*-
echo @END
"""


def facts(image: Path) -> dict[str, list[str]]:
    res = run.run(["guestfish", "--ro", "-a", str(image), "-i"], input=GUESTFISH.encode(),
                  env=run.libguestfs_env(), timeout=900)
    out: dict[str, list[str]] = {}
    cur = ""
    for line in res.stdout.splitlines():
        if line.startswith("@"):
            cur = line[1:]
            out[cur] = []
        elif line.strip():
            out[cur].append(line.strip())
    assert "END" in out, res.stdout + res.stderr
    return out


@pytest.fixture(scope="module")
def built(debian_base_image: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    tmp = tmp_path_factory.mktemp("guest-sysprep")
    base = tmp / "base.qcow2"
    shutil.copyfile(debian_base_image, base)
    r = run_pybuild(["build", "-parallel-builds=1", "-var", f"base_image={base}", str(TEMPLATE)], tmp / "w",
                    timeout=3600)
    assert r.rc == 0, r.out[-6000:]
    yield r


def verify_clean(image: Path, tmp_path: Path) -> None:
    v = subprocess.run([sys.executable, "-m", "builder.cli", "verify", "--expect", "format,clean", str(image)],
                       env=pybuild_env(tmp_path), capture_output=True, text=True, timeout=900)
    assert v.returncode == 0, v.stdout[-3000:] + v.stderr[-3000:]
    assert "pass clean" in v.stdout + v.stderr


def test_guest_sysprep_build_is_clean_and_compact(built: Run, tmp_path: Path):
    r = built
    assert "Creating overlay packer-gs" in r.out  # disk_image without a copy
    for op in ("ssh-hostkeys", "machine-id", "logfiles", "cloud-init", "fstrim"):
        assert f"==> {op}" in r.out, op
    assert "==> guest-sysprep done" in r.out and "failed:" not in r.out
    image = r.workdir / "output-gs" / "packer-gs"
    info = run.run(["qemu-img", "info", "--output=json", str(image)]).stdout
    assert '"backing-filename"' not in info  # the final convert flattened the overlay
    assert not qemu_running(r.workdir)

    # verify's offline clean check, with no virt-sysprep anywhere
    verify_clean(image, tmp_path)

    f = facts(image)
    assert f["TMP"] == [], f["TMP"]
    assert f["LOG"] == ["0"]
    assert f["DEBS"] == []
    assert f["SSHDIR"] == ["false"]
    assert f["MACHINEID"] == ["0"]
    assert f["KEPT"] == [str(16 * 2**20)]  # the guest's own data stays
    assert f["PASSWDBAK"] == [], f["PASSWDBAK"]

    # the virt-sparsify path on the same disk: nothing left for it to free
    sp = tmp_path / "sparsify.qcow2"
    shutil.copyfile(image, sp)
    run.run(["virt-sparsify", "--in-place", str(sp)], env=run.libguestfs_env(), timeout=1800)
    conv = tmp_path / "sparsify-c.qcow2"
    run.run(["qemu-img", "convert", "-c", "-O", "qcow2", str(sp), str(conv)], timeout=1800)
    ours, theirs = image.stat().st_size, conv.stat().st_size
    print(f"guest-sysprep + fstrim + convert -c: {ours / 2**20:.1f} MiB; "
          f"+ virt-sparsify --in-place + convert -c: {theirs / 2**20:.1f} MiB")
    # 64 MiB of deleted random data would be here if the trims had not left the qcow2
    assert ours <= theirs + 2**20


def test_sysprep_then_sparsify_is_one_appliance_boot(built: Run, tmp_path: Path):
    r = built
    plain = r.workdir / "output-plain" / "packer-plain"
    assert "virt-sysprep and virt-sparsify share one run" in r.out
    assert "and trimming its filesystems for virt-sparsify (one appliance boot)" in r.out
    assert "already discarded in virt-sysprep's appliance boot" in r.out
    assert "virt-sparsify --in-place" not in r.out  # no second boot
    starts = [e["post_processor"] for e in r.events if e.get("event") == "post_processor_start"]
    assert starts == ["shell-local", "virt-sysprep", "virt-sparsify"]  # both still run, in order
    info = run.run(["qemu-img", "info", "--output=json", str(plain)]).stdout
    assert '"compressed": true' in info or '"compression-type"' in info
    verify_clean(plain, tmp_path)
    # the trim in virt-sysprep's appliance freed the 64 MiB of deleted random data: the dirty
    # disk, compressed as it is, keeps it; the chain's output is as small as guest-sysprep's
    dirty_c = tmp_path / "dirty-c.qcow2"
    run.run(["qemu-img", "convert", "-c", "-O", "qcow2", "-o", "compression_type=zstd",
             str(r.workdir / "dirty.qcow2"), str(dirty_c)], timeout=1800)
    ours, dirty, gs = (p.stat().st_size for p in (plain, dirty_c, r.workdir / "output-gs" / "packer-gs"))
    print(f"one-boot chain: {ours / 2**20:.1f} MiB; dirty, compressed: {dirty / 2**20:.1f} MiB; "
          f"guest-sysprep: {gs / 2**20:.1f} MiB")
    assert ours < dirty - 48 * 2**20
    assert ours <= gs + 4 * 2**20


# What virt-sysprep removes that the guest-sysprep'ed image may still hold, and why. Paths
# are normalized (machine-ids and journal sequence ids become <id>): the two builds are
# two boots of the same base image, with their own machine-ids.
ALLOWED_LEFT: dict[str, str] = {
    "/var/log/wtmp": "emptied, then the shutdown's own record is written to it",
    "/var/lib/dhcp/dhclient.ens3.leases": "dhclient releases its lease at shutdown and writes the file again",
}
# guest-sysprep truncates open log files (daemons hold them) instead of unlinking them:
# such a file may be left, empty
EMPTY_LEFT_UNDER = ("/var/log/",)

# run by guestfish's `debug sh` in the appliance, which loses quotes: one word per argument
LIST = ("cd /sysroot/{mp} && find ./etc ./root ./home ./var ./tmp ./srv -xdev "
        "-exec stat -c %F:%s:%n {{}} + 2>/dev/null; echo @END-{mp}")


def _normalize(path: str) -> str:
    return re.sub(r"[0-9a-f]{16,}", "<id>", path)


def listing(images: dict[str, Path]) -> dict[str, dict[str, tuple[str, int]]]:
    """``{name: {normalized path: (type, size)}}`` for each image's root filesystem, all
    in one appliance boot (the images come from the same base: root is partition 1)."""
    script = [f"add {p} readonly:true format:qcow2" for p in images.values()] + ["run"]
    script += [f"mkmountpoint /{name}" for name in images]
    script += [f"mount-ro /dev/sd{chr(ord('a') + i)}1 /{name}" for i, name in enumerate(images)]
    script += [f'debug sh "{LIST.format(mp=name)}"' for name in images]
    res = run.run(["guestfish"], input="\n".join(script).encode() + b"\n", env=run.libguestfs_env(), timeout=900)
    out: dict[str, dict[str, tuple[str, int]]] = {n: {} for n in images}
    cur = iter(images)
    name = next(cur)
    for line in res.stdout.splitlines():
        if line.startswith("@END-"):
            assert line == f"@END-{name}"
            name = next(cur, "")
            continue
        kind, size, path = line.split(":", 2)
        out[name][_normalize(path[1:])] = (kind, int(size))
    assert all(out.values()), res.stderr[-2000:]
    return out


def test_guest_sysprep_leaves_nothing_virt_sysprep_removes(built: Run):
    """Offline diff: dirty guest - virt-sysprep'ed guest = what virt-sysprep removes; none
    of it may be in the guest-sysprep'ed guest (built from the same base and provisioning)."""
    w = built.workdir
    ls = listing({"dirty": w / "dirty.qcow2", "vsp": w / "output-plain" / "packer-plain",
                  "gs": w / "output-gs" / "packer-gs"})
    removed = set(ls["dirty"]) - set(ls["vsp"])
    # what the build left that virt-sysprep's default operations remove (the test must see some)
    for must in ("/root/.bash_history", "/var/log/pybuild-build.log", "/var/cache/apt/archives/fake_1.0_all.deb"):
        assert must in removed, must
    assert any(p.startswith("/etc/ssh/ssh_host_") for p in removed)
    left = {}
    for path in sorted(removed & set(ls["gs"])):
        kind, size = ls["gs"][path]
        if path in ALLOWED_LEFT:
            continue
        if kind == "regular empty file" and path.startswith(EMPTY_LEFT_UNDER):
            continue
        left[path] = (kind, size)
    print(f"virt-sysprep removed {len(removed)} paths; guest-sysprep left {len(left)} of them")
    assert not left, left

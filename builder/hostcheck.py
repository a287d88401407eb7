"""What the build host must have, checked before a build spends any time.

Components declare what they need with :meth:`builder.plugins.Component.host_requirements`,
a list of :class:`Requirement` records (a tool on PATH, a file, a kernel for the
libguestfs appliance, UEFI firmware, KVM, free disk space, root). :func:`check` turns
them into :class:`Finding` rows; ``pybuild validate``/``build`` stop with one line per
missing thing (and the ``apt-get``/``dnf`` command that installs it) before any
download or VM, and ``pybuild doctor`` prints every row.

Requirement kinds (plugins may use any of them)::

    Tool("mmdebstrap", apt="mmdebstrap", dnf="mmdebstrap")   a command on PATH
    HostFile("/usr/lib/syslinux/mbr/mbr.bin", apt=..., dnf=...)
    ApplianceKernel()        a kernel supermin can build the libguestfs appliance from
    UefiFirmware(machine_type, code, vars)
    Kvm(required)            /dev/kvm opens read-write (else a TCG warning, or an error)
    FreeSpace(directory, size)
    RootUser()

:class:`Host` is where the checks look: ``PATH`` for tools and a root directory for
``/boot``, ``/lib/modules``, ``/dev/kvm`` and the firmware descriptors.
``PYBUILD_HOST_ROOT`` moves that root (tests use it to play a host without a kernel);
``PYBUILD_HOSTCHECK=0`` skips the check before builds. The libguestfs overrides
``SUPERMIN_KERNEL`` and ``LIBGUESTFS_PATH`` (a fixed appliance) are respected.

:func:`guestfs_failure` turns a failed virt-*/guestfish run into one line: what
failed, the likely cause, the fix and where the full output is.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

OK, MISSING, WARNING = "ok", "missing", "warning"


# --------------------------------------------------------------------------- the host


@dataclass(frozen=True)
class Host:
    """Where checks look: ``path`` (PATH) for tools, ``root`` for host files."""

    root: Path = Path("/")
    path: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def current(cls, env: Mapping[str, str] | None = None) -> Host:
        env = dict(os.environ if env is None else env)
        return cls(Path(env.get("PYBUILD_HOST_ROOT") or "/"), env.get("PATH", os.defpath), env)

    def file(self, path: str | os.PathLike[str]) -> Path:
        """``path`` (absolute, as on a normal host) under this host's root."""
        return self.root / os.fspath(path).lstrip("/")

    def which(self, tool: str) -> str | None:
        if "/" in tool:  # a path (qemu_binary = "/usr/libexec/qemu-kvm")
            return tool if os.path.isfile(tool) and os.access(tool, os.X_OK) else None
        return shutil.which(tool, path=self.path)


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """The result of one check. ``fix`` is the full advice ("apt-get install x | dnf install y")."""

    status: str  # ok | missing | warning
    name: str
    detail: str = ""
    fix: str = ""
    needed_by: tuple[str, ...] = ()

    def line(self) -> str:
        """One line: status, what, why, who needs it, how to fix it."""
        return f"{self.status}: {self.text()}"

    def text(self) -> str:
        parts = [self.name]
        if self.detail:
            parts.append(f" ({self.detail})")
        if self.needed_by:
            parts.append(f", needed by {', '.join(self.needed_by)}")
        if self.fix:
            parts.append(f" — fix: {self.fix}")
        return "".join(parts)


def install_fix(apt: str, dnf: str) -> str:
    cmds = []
    if apt:
        cmds.append(f"apt-get install {apt}")
    if dnf:
        cmds.append(f"dnf install {dnf}")
    return " | ".join(cmds)


# --------------------------------------------------------------------------- requirements


@dataclass(frozen=True)
class Requirement:
    """Something a component needs on the build host. Subclasses implement :meth:`check`."""

    name: str
    apt: str = ""  # Debian/Ubuntu package(s) that provide it
    dnf: str = ""  # RHEL/Fedora package(s)
    # the component option that needs it (``vtpm``): the host check names the option's
    # place in the template; not part of what is checked (one finding per requirement)
    option: str = field(default="", compare=False)

    @property
    def fix(self) -> str:
        return install_fix(self.apt, self.dnf)

    def check(self, host: Host) -> Finding:
        raise NotImplementedError

    def version(self, host: Host) -> str:
        """A cheap version string for ``pybuild doctor`` ("" when there is none)."""
        return ""

    def _ok(self, detail: str = "") -> Finding:
        return Finding(OK, self.name, detail)

    def _missing(self, detail: str = "", fix: str | None = None) -> Finding:
        return Finding(MISSING, self.name, detail, self.fix if fix is None else fix)


@dataclass(frozen=True)
class Tool(Requirement):
    """A command on PATH (or an absolute path). ``version_args`` = how doctor asks its version."""

    version_args: tuple[str, ...] = ("--version",)

    def check(self, host: Host) -> Finding:
        found = host.which(self.name)
        return self._ok(found) if found else self._missing("not on PATH" if "/" not in self.name else "not found")

    def version(self, host: Host) -> str:
        found = host.which(self.name)
        if not found or not self.version_args:
            return ""
        from builder.run import run

        try:
            res = run([found, *self.version_args], check=False, timeout=5, cancel=None)
        except Exception:  # a version is decoration; never fail doctor for it
            return ""
        text = (res.stdout.strip() or res.stderr.strip()).splitlines()
        return text[0].strip()[:80] if text else ""


@dataclass(frozen=True)
class HostFile(Requirement):
    """A file that must exist on the host (``name`` is its absolute path)."""

    def check(self, host: Host) -> Finding:
        return self._ok() if host.file(self.name).is_file() else self._missing("no such file")


@dataclass(frozen=True)
class RootUser(Requirement):
    name: str = "root user"

    def check(self, host: Host) -> Finding:
        if os.geteuid() == 0:
            return self._ok()
        return self._missing(f"running as uid {os.geteuid()}", fix="run pybuild as root (sudo)")


@dataclass(frozen=True)
class Kvm(Requirement):
    """/dev/kvm usable. ``required``: the template asks for kvm explicitly (error, not warning)."""

    name: str = "/dev/kvm"
    required: bool = False

    def check(self, host: Host) -> Finding:
        dev = host.file("/dev/kvm")
        try:
            fd = os.open(dev, os.O_RDWR)
        except OSError as e:
            why = "does not exist" if isinstance(e, FileNotFoundError) else f"cannot be opened ({e.strerror})"
            fix = ("enable virtualization (modprobe kvm_intel or kvm_amd) and give this user the kvm group, "
                   "or set PYBUILD_ACCELERATOR=tcg")
            if self.required:
                return Finding(MISSING, self.name, f"{why}; the template sets accelerator = \"kvm\"", fix)
            return Finding(WARNING, self.name, f"{why}: QEMU runs with TCG, many times slower", fix)
        os.close(fd)
        return self._ok("usable")


@dataclass(frozen=True)
class FreeSpace(Requirement):
    """``size`` bytes free in the filesystem that will hold ``directory``."""

    name: str = "free disk space"
    directory: str = "."
    size: int = 0

    def check(self, host: Host) -> Finding:
        d = Path(self.directory).absolute()
        while not d.exists() and d != d.parent:
            d = d.parent
        st = os.statvfs(d)
        free = st.f_bavail * st.f_frsize
        detail = f"{_gib(free)} free in {d}, the disks may grow to {_gib(self.size)}"
        name = f"free disk space for {self.directory}"
        if free >= self.size:
            return Finding(OK, name, detail)
        return Finding(MISSING, name, detail,
                       "free some space, choose another output_directory or a smaller disk_size")


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def _deb_arch() -> str:
    m = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64", "ppc64le": "ppc64el"}.get(m, m)


@dataclass(frozen=True)
class ApplianceKernel(Requirement):
    """A kernel supermin can build the libguestfs appliance from (what virt-* and guestfish
    boot). Looked for as supermin 5 does: ``SUPERMIN_KERNEL``, ``/lib/modules/*/vmlinuz``,
    ``/boot/vmlinuz-*`` (readable, with its ``/lib/modules/VERSION``); a fixed appliance in
    ``LIBGUESTFS_PATH`` needs none."""

    name: str = "kernel for the libguestfs appliance"

    @property
    def fix(self) -> str:
        return ("apt-get install linux-image-cloud-amd64 (Ubuntu: linux-image-generic)"
                if _deb_arch() == "amd64" else f"apt-get install linux-image-{_deb_arch()}") + \
            " | dnf install kernel-core"

    def check(self, host: Host) -> Finding:
        fixed = host.env.get("LIBGUESTFS_PATH", "")
        if fixed and any((Path(p) / "README.fixed").is_file() for p in fixed.split(":") if p):
            return self._ok(f"fixed appliance in LIBGUESTFS_PATH={fixed}")
        env_kernel = host.env.get("SUPERMIN_KERNEL", "")
        if env_kernel and os.access(env_kernel, os.R_OK):
            return self._ok(f"SUPERMIN_KERNEL={env_kernel}")
        modules = host.file("/lib/modules")
        for k in sorted(modules.glob("*/vmlinuz")):
            if os.access(k, os.R_OK):
                return self._ok(str(k))
        unreadable: list[str] = []
        no_modules: list[str] = []
        for k in sorted(host.file("/boot").glob("vmlinuz-*"), reverse=True):
            version = k.name.removeprefix("vmlinuz-")
            if not os.access(k, os.R_OK):
                unreadable.append(str(k))
            elif not (modules / version).is_dir():
                no_modules.append(version)
            else:
                return self._ok(str(k))
        if unreadable:
            return self._missing(f"{unreadable[0]} is not readable by this user (supermin needs to read it)",
                                 fix=f"chmod 0644 {host.file('/boot')}/vmlinuz-*")
        if no_modules:
            return self._missing(f"/boot/vmlinuz-{no_modules[0]} has no /lib/modules/{no_modules[0]}")
        return self._missing(f"no vmlinuz-* in {host.file('/boot')}: supermin fails with "
                             "\"failed to find a suitable kernel\"")


@dataclass(frozen=True)
class UefiFirmware(Requirement):
    """OVMF/AAVMF for ``efi_boot``: the configured files, or one found in QEMU's descriptors."""

    name: str = "UEFI firmware (OVMF)"
    apt: str = "ovmf"
    dnf: str = "edk2-ovmf"
    machine_type: str = "pc"
    code: str = ""
    vars: str = ""

    def check(self, host: Host) -> Finding:
        from builder.qemu.firmware import DESCRIPTOR_DIRS, find_uefi

        given = [p for p in (self.code, self.vars) if p]
        absent = [p for p in given if not Path(p).is_file()]
        if absent:
            return self._missing(f"{absent[0]} does not exist")
        if len(given) == 2:
            return self._ok(self.code)
        fw = find_uefi(self.machine_type, dirs=tuple(str(host.file(d)) for d in DESCRIPTOR_DIRS))
        if fw is None:
            return self._missing("no UEFI firmware in QEMU's firmware descriptors")
        return self._ok(fw.code)


# --------------------------------------------------------------------------- the common ones

QEMU_IMG = Tool("qemu-img", apt="qemu-utils", dnf="qemu-img")
XORRISO = Tool("xorriso", apt="xorriso", dnf="xorriso", version_args=("-version",))
GUESTFISH = Tool("guestfish", apt="libguestfs-tools", dnf="guestfish")
MTOOLS = Tool("mcopy", apt="mtools", dnf="mtools")
FLOPPY_TOOLS = (Tool("mkfs.fat", apt="dosfstools", dnf="dosfstools", version_args=()), MTOOLS)

_QEMU_DEB = {"x86_64": "x86", "i386": "x86", "aarch64": "arm", "arm": "arm", "ppc64": "ppc", "ppc": "ppc",
             "s390x": "s390x", "mips": "mips", "mipsel": "mips", "mips64": "mips", "mips64el": "mips",
             "sparc": "sparc", "sparc64": "sparc"}


def qemu_system(binary: str) -> Tool:
    """The QEMU emulator ``binary`` (e.g. qemu-system-aarch64) and the packages that ship it."""
    m = re.search(r"qemu-system-([a-z0-9_]+)$", binary)
    arch = m.group(1) if m else platform.machine()
    deb = f"qemu-system-{_QEMU_DEB.get(arch, 'misc')}"
    rpm = "qemu-kvm" if binary.endswith("qemu-kvm") else f"qemu-system-{_QEMU_DEB.get(arch, arch)}"
    return Tool(binary, apt=deb, dnf=rpm)


def libguestfs(tool: str) -> list[Requirement]:
    """A virt-* tool plus the kernel its appliance boots."""
    return [Tool(tool, apt="libguestfs-tools", dnf="guestfs-tools"), ApplianceKernel()]


# --------------------------------------------------------------------------- checking


@dataclass
class Report:
    findings: list[Finding]

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status == MISSING]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.status == WARNING]

    @property
    def ok(self) -> bool:
        return not self.problems

    def table(self) -> str:
        w = max((len(f.name) for f in self.findings), default=0)
        out = []
        for f in self.findings:
            line = f"{f.status:<8} {f.name:<{w}}  {f.detail}"
            if f.needed_by:
                line += f"  [{', '.join(f.needed_by)}]"
            if f.fix and f.status != OK:
                line += f"\n{'':<{w + 11}}fix: {f.fix}"
            out.append(line.rstrip())
        return "\n".join(out)

    def fix_all(self) -> str:
        """One command per package manager for every missing package."""
        apt: list[str] = []
        dnf: list[str] = []
        for f in self.problems:
            for cmd in f.fix.split(" | "):
                for prefix, sink in (("apt-get install ", apt), ("dnf install ", dnf)):
                    if cmd.startswith(prefix):
                        for pkg in cmd.removeprefix(prefix).split(" (")[0].split():
                            if pkg not in sink:
                                sink.append(pkg)
        return install_fix(" ".join(apt), " ".join(dnf))


def check(needs: Iterable[tuple[str, Requirement]], host: Host | None = None, versions: bool = False) -> Report:
    """Check each requirement once (``needs`` = (who needs it, requirement) pairs)."""
    host = host or Host.current()
    users: dict[Requirement, list[str]] = {}
    for who, req in needs:
        lst = users.setdefault(req, [])
        if who and who not in lst:
            lst.append(who)

    def one(req: Requirement) -> Finding:
        f = req.check(host)
        if versions and f.status == OK:
            v = req.version(host)
            if v:
                f = Finding(f.status, f.name, v if not f.detail else f"{v}, {f.detail}", f.fix)
        return Finding(f.status, f.name, f.detail, f.fix, tuple(users[req]))

    reqs = list(users)
    if versions:
        with ThreadPoolExecutor(max_workers=8) as pool:
            findings = list(pool.map(one, reqs))
    else:
        findings = [one(r) for r in reqs]
    return Report(findings)


def require(needs: Iterable[tuple[str, Requirement]], host: Host | None = None) -> Report:
    """Check ``needs``; print warnings to stderr; raise one HostError (exit 2, a line per
    problem) when something is missing. ``PYBUILD_HOSTCHECK=0`` skips the check."""
    import sys

    from builder.errors import HostError

    if os.environ.get("PYBUILD_HOSTCHECK", "1") == "0":
        return Report([])
    report = check(needs, host)
    for w in report.warnings:
        print(f"Warning: {w.text()}", file=sys.stderr)
    if not report.ok:
        raise HostError(report)
    return report


# --------------------------------------------------------------------------- libguestfs failures

_GUESTFS_CAUSES: tuple[tuple[str, str, str], ...] = (
    # (regex on the tool's stderr, likely cause, fix)
    (r"failed to find a suitable kernel|supermin exited with error|supermin.*kernel",
     "supermin could not build the libguestfs appliance: no usable kernel in /boot",
     f"{ApplianceKernel().fix}, or make /boot/vmlinuz-* readable"),
    (r"invalid backend", "LIBGUESTFS_BACKEND names no libguestfs backend",
     "unset LIBGUESTFS_BACKEND or set it to direct"),
    (r"/dev/kvm|kvm.*(permission|denied|fail)|could not access KVM",
     "the appliance could not use KVM", "run with LIBGUESTFS_BACKEND_SETTINGS=force_tcg (or PYBUILD_ACCELERATOR=tcg)"),
    (r"No space left on device", "the temporary directory is full",
     "free space in /var/tmp and /tmp, or set tmp_dir"),
    (r"no operating systems? (were|was) found|inspection could not detect",
     "libguestfs found no operating system on the disk", "check that the build produced a bootable disk"),
    (r"Permission denied", "a file could not be opened (permissions)", "run as root or fix the disk's permissions"),
    (r"guestfs_launch failed|appliance (failed to start|crashed)",
     "the libguestfs appliance did not start (often KVM: nested or unusable /dev/kvm)",
     "retry with LIBGUESTFS_BACKEND_SETTINGS=force_tcg; libguestfs-test-tool shows why"),
)


def guestfs_failure(tool: str, stderr: str, returncode: int = 1, log_hint: str = "") -> str:
    """One line for a failed libguestfs tool: what failed, the likely cause, the fix, where
    the full output is (``log_hint``) and how to get libguestfs' own trace."""
    match = next(((c, f) for p, c, f in _GUESTFS_CAUSES if re.search(p, stderr, re.IGNORECASE)), None)
    if match:
        cause, fix = match
    else:
        errors = [ln.strip() for ln in stderr.splitlines() if "error" in ln.lower()]
        last = errors[-1] if errors else (stderr.strip().splitlines() or [f"exit code {returncode}"])[-1]
        cause = re.sub(r"^\S+: error: (libguestfs error: )?", "", last).strip()
        fix = ""
    where = f"full output: {log_hint}; " if log_hint else ""
    return (f"{tool} failed (exit {returncode}): {cause}" + (f" — fix: {fix}" if fix else "") +
            f" ({where}libguestfs trace: rerun with LIBGUESTFS_DEBUG=1 LIBGUESTFS_TRACE=1)")


__all__ = [
    "ApplianceKernel", "Finding", "FreeSpace", "Host", "HostFile", "Kvm", "Report", "Requirement", "RootUser",
    "Tool", "UefiFirmware", "check", "guestfs_failure", "libguestfs", "qemu_system", "require",
]

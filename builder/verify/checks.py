"""The checks of ``pybuild verify``; each one passes or fails with evidence.

Offline (before boot, on the image itself): ``format``, ``clean``.
Booted like Nova (config drive with uuid, hostname, admin_pass, public key):
``console``, ``ssh_key``, ``hostname``, ``admin_pass``, ``growpart``, ``qga_ping``,
``set_password``; optional ``root_login`` (sshd's ``PermitRootLogin yes``, the CentOS 7 recipe).
"""

from __future__ import annotations

import json
import os
import re
import secrets as pysecrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from builder import run, secrets
from builder.cancel import TOKEN, CancelToken
from builder.communicator.keys import generate_keypair
from builder.communicator.ssh import connect
from builder.errors import Cancelled, PybuildError
from builder.hostcheck import guestfs_failure
from builder.ui import BuildUI
from builder.verify.vm import VM, Instance, image_info

# name -> (what it proves, required by default)
CHECKS: dict[str, tuple[str, bool]] = {
    "format": ("qcow2, compressed, virtual size", True),
    "clean": ("no SSH host keys, machine-id, persistent-net rules, shell history or cloud-init instance data", True),
    "console": ("nova console-log shows the kernel and a login prompt", True),
    "ssh_key": ("SSH key login for the image's user (public_keys from metadata)", True),
    "hostname": ("hostname set from metadata", True),
    "admin_pass": ("nova boot --admin-pass: root logs in with admin_pass", True),
    "growpart": ("root filesystem grown to the flavor disk", True),
    "qga_ping": ("qemu-guest-agent answers guest-ping", True),
    "set_password": ("nova set-password: guest-set-user-password, then the new password logs in", True),
    "root_login": ("sshd allows root login (PermitRootLogin yes)", False),
}


@dataclass
class CheckResult:
    name: str
    ok: bool
    evidence: str
    required: bool = True
    seconds: float = 0.0


@dataclass
class VerifyOptions:
    disk_size: int = 0  # bytes; 0 = 2x the image's virtual size
    datasource: str = "configdrive"  # or "nocloud"
    user: str = "debian"
    expect: list[str] = field(default_factory=list)  # required checks; empty = defaults
    boot_timeout: float = 900.0  # seconds until SSH answers: TCG boots on a loaded host are slow
    memory: int = 1024
    evidence_dir: Path | None = None
    build_machine_id: str = ""  # the build VM's, when known: the instance must not have it
    workdir: Path | None = None  # parent of the VM's temporary directory (default: the system's)


@dataclass
class VerifyReport:
    image: str
    results: list[CheckResult]
    started: str
    seconds: float
    evidence_dir: str = ""
    glance_image_id: str = ""  # pybuild verify glance://...: the image Glance gave
    source: str = ""  # the glance:// URL it was fetched by

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results if r.required)

    def failed(self) -> list[str]:
        return [r.name for r in self.results if r.required and not r.ok]

    def to_json(self) -> str:
        d = asdict(self)
        d["ok"] = self.ok
        return json.dumps(secrets.mask_obj(d), indent=2)

    def table(self) -> str:
        w = max(len(r.name) for r in self.results)
        lines = [f"{'CHECK':<{w}}  RESULT    EVIDENCE"]
        for r in self.results:
            res = "pass" if r.ok else ("FAIL" if r.required else "fail (optional)")
            ev = r.evidence.splitlines()[0] if r.evidence else ""
            lines.append(f"{r.name:<{w}}  {res:<8}  {ev}")
        lines.append(f"{'verdict':<{w}}  {'PASS' if self.ok else 'FAIL'}  ({self.seconds:.0f}s)")
        return secrets.mask("\n".join(lines))


# the root filesystem must reach this share of the flavor disk (ext4 metadata, the
# partition table and the reserved 1 MiB at the start take the rest)
GROW_MIN = 0.85


def check_format(image: Path) -> tuple[bool, str]:
    info = image_info(image)
    fmt = info.get("format")
    vsize = int(info.get("virtual-size", 0))
    compressed = 0
    errors = ""
    if fmt == "qcow2":
        compressed, errors = _compressed_clusters(image)
    ok = fmt == "qcow2" and compressed > 0 and not info.get("backing-filename") and not errors
    ev = (f"format={fmt} compressed_clusters={compressed} virtual_size={vsize / 2**30:.2f}GiB "
          f"file={int(info.get('actual-size', 0)) / 2**20:.0f}MiB"
          + (f" backing={info['backing-filename']}" if info.get("backing-filename") else "")
          + (f" qemu-img check: {errors}" if errors else ""))
    return ok, ev


def _compressed_clusters(image: Path) -> tuple[int, str]:
    """(compressed cluster count, integrity errors) of a qcow2 file.

    ``qemu-img check`` counts compressed clusters ("compressed-clusters"); QEMU 7.2's
    ``qemu-img map --output=json`` has no "compressed" field (measured), it only leaves
    out "offset" for compressed data extents, which is the fallback here.
    """
    res = run.run(["qemu-img", "check", "-U", "--output=json", str(image)], check=False)
    try:
        facts = json.loads(res.stdout)
    except ValueError:
        facts = None
    if isinstance(facts, dict):
        errs = []
        for key in ("check-errors", "corruptions"):
            if facts.get(key):
                errs.append(f"{key}={facts[key]}")
        return int(facts.get("compressed-clusters", 0)), " ".join(errs)
    out = run.run(["qemu-img", "map", "--output=json", "-U", str(image)]).stdout
    extents = json.loads(out)
    n = sum(1 for e in extents if e.get("compressed") or (e.get("data") and "offset" not in e))
    return n, ""


_GUESTFISH = """\
echo @KEYS
glob-expand /etc/ssh/ssh_host_*
echo @MACHINEID
-cat /etc/machine-id
echo @NETRULES
glob-expand /etc/udev/rules.d/70-persistent-net.rules
echo @HISTORY
glob-expand /root/.*_history
glob-expand /home/*/.*_history
echo @CLOUD
glob-expand /var/lib/cloud/instances/*
glob-expand /var/lib/cloud/instance
echo @END
"""

# booted checks, in the order they run; "clean" also looks inside the booted guest
BOOTED = ("console", "ssh_key", "hostname", "growpart", "root_login", "admin_pass", "qga_ping", "set_password")
OFFLINE = ("format", "clean")


@dataclass
class CleanFacts:
    """What ``guestfish --ro`` found in the image (offline part of the ``clean`` check)."""

    host_keys: list[str] = field(default_factory=list)
    machine_id: str = ""
    net_rules: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    cloud_instances: list[str] = field(default_factory=list)
    error: str = ""

    def problems(self) -> list[str]:
        if self.error:
            return [self.error]
        out = []
        if self.host_keys:
            out.append(f"SSH host keys present: {', '.join(self.host_keys)}")
        if self.machine_id and self.machine_id != "uninitialized":
            out.append(f"/etc/machine-id is set ({self.machine_id[:8]}...): clones would share it")
        if self.net_rules:
            out.append("persistent-net rules present")
        if self.history:
            out.append(f"shell history present: {', '.join(self.history)}")
        if self.cloud_instances:
            out.append(f"cloud-init instance data present: {', '.join(self.cloud_instances)}")
        return out


def inspect_clean(image: Path, cancel: CancelToken = TOKEN) -> CleanFacts:
    res = run.run(["guestfish", "--ro", "-a", str(image), "-i"], input=_GUESTFISH.encode(),
                  env=run.libguestfs_env(), check=False, timeout=600, cancel=cancel)
    sections: dict[str, list[str]] = {}
    cur = ""
    for line in res.stdout.splitlines():
        if line.startswith("@"):
            cur = line[1:]
            sections[cur] = []
        elif cur and line.strip():
            sections[cur].append(line.strip())
    if "END" not in sections:
        why = guestfs_failure("guestfish", res.stderr, res.returncode) if res.stderr.strip() else "no output"
        return CleanFacts(error=f"guestfish could not inspect the image: {why}")
    return CleanFacts(host_keys=sections.get("KEYS", []), machine_id="".join(sections.get("MACHINEID", [])).strip(),
                      net_rules=sections.get("NETRULES", []), history=sections.get("HISTORY", []),
                      cloud_instances=sections.get("CLOUD", []))


def clean_verdict(facts: CleanFacts, guest_machine_id: str | None = None,
                  build_machine_id: str = "") -> tuple[bool, str]:
    """The ``clean`` check: nothing of the build's identity left in the image, and (when the
    image was booted) a machine-id of the instance's own that is neither the image's nor the
    build's."""
    problems = facts.problems()
    notes = []
    if guest_machine_id is not None:
        gid = guest_machine_id.strip()
        if not re.fullmatch(r"[0-9a-f]{32}", gid):
            problems.append(f"the booted instance has no valid machine-id ({gid[:40]!r})")
        elif facts.machine_id and gid == facts.machine_id:
            problems.append(f"the booted instance kept the image's machine-id ({gid[:8]}...)")
        elif build_machine_id and gid == build_machine_id.strip():
            problems.append(f"the booted instance has the build VM's machine-id ({gid[:8]}...)")
        else:
            notes.append(f"the instance made its own machine-id ({gid[:8]}...)")
    if problems:
        return False, "; ".join(problems)
    mid = "uninitialized" if facts.machine_id == "uninitialized" else "empty"
    return True, ("no SSH host keys, machine-id " + mid + ", no persistent-net rules, no shell history, "
                  "no cloud-init instance data" + ("; " + "; ".join(notes) if notes else ""))


def check_clean(image: Path) -> tuple[bool, str]:
    """The offline part of ``clean`` alone."""
    return clean_verdict(inspect_clean(image))


def expand_expect(expect: list[str]) -> list[str]:
    """``--expect`` entries: names replace the default set; ``+name`` adds to it and
    ``-name`` removes from it (``+root_login`` for the CentOS 7 recipe's ``PermitRootLogin yes``)."""
    if not expect:
        return [n for n, (_, req) in CHECKS.items() if req]
    relative = [e for e in expect if e[:1] in "+-"]
    if relative and len(relative) != len(expect):
        raise PybuildError(f"expect: mix of names and +/- entries {expect}; use either form")
    if not relative:
        names = list(dict.fromkeys(expect))
    else:
        names = [n for n, (_, req) in CHECKS.items() if req]
        for e in expect:
            if e[0] == "+" and e[1:] not in names:
                names.append(e[1:])
            elif e[0] == "-" and e[1:] in names:
                names.remove(e[1:])
    unknown = [n for n in names if n not in CHECKS] + [e[1:] for e in relative if e[1:] not in CHECKS]
    if unknown:
        raise PybuildError(f"expect: unknown check(s) {sorted(set(unknown))}; checks are: {', '.join(CHECKS)}")
    return names


def verify_image(image: Path, opts: VerifyOptions, ui: BuildUI | None = None,
                 cancel: CancelToken = TOKEN) -> VerifyReport:
    """Run the checks; the VM and its temporary directory are gone when this returns or
    raises (also on :class:`~builder.errors.Cancelled` and KeyboardInterrupt).

    When no required check needs a booted guest (``expect=["format", "clean"]``), the
    image is only inspected offline.
    """
    image = Path(image)
    if not image.is_file():
        raise PybuildError(f"verify: image {image} does not exist")
    required = expand_expect(opts.expect)
    t_start = time.monotonic()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    results: list[CheckResult] = []

    def record(name: str, fn: Callable[[], tuple[bool, str]]) -> bool:
        cancel.check()
        t0 = time.monotonic()
        try:
            ok, ev = fn()
        except Cancelled:
            raise
        except Exception as e:  # a check that crashes is a failed check with its error as evidence
            ok, ev = False, f"{type(e).__name__}: {e}"
        r = CheckResult(name, ok, secrets.mask(ev), name in required, round(time.monotonic() - t0, 1))
        results.append(r)
        if ui is not None:
            ui.message(f"{'pass' if ok else 'FAIL'} {name}: {r.evidence.splitlines()[0] if r.evidence else ''}")
            ui.event("verify_check", check=name, ok=ok, evidence=r.evidence)
        return ok

    def finish(evidence_dir: str = "") -> VerifyReport:
        order = {n: i for i, n in enumerate(CHECKS)}
        results.sort(key=lambda r: order[r.name])
        return VerifyReport(str(image), results, started, round(time.monotonic() - t_start, 1), evidence_dir)

    say = ui.say if ui is not None else (lambda s: None)
    say(f"Verifying {image}")
    record("format", lambda: check_format(image))
    if not any(n in BOOTED for n in required):
        facts = inspect_clean(image, cancel)
        record("clean", lambda: clean_verdict(facts, build_machine_id=opts.build_machine_id))
        say("No booted check is required: offline checks only")
        return finish()

    vsize = int(image_info(image).get("virtual-size", 0))
    disk = opts.disk_size or 2 * vsize
    kp = generate_keypair("ed25519")
    admin_pass = "Adm1n-" + pysecrets.token_urlsafe(12)
    secrets.add(admin_pass, kp.private_pem)
    inst = Instance(hostname="pybuild-verify", admin_pass=admin_pass, public_key=kp.public_openssh)
    vm = VM(image, disk_size=disk, instance=inst, datasource=opts.datasource, memory=opts.memory,
            workdir=opts.workdir)
    # the offline inspection (a libguestfs appliance, read-only) runs while the VM boots:
    # on a 2-core host under TCG that takes it off the critical path
    inspection = ThreadPoolExecutor(1, thread_name_prefix="verify-inspect")
    facts_future = inspection.submit(inspect_clean, image, cancel)
    evidence_dir = ""
    comm: Any = None
    try:
        say(f"Booting a {disk / 2**30:.1f} GiB overlay with a {opts.datasource} datasource (TCG boots take minutes)")
        vm.start()
        say(f"VM started; SSH forward 127.0.0.1:{vm.ssh_port}")

        def ssh_key() -> tuple[bool, str]:
            nonlocal comm
            comm = connect("127.0.0.1", vm.ssh_port, username=opts.user, private_key_pem=kp.private_pem,
                           timeout=opts.boot_timeout, handshake_attempts=30, cancel=cancel)
            return True, f"{opts.user}@ logged in with the metadata key after {time.monotonic() - vm.started:.0f}s"

        key_ok = record("ssh_key", ssh_key)

        def run_cmd(cmd: str) -> str:
            assert comm is not None
            out: list[str] = []
            rc = comm.run(cmd, on_stdout=out.append)
            if rc != 0:
                raise PybuildError(f"`{cmd}` exited {rc}")
            return "\n".join(out)

        def console() -> tuple[bool, str]:
            deadline = time.monotonic() + 60
            while True:
                text = vm.serial_text()
                has_kernel = "Linux version" in text
                has_login = re.search(r"login:", text) is not None
                if (has_kernel and has_login) or time.monotonic() > deadline:
                    break
                cancel.sleep(1)
            return has_kernel and has_login, (f"kernel banner={'yes' if has_kernel else 'no'} "
                                              f"login prompt={'yes' if has_login else 'no'} ({len(text)} bytes)")

        record("console", console)
        if key_ok:
            record("hostname", lambda: _eq(run_cmd("hostname").strip(), inst.hostname, "hostname"))
            record("clean", lambda: clean_verdict(facts_future.result(), run_cmd("cat /etc/machine-id"),
                                                  opts.build_machine_id))

            def growpart() -> tuple[bool, str]:
                def root_size() -> int:
                    return int(run_cmd("df -B1 --output=size / | tail -1").strip())

                size = root_size()
                if size < GROW_MIN * disk:
                    # cloud-init grows / in its early stages; once it reports itself done, the
                    # answer is final (a guest without cloud-init gets a short grace period)
                    assert comm is not None
                    if comm.run("timeout 120 cloud-init status --wait >/dev/null 2>&1") in (0, 1, 2):
                        size = root_size()
                    else:
                        deadline = time.monotonic() + 45
                        while size < GROW_MIN * disk and time.monotonic() < deadline:
                            cancel.sleep(3)
                            size = root_size()
                return size >= GROW_MIN * disk, (f"/ is {size / 2**30:.2f} GiB on a {disk / 2**30:.2f} GiB disk "
                                                 f"(needs >= {GROW_MIN:.0%}; image {vsize / 2**30:.2f} GiB)")

            record("growpart", growpart)
            record("root_login", lambda: _grep(run_cmd("sudo -n sshd -T 2>/dev/null || sshd -T"),
                                               r"^permitrootlogin yes$", "sshd -T"))
        else:
            record("clean", lambda: clean_verdict(facts_future.result(), build_machine_id=opts.build_machine_id))
            for n in ("hostname", "growpart", "root_login"):
                record(n, lambda: (False, "no SSH session (ssh_key failed)"))

        def password_works(user: str, password: str, wait: float) -> tuple[bool, str]:
            """SSH password login; when sshd refuses it, check the shadow hash through the
            key session (libc crypt via perl), which is what a console login checks."""
            deadline = time.monotonic() + wait
            last = ""
            while True:
                try:
                    c = connect("127.0.0.1", vm.ssh_port, username=user, password=password, timeout=20,
                                handshake_attempts=1, cancel=cancel)
                    c.close()
                    return True, f"{user} logged in over SSH with the password"
                except Cancelled:
                    raise
                except Exception as e:
                    last = (str(e).splitlines() or [type(e).__name__])[0]
                if comm is not None and _shadow_matches(run_cmd, user, password):
                    return True, f"{user}'s password hash matches (sshd refused the password login: {last[:80]})"
                if time.monotonic() >= deadline:
                    return False, f"{user}'s password does not match; SSH login refused: {last}"
                cancel.sleep(5)

        def admin() -> tuple[bool, str]:
            # the hook runs before systemd-user-sessions, so it is done once the key login works
            ok, ev = password_works("root", admin_pass, 30)
            return ok, ev.replace("the password", "the config drive's admin_pass")

        record("admin_pass", admin)

        def qga_ping() -> tuple[bool, str]:
            # the agent starts with the virtio port at boot, long before SSH answers
            deadline = time.monotonic() + 15
            while True:
                try:
                    vm.qga("guest-ping", timeout=5)
                    info = vm.qga("guest-info", timeout=5)
                    return True, f"guest-ping answered (agent {info.get('version', '?')})"
                except Exception as e:
                    if time.monotonic() > deadline:
                        return False, f"no answer on org.qemu.guest_agent.0: {type(e).__name__}: {e}"
                    cancel.sleep(2)

        qga_ok = record("qga_ping", qga_ping)

        def set_password() -> tuple[bool, str]:
            if not qga_ok:
                return False, "qemu-guest-agent not answering"
            new = "Nw-" + pysecrets.token_urlsafe(12)
            vm.set_password("root", new)
            ok, ev = password_works("root", new, 10)
            return ok, "guest-set-user-password root; " + ev.replace("the password", "the new password")

        record("set_password", set_password)
    finally:
        try:
            if comm is not None:
                comm.close()
            if not all(r.ok for r in results if r.required) or cancel.cancelled:
                evidence_dir = str(_keep_evidence(vm, opts))
        finally:
            vm.stop()
            vm.remove()
            inspection.shutdown(wait=True)  # never return while guestfish still runs
    return finish(evidence_dir)


def _keep_evidence(vm: VM, opts: VerifyOptions) -> Path:
    import shutil

    root = Path(os.environ.get("PYBUILD_FAILURE_DIR") or "pybuild-failures")
    d = opts.evidence_dir or root / f"verify-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    d.mkdir(parents=True, exist_ok=True)
    vm.screenshot(d / "screenshot.png")
    if vm.serial_log.exists():
        shutil.copy2(vm.serial_log, d / "serial.log")
    return d


_CRYPT = "perl -e 'my ($p, $h) = @ARGV; print crypt($p, $h) eq $h ? \"match\" : \"differ\"'"


def _shadow_matches(run_cmd: Callable[[str], str], user: str, password: str) -> bool:
    try:
        entry = run_cmd(f"sudo -n getent shadow {user}")
        hashed = entry.split(":")[1]
        if not hashed.startswith("$"):
            return False
        import shlex

        return run_cmd(f"{_CRYPT} {shlex.quote(password)} {shlex.quote(hashed)}").strip() == "match"
    except Exception:
        return False


def _eq(got: str, want: str, what: str) -> tuple[bool, str]:
    return got == want, f"{what} is {got!r} (metadata says {want!r})"


def _grep(text: str, pattern: str, what: str) -> tuple[bool, str]:
    m = re.search(pattern, text, re.MULTILINE | re.IGNORECASE)
    return m is not None, f"{what}: {m.group(0) if m else 'no match for ' + pattern}"


__all__ = [
    "BOOTED",
    "CHECKS",
    "CheckResult",
    "CleanFacts",
    "VerifyOptions",
    "VerifyReport",
    "check_clean",
    "check_format",
    "clean_verdict",
    "expand_expect",
    "inspect_clean",
    "verify_image",
]

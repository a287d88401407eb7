"""Part — the ``ansible`` provisioner's overhead over ``ansible-playbook`` run by hand.

Both run the same one-role playbook (a template task) against the same SSH target with
the same key, interleaved run by run:

- **provisioner**: what a build pays: the config parsed and checked (including the
  ``ansible-playbook --version`` probe, once per build), the inventory and the 0600 key
  file written, ansible-playbook run through :mod:`builder.run`, the SSH connection
  master ended and the files removed;
- **by hand**: ``ansible-playbook -i INVENTORY PLAYBOOK`` with a prepared inventory and key.

The target is a real sshd on 127.0.0.1 with a temporary user (tests/communicator's
fixture; needs root), not a VM: the overhead does not depend on the machine behind the
SSH port, and a TCG guest would drown it in noise.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, Part, Stat, Table, load1, now

sys.path.insert(0, str(ROOT / "tests" / "communicator"))
sys.path.insert(0, str(ROOT / "tests" / "provisioners"))


def _project(d: Path) -> Path:
    (d / "roles" / "note" / "tasks").mkdir(parents=True)
    (d / "roles" / "note" / "templates").mkdir()
    (d / "roles" / "note" / "tasks" / "main.yml").write_text(
        "- ansible.builtin.template:\n    src: note.j2\n    dest: '{{ target_dir }}/note.txt'\n")
    (d / "roles" / "note" / "templates" / "note.j2").write_text("{{ inventory_hostname }} {{ now() }}\n")
    pb = d / "site.yml"
    pb.write_text("- hosts: all\n  gather_facts: false\n  roles: [note]\n")
    return pb


def run(runs: int, quick: bool) -> Part:
    from ctxutil import provision_ctx
    from sshd_server import running_sshd, temporary_user

    from builder.config import parse_config
    from builder.provisioners.ansible import remote
    from builder.provisioners.ansible.remote import AnsibleConfig, AnsibleProvisioner

    part = Part("ansible", "Ansible provisioner overhead vs ansible-playbook by hand", runs, quick,
                started=now(), load=[load1()])
    t0 = time.perf_counter()
    times: dict[str, list[float]] = {"provisioner": [], "by hand": [], "probe": []}
    with temporary_user() as user, running_sshd(user) as sshd, tempfile.TemporaryDirectory(
            prefix="pybuild-bench-ansible-") as td:
        tmp = Path(td)
        pb = _project(tmp)
        target = f"target_dir={user.home}"
        key = tmp / "key"
        key.write_text(user.key.private_pem)
        key.chmod(0o600)
        inv = tmp / "inventory"
        inv.write_text(f"default ansible_host={sshd.host} ansible_user={user.name} ansible_port={sshd.port}\n")
        hand = ["ansible-playbook", "-e", target, "-e", f"ansible_ssh_private_key_file={key}", "-i", str(inv),
                str(pb)]
        env = dict(os.environ, ANSIBLE_HOST_KEY_CHECKING="False")
        build_vars = {"Host": sshd.host, "Port": sshd.port, "User": user.name, "ConnType": "ssh",
                      "SSHPrivateKey": user.key.private_pem, "Password": "", "PackerHTTPAddr": ""}
        for _ in range(max(1, runs)):
            t = time.perf_counter()
            remote._probe_version.cache_clear()  # each build probes once
            cfg = parse_config(AnsibleConfig, {"playbook_file": str(pb), "extra_arguments": ["-e", target]},
                               component="ansible")
            ctx, _ = provision_ctx(None, tmp, build_vars=build_vars)
            AnsibleProvisioner(cfg).provision(ctx)
            times["provisioner"].append(time.perf_counter() - t)
            t = time.perf_counter()
            subprocess.run(hand, env=env, check=True, capture_output=True)
            times["by hand"].append(time.perf_counter() - t)
            t = time.perf_counter()
            subprocess.run(["ansible-playbook", "--version"], check=True, capture_output=True)
            times["probe"].append(time.perf_counter() - t)
            # by hand leaves its ControlPersist master running; end it so runs stay alike
            for sock in Path.home().joinpath(".ansible", "cp").glob("*"):
                subprocess.run(["ssh", "-o", f"ControlPath={sock}", "-O", "exit", "x"], capture_output=True)
    prov, by_hand, probe = Stat(times["provisioner"]), Stat(times["by hand"]), Stat(times["probe"])
    part.tables.append(Table("One-task playbook over SSH to 127.0.0.1 (wall clock)", ["run", "time"], [
        ["ansible provisioner (parse + version probe + run + cleanup)", prov.fmt(2, " s")],
        ["ansible-playbook by hand", by_hand.fmt(2, " s")],
        ["overhead (median difference)", f"{prov.median - by_hand.median:.2f} s"],
        ["of which: `ansible-playbook --version` (the probe, alone)", probe.fmt(2, " s")],
    ]))
    part.notes.append("The version probe is Packer's too; skip_version_check = true saves it. The rest is "
                      "pybuild's config parsing, the inventory and key files, and ending the SSH master.")
    part.seconds = time.perf_counter() - t0
    part.load.append(load1())
    return part

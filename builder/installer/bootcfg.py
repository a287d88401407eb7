"""Boot loader configurations of a remastered ISO — pure text functions, table-tested.

The remastered ISO boots one new entry, ``pybuild``, with no key pressed:

- isolinux/syslinux: the configuration is replaced by a short one whose default entry
  boots at once (``prompt 0``); the ISO's own menu stays reachable as the entry
  ``original`` (hold Shift at boot and type ``original``), its file kept beside it.
- GRUB: the entry is added at the end of the ISO's ``grub.cfg`` and chosen by its id
  with a one-second timeout; assignments at the end win over the file's own
  ``set default``/``set timeout`` (GRUB reads them once the script has run).
  Only a file that boots a kernel itself is edited: a ``grub.cfg`` that only finds the
  ISO and loads another one (Debian's and Ubuntu's EFI images) is left as it is.
"""

from __future__ import annotations

import re

ENTRY_ID = "pybuild"
ENTRY_TITLE = "pybuild unattended install"
SYSLINUX_NAMES = ("isolinux.cfg", "syslinux.cfg")
GRUB_NAME = "grub.cfg"
_GRUB_LINUX = re.compile(r"^\s*(linux|linuxefi|linux16)\s+\S", re.MULTILINE)
_GRUB_SAFE = re.compile(r"^[A-Za-z0-9_./:=,+@%\\-]+$")


def syslinux_cfg(kernel: str, initrd: str, append: str, original: str = "") -> str:
    """A syslinux/isolinux configuration that boots ``kernel`` at once.

    ``original``: where the ISO's own configuration was kept (an ISO path), offered as
    the ``original`` entry.
    """
    lines = [
        '# pybuild boot_method = "remaster": boots the unattended install, no key needed',
        f"default {ENTRY_ID}",
        "prompt 0",
        "timeout 1",
        "",
        f"label {ENTRY_ID}",
        f"  menu label {ENTRY_TITLE}",
        f"  kernel /{kernel.lstrip('/')}",
        f"  append initrd=/{initrd.lstrip('/')} {append}",
    ]
    if original:
        directory = original.rsplit("/", 1)[0] or "/"
        lines += ["", "label original", "  menu label the ISO's own boot menu", f"  config {original} {directory}"]
    return "\n".join(lines) + "\n"


def grub_boots_a_kernel(text: str) -> bool:
    """Does this grub.cfg boot a kernel itself (rather than only load another file)?"""
    return _GRUB_LINUX.search(text) is not None


def grub_linux_command(text: str) -> tuple[str, str]:
    """The (linux, initrd) command words the file uses (``linuxefi``/``initrdefi`` on EL7's EFI GRUB)."""
    m = _GRUB_LINUX.search(text)
    word = m.group(1) if m else "linux"
    return word, {"linux": "initrd", "linuxefi": "initrdefi", "linux16": "initrd16"}[word]


def grub_quote(arg: str) -> str:
    """One word for a GRUB command line (``;`` separates commands, so ``ds=nocloud;s=…`` is quoted).

    A backslash is left bare, as RHEL's own grub.cfg writes ``LABEL=CentOS\\x207\\x20x86_64``:
    GRUB re-escapes backslashes and quotes when it hands the line to the kernel, so a quoted
    ``\\x20`` would arrive doubled (measured with Debian's GRUB 2.06 on OVMF).
    """
    if _GRUB_SAFE.match(arg):
        return arg
    return "'" + arg.replace("'", "'\\''") + "'"


def grub_cfg(original: str, kernel: str, initrd: str, append: str) -> str:
    """``original`` with the ``pybuild`` entry added and chosen after one second."""
    linux, initrd_cmd = grub_linux_command(original)
    args = " ".join(grub_quote(a) for a in append.split())
    return (
        original.rstrip("\n")
        + "\n\n"
        + '# pybuild boot_method = "remaster": boots the unattended install, no key needed\n'
        + f"menuentry '{ENTRY_TITLE}' --id {ENTRY_ID} {{\n"
        + f"    {linux} /{kernel.lstrip('/')} {args}\n"
        + f"    {initrd_cmd} /{initrd.lstrip('/')}\n"
        + "}\n"
        + f"set default={ENTRY_ID}\n"
        + "set timeout_style=menu\n"
        + "set timeout=1\n"
    )

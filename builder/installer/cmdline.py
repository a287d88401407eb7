"""The installer's kernel command line per layout — pure functions, table-tested.

``unattended`` says where the installer finds its answers:

- ``http``: a URL on pybuild's HTTP server (``inst.ks=``, ``url=``, ``ds=nocloud;s=``);
- ``initrd``: the file is appended to the initrd (Debian reads ``/preseed.cfg`` from its
  initrd by itself);
- ``volume``: the file is on a small extra CD whose label the installer looks for:
  ``OEMDRV`` holding ``/ks.cfg`` (``inst.ks=hd:LABEL=OEMDRV:/ks.cfg``; anaconda's own wait
  for OEMDRV is reliable only from 8.9/9.3, so the path is named), or ``cidata`` holding
  ``user-data`` and ``meta-data`` (``ds=nocloud``);
- ``iso``: the file is on the (remastered) ISO itself: ``/ks.cfg`` read by label
  (``inst.ks=hd:LABEL=…:/ks.cfg``), Ubuntu's ``/nocloud/`` seed (``ds=nocloud;s=/cdrom/nocloud/``);
- ``none``: nothing (e.g. Ubuntu with a ``cidata`` volume from ``cd_content``).

The serial console comes last, so ``/dev/console`` (and ``serial.log``) shows the install.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.installer.layout import Layout

SERIAL_CONSOLE = "console=tty0 console=ttyS0,115200n8"
# where a local unattended file goes, per family: "initrd" (file name inside it) or "volume"
INITRD_NAME = {"debian": "preseed.cfg"}
OEMDRV = "OEMDRV"  # anaconda's kickstart volume
CIDATA = "cidata"  # cloud-init's NoCloud volume (subiquity's autoinstall)
KICKSTART_NAME = "ks.cfg"
# where a remastered ISO holds the unattended file (Debian's goes into the initrd instead)
ISO_KICKSTART = "ks.cfg"
ISO_NOCLOUD = "nocloud"  # Ubuntu: /nocloud/user-data + /nocloud/meta-data, mounted at /cdrom
_UDEV_SAFE = set("#+-.:=@_")


def udev_label(label: str) -> str:
    r"""A volume label as udev spells it under /dev/disk/by-label (``CentOS 7`` → ``CentOS\x207``)."""
    out = []
    for ch in label:
        if (ch.isascii() and ch.isalnum()) or ch in _UDEV_SAFE or not ch.isascii():
            out.append(ch)
        else:
            out.append(f"\\x{ord(ch):02x}")
    return "".join(out)


@dataclass(frozen=True)
class Unattended:
    how: str  # "http" | "initrd" | "volume" | "iso" | "none"
    url: str = ""  # for "http"


def compose(layout: Layout, unattended: Unattended, extra: str = "") -> str:
    """The whole command line for ``layout``'s installer kernel."""
    args: list[str] = []
    if layout.family == "rhel":
        args.append(f"inst.stage2=hd:LABEL={udev_label(layout.label)}")
        if unattended.how == "http":
            args.append(f"inst.ks={unattended.url}")
        elif unattended.how == "volume":
            args.append(f"inst.ks=hd:LABEL={OEMDRV}:/{KICKSTART_NAME}")
        elif unattended.how == "iso":
            args.append(f"inst.ks=hd:LABEL={udev_label(layout.label)}:/{ISO_KICKSTART}")
    elif layout.family == "debian":
        args += ["auto=true", "priority=critical"]
        if unattended.how == "http":
            args.append(f"url={unattended.url}")
    elif layout.family == "ubuntu":
        args.append("autoinstall")
        if unattended.how == "http":
            base = unattended.url.rsplit("/", 1)[0] + "/"
            args.append(f"ds=nocloud;s={base}")
        elif unattended.how == "volume":
            args.append("ds=nocloud")
        elif unattended.how == "iso":
            args.append(f"ds=nocloud;s=/cdrom/{ISO_NOCLOUD}/")
    else:
        raise ValueError(f"unknown layout family {layout.family!r}")
    if extra.strip():
        args.append(extra.strip())
    if layout.family in ("debian", "ubuntu"):
        args.append("---")  # what follows is copied to the installed system's boot loader
    args.append(SERIAL_CONSOLE)
    return " ".join(args)

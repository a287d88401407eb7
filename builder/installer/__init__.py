"""Installs with zero typed keys: read an installer ISO, boot its kernel directly.

- :mod:`builder.installer.layout` — which distribution layout an ISO has, where its
  installer kernel and initrd are, its volume label (pycdlib, no mount, no root).
- :mod:`builder.installer.cmdline` — the kernel command line per layout (pure).
- :mod:`builder.installer.cpio` — a newc cpio archive, to append files to an initrd.
"""

"""Built-in post-processors: disk tools (virt-sysprep, virt-sparsify, virt-customize,
qemu-img convert), Packer's checksum and manifest, and the Glance upload.

Each module holds one component class listed in ``builder.plugins.BUILTINS``;
shared helpers (finding an artifact's disk, Go-template names, progress) are in
:mod:`builder.post_processors._disk`.
"""

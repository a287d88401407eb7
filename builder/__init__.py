"""pybuild: a Packer-compatible machine-image builder for OpenStack."""

__version__ = "0.1.0"
# The Packer version pybuild reports as `packer.version` in templates.
PACKER_COMPAT_VERSION = "1.14.3"

"""pybuild builder plugin ``mmdebstrap``: a bootable Debian cloud disk image from packages.

Registered through the entry point group ``pybuild.builders`` (name ``mmdebstrap``).
"""

from pybuild_mmdebstrap.builder import BUILDER_ID, MmdebstrapBuilder
from pybuild_mmdebstrap.config import Config

__version__ = "0.1.0"
__all__ = ["BUILDER_ID", "Config", "MmdebstrapBuilder"]

"""Finding a template's files: the ``.pkr.hcl`` files of a directory (or the one file given), its
``*.auto.pkrvars.*`` files, and ``path.root``. JSON templates are refused with a clear error."""

from __future__ import annotations

import os

from builder.errors import Location
from builder.template.loader.diagnostics import Collector

HCL_EXT = ".pkr.hcl"
JSON_EXT = ".pkr.json"
VARS_EXT = ".pkrvars.hcl"
VARS_JSON_EXT = ".pkrvars.json"
AUTO_VARS_EXT = ".auto.pkrvars.hcl"
AUTO_VARS_JSON_EXT = ".auto.pkrvars.json"


def find_files(path: str, col: Collector) -> tuple[list[str], list[str], str]:
    """(template files, auto var files, path.root)."""
    if os.path.isdir(path):
        names = sorted(os.listdir(path))
        files = [
            os.path.normpath(os.path.join(path, n))
            for n in names
            if n.endswith(HCL_EXT) and os.path.isfile(os.path.join(path, n))
        ]
        jsons = [os.path.join(path, n) for n in names if n.endswith(JSON_EXT)]
        autos = [os.path.normpath(os.path.join(path, n)) for n in names if n.endswith(AUTO_VARS_EXT)]
        autos += [os.path.normpath(os.path.join(path, n)) for n in names if n.endswith(AUTO_VARS_JSON_EXT)]
        for j in jsons:
            col.err(
                "Unsupported template format",
                f"pybuild only reads HCL2 templates ({HCL_EXT}); "
                f"{os.path.basename(j)} is a JSON template. Convert it to HCL2.",
                Location(j),
            )
        if not files and not jsons:
            col.err(
                "Could not find any config file in " + path,
                f"A config file must be suffixed with `{HCL_EXT}` or `{JSON_EXT}`. A folder can be "
                "referenced to load all HCL2 config files in it.",
                Location(path),
            )
        root = path.rstrip("/") or "/"
        return files, autos, root
    if not os.path.exists(path):
        col.err(
            f"Could not find any config file in {path}",
            f"The file or directory {path} does not exist.",
            Location(path),
        )
        return [], [], "."
    if path.endswith(JSON_EXT):
        col.err(
            "Unsupported template format",
            f"pybuild only reads HCL2 templates ({HCL_EXT}); {path} is a JSON template. Convert it to HCL2.",
            Location(path),
        )
        return [], [], os.path.dirname(path) or "."
    if not path.endswith(HCL_EXT):
        col.warn(
            "Unexpected file extension",
            f"{path} does not end in {HCL_EXT}; reading it as HCL2.",
            Location(path),
        )
    return [path], [], os.path.dirname(path) or "."

"""Cache of compiled template ASTs (like .pyc files for templates).

Parsing with python-hcl2's Lark grammar dominates template load time, so the compiled
form of each file (and of each ``templatefile`` template) is pickled, keyed by file name,
content and engine version. ``PYBUILD_HCL_CACHE=0`` disables the cache;
``PYBUILD_HCL_CACHE_DIR`` moves it (default ``$XDG_CACHE_HOME/pybuild/hcl-ast``).
Any problem with the cache (unwritable, corrupt, stale) silently falls back to parsing.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from typing import Any

import builder

_STAMP: str | None = None
_MEMO: dict[str, Any] = {}


def _stamp() -> str:
    global _STAMP
    if _STAMP is None:
        here = os.path.dirname(os.path.abspath(__file__))
        parts = [builder.__version__]
        for name in ("expr.py", "loader.py", "cache.py"):
            try:
                st = os.stat(os.path.join(here, name))
                parts.append(f"{name}:{st.st_mtime_ns}:{st.st_size}")
            except OSError:
                parts.append(f"{name}:?")
        _STAMP = "|".join(parts)
    return _STAMP


def _dir() -> str | None:
    if os.environ.get("PYBUILD_HCL_CACHE", "1").lower() in ("0", "false", "no", "off"):
        return None
    d = os.environ.get("PYBUILD_HCL_CACHE_DIR")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "pybuild", "hcl-ast")
    return d


def key(*parts: str) -> str:
    h = hashlib.sha256()
    for part in (_stamp(), *parts):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def get(k: str) -> Any:
    d = _dir()
    if d is None:
        return None
    if k in _MEMO:
        return _MEMO[k]
    try:
        with open(os.path.join(d, k[:2], k), "rb") as fh:
            obj = pickle.load(fh)
    except Exception:  # missing, unreadable, stale or corrupt: parse again
        return None
    _MEMO[k] = obj
    return obj


def put(k: str, obj: Any) -> None:
    d = _dir()
    if d is None:
        return
    _MEMO[k] = obj
    import tempfile

    try:
        sub = os.path.join(d, k[:2])
        os.makedirs(sub, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=sub, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, os.path.join(sub, k))
    except Exception:  # a read-only or full cache directory must never break a load
        pass

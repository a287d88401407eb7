"""The process-wide set of secret values, masked as ``<sensitive>`` in every output.

Sensitive template variables, passwords, generated private keys and cloud tokens are
registered here as soon as they are known; the UI, the log handlers, JSON events, the
manifest writer and error rendering all pass text through :func:`mask`.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from collections.abc import Iterable
from typing import Any

MASK = "<sensitive>"
_MIN_LEN = 3  # shorter values would mask ordinary text

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


def add(*values: Any) -> None:
    """Register secret values (strings; lists/dicts are walked)."""
    global _pattern
    found: list[str] = []
    for v in values:
        found.extend(_strings(v))
    new = set()
    for s in found:
        s = s.strip("\n")
        if len(s) < _MIN_LEN:
            continue
        new.add(s)
        # the forms a secret takes on its way through URLs and shells
        new.add(urllib.parse.quote(s, safe=""))
        new.add(urllib.parse.quote_plus(s))
        for line in s.splitlines():
            if len(line.strip()) >= 8:
                new.add(line.strip())
    new = {s for s in new if len(s) >= _MIN_LEN}
    with _lock:
        if new - _secrets:
            _secrets.update(new)
            ordered = sorted(_secrets, key=len, reverse=True)
            _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def _strings(v: Any) -> Iterable[str]:
    if v is None or isinstance(v, bool):
        return
    if isinstance(v, str):
        yield v
    elif isinstance(v, bytes):
        yield v.decode("utf-8", "replace")
    elif isinstance(v, dict):
        for x in v.values():
            yield from _strings(x)
    elif isinstance(v, (list, tuple, set)):
        for x in v:
            yield from _strings(x)
    elif isinstance(v, (int, float)):
        yield str(v)


def mask(text: str) -> str:
    pat = _pattern
    if pat is None or not text:
        return text
    return pat.sub(MASK, text)


def mask_obj(obj: Any) -> Any:
    """Mask strings inside a JSON-like object."""
    if isinstance(obj, str):
        return mask(obj)
    if isinstance(obj, dict):
        return {k: mask_obj(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [mask_obj(v) for v in obj]
    if isinstance(obj, tuple):
        return tuple(mask_obj(v) for v in obj)
    return obj


def is_secret(value: str) -> bool:
    with _lock:
        return value in _secrets


def clear() -> None:
    """Forget all secrets (tests only)."""
    global _pattern
    with _lock:
        _secrets.clear()
        _pattern = None

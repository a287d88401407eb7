"""The process-wide set of secret values, masked as ``<sensitive>`` in every output.

Sensitive template variables, passwords, generated private keys and cloud tokens are
registered here as soon as they are known; the UI, the log handlers, JSON events, the
manifest writer and error rendering all pass text through :func:`mask`.

Diagnostics about the template pass through :func:`mask_template` instead: it masks
every secret except the values of the template's own non-sensitive options
(``add(..., from_template=True)``: an ``ssh_password = "vagrant"`` written in the
template is masked in commands and logs, but a diagnostic may quote the template), and
it never masks a word that is a name in the template (a block type, a label, an option
or variable name, a file name: :func:`keep_names`), so a diagnostic always names what it
is about. Locations (file:line:col) are never masked.
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
_secrets: set[str] = set()  # masked everywhere
_option_values: set[str] = set()  # non-sensitive template option values: not in template diagnostics
_names: set[str] = set()  # words that are names in the template
_pattern: re.Pattern[str] | None = None
_template_pattern: re.Pattern[str] | None = None
_WORD = re.compile(r"[A-Za-z0-9_-]+")


def _compile(values: set[str]) -> re.Pattern[str] | None:
    if not values:
        return None
    return re.compile("|".join(re.escape(s) for s in sorted(values, key=len, reverse=True)))


def add(*values: Any, from_template: bool = False) -> None:
    """Register secret values (strings; lists/dicts are walked).

    ``from_template``: the values of a component option (``ssh_password``...) as the
    template wrote them; masked in runtime output but quoted by template diagnostics
    (a value that is also a sensitive variable's is registered without it and stays masked).
    """
    global _pattern, _template_pattern
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
        target = _option_values if from_template else _secrets
        if new - target:
            target.update(new)
            _pattern = _compile(_secrets | _option_values)
            _template_pattern = _compile(_secrets)


def keep_names(*names: str) -> None:
    """Register names of the template (block types, labels, option names, file names)."""
    with _lock:
        for n in names:
            _names.update(_WORD.findall(n))


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


def mask_template(text: str) -> str:
    """Mask a diagnostic about the template: keep option values and the template's names."""
    pat = _template_pattern
    if pat is None or not text:
        return text

    def sub(m: re.Match[str]) -> str:
        word = m.group(0)
        start, end = m.span()
        bounded = (start == 0 or not _WORD.match(text[start - 1])) and (
            end == len(text) or not _WORD.match(text[end]))
        return word if bounded and word in _names else MASK

    return pat.sub(sub, text)


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
        return value in _secrets or value in _option_values


def clear() -> None:
    """Forget all secrets (tests only)."""
    global _pattern, _template_pattern
    with _lock:
        _secrets.clear()
        _option_values.clear()
        _names.clear()
        _pattern = _template_pattern = None

"""Path functions (``abspath``, ``basename``, ``dirname``, ``pathexpand``) and the glob of ``fileset``."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from builder.template.functions.values import FunctionError, arg_str


def _go_clean(path: str) -> str:
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(seg)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def _basename(path: Any) -> str:
    p = arg_str(path, "path")
    if p == "":
        return "."
    p = p.rstrip("/")
    if p == "":
        return "/"
    return p.rsplit("/", 1)[-1]


def _dirname(path: Any) -> str:
    p = arg_str(path, "path")
    i = p.rfind("/")
    return _go_clean(p[: i + 1])


def _pathexpand(path: Any) -> str:
    p = arg_str(path, "path")
    if p == "~" or p.startswith("~/"):
        return os.path.expanduser("~") + p[1:]
    return p


def _abspath(path: Any) -> str:
    p = arg_str(path, "path")
    return _go_clean(os.path.join(os.getcwd(), p) if not p.startswith("/") else p)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A doublestar glob as a regex over '/'-separated relative paths."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif ch == "*":
            out.append("[^/]*")
            i += 1
        elif ch == "?":
            out.append("[^/]")
            i += 1
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                raise FunctionError(f"failed to glob pattern ({pattern}): syntax error in pattern")
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body + "]")
            i = end + 1
        elif ch == "{":
            end = pattern.find("}", i + 1)
            if end < 0:
                raise FunctionError(f"failed to glob pattern ({pattern}): syntax error in pattern")
            alts = pattern[i + 1 : end].split(",")
            out.append("(?:" + "|".join(_glob_regex(a).pattern[:-2] for a in alts) + ")")
            i = end + 1
        elif ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(ch))
            i += 1
    return re.compile("".join(out) + r"\Z")


# A templatefile renderer: (template text, variables, file name) -> rendered text.
Renderer = Callable[[str, dict[str, Any], str], str]


def file_functions(base_dir: str, render: Renderer) -> dict[str, Callable[..., Any]]:
    """The functions that read files, relative to ``base_dir``; ``templatefile`` renders with
    ``render(text, variables, filename)``."""

    def resolve(path: str) -> str:
        p = _pathexpand(path)
        return p if os.path.isabs(p) else os.path.join(base_dir, p)

    def read_bytes(path: str) -> bytes:
        full = resolve(path)
        try:
            with open(full, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            raise FunctionError(
                f"no file exists at {path}; this function works only with files that are distributed "
                "as part of the configuration source code"
            ) from None
        except IsADirectoryError:
            raise FunctionError(f"{path} is a directory, not a file") from None
        except OSError as exc:
            raise FunctionError(f"failed to read {path}: {exc.strerror}") from None

    def read_text(path: str) -> str:
        data = read_bytes(path)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise FunctionError(
                f"contents of {path} are not valid UTF-8; use the filebase64 function to obtain "
                "the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) "
                "to obtain file hashing results instead"
            ) from None

    def file(path: Any) -> str:
        return read_text(arg_str(path, "path"))

    def filebase64(path: Any) -> str:
        return base64.b64encode(read_bytes(arg_str(path, "path"))).decode()

    def fileexists(path: Any) -> bool:
        p = arg_str(path, "path")
        full = resolve(p)
        try:
            st = os.stat(full)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise FunctionError(f"failed to stat {p}: {exc.strerror}") from None
        import stat as _stat

        if _stat.S_ISREG(st.st_mode):
            return True
        kind = "a directory" if _stat.S_ISDIR(st.st_mode) else "a special file"
        raise FunctionError(f"{p} is not a regular file, but {kind}")

    def fileset(path: Any, pattern: Any) -> list[str]:
        root, pat = arg_str(path, "path"), arg_str(pattern, "pattern")
        full_root = resolve(root)
        rx = _glob_regex(pat)
        found: list[str] = []
        for dirpath, _dirs, files in os.walk(full_root):
            for name in files:
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, full_root).replace(os.sep, "/")
                if rx.match(rel) and os.path.isfile(full):
                    found.append(rel)
        return sorted(found)

    def hashfile(algo: str) -> Callable[[Any], str]:
        def fn(path: Any) -> str:
            return hashlib.new(algo, read_bytes(arg_str(path, "path"))).hexdigest()

        return fn

    def templatefile(path: Any, variables: Any) -> str:
        p = arg_str(path, "path")
        if not isinstance(variables, Mapping):
            raise FunctionError('Invalid value for "vars" parameter: map or object required.')
        for k in variables:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", str(k)):
                raise FunctionError(
                    f"invalid template variable name {k!r}: must start with a letter, "
                    "followed by zero or more letters, digits, and underscores"
                )
        text = read_text(p)
        return render(text, dict(variables), resolve(p))

    return {
        "file": file,
        "filebase64": filebase64,
        "fileexists": fileexists,
        "fileset": fileset,
        "filemd5": hashfile("md5"),
        "filesha1": hashfile("sha1"),
        "filesha256": hashfile("sha256"),
        "filesha512": hashfile("sha512"),
        "templatefile": templatefile,
    }


TABLE: dict[str, Callable[..., Any]] = {
    "abspath": _abspath,
    "basename": _basename,
    "dirname": _dirname,
    "pathexpand": _pathexpand,
}

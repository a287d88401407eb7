"""The function table: :data:`FUNCTIONS` (no filesystem or environment access) and
:func:`make_functions` (adds the file functions relative to a base directory, and ``env``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from builder.template.functions import (
    cidr,
    collections,
    conversion,
    crypto,
    dates,
    encoding,
    filesystem,
    numeric,
    printf,
    re2,
    strings,
    yamlenc,
)
from builder.template.functions.templatefile import render_template
from builder.template.functions.values import FunctionError, arg_str


def make_functions(base_dir: str, allow_env: bool) -> dict[str, Callable[..., Any]]:
    """:data:`FUNCTIONS` plus filesystem functions relative to ``base_dir`` (and ``env``)."""
    fns: dict[str, Callable[..., Any]] = dict(FUNCTIONS)
    fns.update(filesystem.file_functions(base_dir, render_template_string))
    if allow_env:

        def env(name: Any) -> str:
            return os.environ.get(arg_str(name, "key"), "")

        fns["env"] = env
    return fns


def function_table(base_dir: str, allow_env: bool) -> dict[str, Callable[..., Any]]:
    """The functions a template's expressions can call: :func:`make_functions` (``env`` only
    with ``allow_env``)."""
    return make_functions(base_dir, allow_env)


def render_template_string(text: str, vars: dict[str, Any], filename: str) -> str:
    """Render a ``templatefile`` template: ``${}``/``%{}`` syntax with ``vars`` in scope and every
    function but ``templatefile`` (file paths relative to the working directory).

    Raises :class:`TemplateError` with diagnostics located in ``filename``.
    """
    funcs = function_table(os.getcwd(), False)
    funcs.pop("templatefile", None)
    return render_template(text, vars, filename, funcs)


def _unsupported(name: str) -> Callable[..., Any]:
    def fn(*_args: Any) -> Any:
        raise FunctionError(f"{name} is not supported by pybuild: it reaches a cloud secret store")

    fn.__name__ = name
    return fn


FUNCTIONS: dict[str, Callable[..., Any]] = {
    **numeric.TABLE,
    **strings.TABLE,
    **re2.TABLE,
    **printf.TABLE,
    **collections.TABLE,
    **encoding.TABLE,
    **yamlenc.TABLE,
    **dates.TABLE,
    **crypto.TABLE,
    **cidr.TABLE,
    **conversion.TABLE,
    **filesystem.TABLE,
    # external secret stores: refused
    "vault": _unsupported("vault"),
    "consul_key": _unsupported("consul_key"),
    "aws_secretsmanager": _unsupported("aws_secretsmanager"),
    "aws_secretsmanager_raw": _unsupported("aws_secretsmanager_raw"),
}

"""What every stage of one load shares: the options, the diagnostics, the parsed files, the
function tables and the root scope (``var``, ``local``, ``data``, ``path``, ``packer``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import builder
from builder.template import expr as E
from builder.template.evaluator import Namespace, Scope, evaluate, fail
from builder.template.functions import function_table
from builder.template.loader.body import HBlock, HBody
from builder.template.loader.diagnostics import Collector

# the roots an expression may reference; a constant expression may reference none of them
CONTEXT_ROOTS = ("var", "local", "data", "source", "build", "path", "packer", "each", "count", "self")

# build values sources and components are evaluated with at validate time
PLACEHOLDER_BUILD: dict[str, Any] = {
    "ID": "ERR_ID_NOT_IMPLEMENTED_BY_BUILDER",
    "Host": "127.0.0.1",
    "Port": 2222,
    "User": "root",
    "Password": "",
    "ConnType": "ssh",
    "PackerRunUUID": "00000000-0000-0000-0000-000000000000",
    "PackerHTTPIP": "10.0.2.2",
    "PackerHTTPPort": "8000",
    "PackerHTTPAddr": "10.0.2.2:8000",
    "SSHPublicKey": "",
    "SSHPrivateKey": "",
}


@dataclass(frozen=True)
class LoadOptions:
    """How to load: the template path, variable values, and the command's switches."""

    path: str
    var_files: tuple[str, ...] = ()
    cli_vars: Mapping[str, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    syntax_only: bool = False
    evaluate_datasources: bool = True
    # -only/-except: unselected builds are not evaluated; -except also skips named components
    except_: tuple[str, ...] = ()
    check_components: bool = False
    only: list[str] | None = None


@dataclass
class LoadState:
    """The state one load's stages share. ``namespaces`` holds the ``var``, ``local`` and ``data``
    roots once their owners exist."""

    opts: LoadOptions
    col: Collector = field(default_factory=Collector)
    root: str = "."
    bodies: list[tuple[str, HBody]] = field(default_factory=list)
    funcs: dict[str, Callable[..., Any]] = field(default_factory=dict)
    env_funcs: dict[str, Callable[..., Any]] = field(default_factory=dict)
    namespaces: dict[str, Namespace] = field(default_factory=dict)
    hcp_warned: bool = False  # the one "hcp_packer_registry is ignored" warning was given

    @property
    def syntax_only(self) -> bool:
        return self.opts.syntax_only

    def setup_functions(self) -> None:
        """The function tables: ``funcs`` for expressions, ``env_funcs`` (with ``env``) for
        variable defaults."""
        # Packer resolves relative paths in file functions against the working directory
        self.funcs = function_table(os.getcwd(), False)
        self.env_funcs = function_table(os.getcwd(), True)
        env = self.opts.env

        def env_fn(key: Any) -> str:
            return str(env.get(str(key), ""))

        self.env_funcs["env"] = env_fn

    def base_vars(self) -> dict[str, Any]:
        return {
            "path": {"root": self.root, "cwd": os.getcwd()},
            "packer": {"version": builder.PACKER_COMPAT_VERSION},
        }

    def build_scope(self) -> Scope:
        if self.syntax_only:
            return Scope(self.base_vars(), self.funcs)
        return self.root_scope()

    def root_scope(self) -> Scope:
        v = self.base_vars()
        v.update(self.namespaces)
        return Scope(v, self.funcs)

    def all_blocks(self) -> list[HBlock]:
        """The top-level blocks of every file, in file order."""
        return [b for _f, body in self.bodies for b in body.blocks]

    def blocks(self, kind: str) -> list[HBlock]:
        return [b for b in self.all_blocks() if b.type == kind]

    def const(self, node: E.Node) -> Any:
        """Evaluate an expression that may not reference anything."""
        for root, _attr, loc in E.traversals(node):
            if root in CONTEXT_ROOTS:
                raise fail(
                    "Variables not allowed",
                    f'Variables may not be used here (found a reference to "{root}").',
                    loc,
                )
        return evaluate(node, Scope({}, self.funcs))

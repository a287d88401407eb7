"""Loading Packer HCL2 templates into the typed :class:`~builder.template.model.Template`.

Order (as Packer): find files → parse all → check ``packer { required_version }`` →
decode variables → collect values (``PKR_VAR_*`` < ``*.auto.pkrvars.hcl`` < ``-var-file``
< ``-var``) → validate variables → evaluate locals (dependency order) → sources → builds
→ evaluate sources/components once with placeholder build values to report every
problem at once.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import builder
from builder import secrets
from builder.errors import Diagnostic, Location, TemplateError
from builder.plugins import REGISTRY, WINDOWS_ONLY, unknown_component
from builder.template import cache as ast_cache
from builder.template import expr as E
from builder.template.datasources import DataSources
from builder.template.evaluator import (
    EvalError,
    Namespace,
    Scope,
    evaluate,
    fail,
    masked,
    suggest,
    to_str,
)
from builder.template.functions import function_table
from builder.template.model import (
    BuildSpec,
    ComponentSpec,
    LocalInfo,
    SourceSpec,
    Template,
    VariableInfo,
    build_full_name,
    is_selected,
)
from builder.template.typeexpr import (
    ANY,
    ConversionError,
    Type,
    TypeSyntaxError,
    convert,
    is_complex,
    parse_type,
    type_str,
)

HCL_EXT = ".pkr.hcl"
JSON_EXT = ".pkr.json"
VARS_EXT = ".pkrvars.hcl"
VARS_JSON_EXT = ".pkrvars.json"
AUTO_VARS_EXT = ".auto.pkrvars.hcl"
AUTO_VARS_JSON_EXT = ".auto.pkrvars.json"

VERSION_MISMATCH = "Unsupported Packer Core version"
TOP_LEVEL = ("packer", "source", "variables", "variable", "locals", "local", "data", "build")

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

CONTEXT_ROOTS = ("var", "local", "data", "source", "build", "path", "packer", "each", "count", "self")
PROVISIONER_META = ("name", "only", "except", "pause_before", "max_retries", "timeout", "override")
POST_PROCESSOR_META = ("name", "only", "except", "keep_input_artifact")


# ---------------------------------------------------------------------------
# Generic body decoding
# ---------------------------------------------------------------------------


@dataclass
class HAttr:
    name: str
    expr: E.Node
    loc: Location


@dataclass
class HBlock:
    type: str
    labels: list[str]
    body: HBody
    loc: Location
    label_locs: list[Location] = field(default_factory=list)


@dataclass
class HBody:
    attrs: dict[str, HAttr]
    blocks: list[HBlock]
    loc: Location

    def blocks_of(self, kind: str) -> list[HBlock]:
        return [b for b in self.blocks if b.type == kind]


def _end_line(t: Any) -> int:
    """Line of the last real token of t (trailing newlines/comments excluded)."""
    for ch in reversed(t.children):
        if isinstance(ch, E.Token):
            if ch.type == "NL_OR_COMMENT":
                continue
            end = int(ch.end_line or ch.line)
            # a heredoc's token swallows the newline after its closing marker
            return end - 1 if str(ch).endswith("\n") and end > ch.line else end
        if isinstance(ch, E.Tree) and ch.data != "new_line_or_comment":
            r = _end_line(ch)
            if r:
                return r
    return 0


def _check_layout(block: Any, items: list[Any], comp: E.Compiler) -> None:
    """HCL rules python-hcl2's grammar does not enforce: one argument per line, and a
    single-line block holds a single argument and is closed on the same line."""
    prev_end = 0
    for it in items:
        if prev_end and it.meta.line == prev_end:
            comp.err(
                "Missing newline after argument",
                "An argument definition must end with a newline.",
                comp.pm.of(it),
            )
        prev_end = _end_line(it)
    if block is None or not items:
        return
    toks = [k for k in block.children if isinstance(k, E.Token)]
    lbrace = next((k for k in toks if k.type == "LBRACE"), None)
    rbrace = next((k for k in reversed(toks) if k.type == "RBRACE"), None)
    if lbrace is None or rbrace is None or items[0].meta.line != lbrace.line:
        return
    multi = len(items) > 1 and items[1].meta.line != items[0].meta.line
    unclosed = len(items) == 1 and rbrace.line != _end_line(items[0])
    if multi or unclosed:
        comp.err(
            "Invalid single-argument block definition",
            "An argument definition on the same line as its containing block creates a single-line block "
            "definition, which must also be closed on the same line. Place the block's closing brace "
            "immediately after the argument definition.",
            comp.pm.of(items[0]),
        )


def _decode_body(tree: Any, comp: E.Compiler, loc: Location, block: Any = None) -> HBody:
    body = HBody({}, [], loc)
    items = [ch for ch in tree.children if isinstance(ch, E.Tree) and ch.data in ("attribute", "block")]
    _check_layout(block, items, comp)
    for ch in items:
        if ch.data == "attribute":
            name = E._name_of(ch.children[0])
            aloc = comp.pm.of(ch)
            expr_t = [c for c in ch.children[1:] if E._is_expr(c)][-1]
            node = comp.compile(expr_t)
            if name in body.attrs:
                prev = body.attrs[name].loc
                comp.err(
                    "Attribute redefined",
                    f'The argument "{name}" was already set at '
                    f"{prev.filename}:{prev.line},{prev.col}. Each argument may be set only once.",
                    aloc,
                )
                continue
            body.attrs[name] = HAttr(name, node, aloc)
        elif ch.data == "block":
            bloc = comp.pm.of(ch)
            kids = ch.children
            btype = E._name_of(kids[0])
            labels: list[str] = []
            label_locs: list[Location] = []
            inner = None
            for k in kids[1:]:
                if isinstance(k, E.Tree) and k.data == "body":
                    inner = k
                    break
                if isinstance(k, E.Tree) and k.data in ("identifier", "string", "keyword", "literal_value"):
                    labels.append(E._name_of(k))
                    label_locs.append(comp.pm.of(k))
            sub = _decode_body(inner, comp, bloc, ch) if inner is not None else HBody({}, [], bloc)
            body.blocks.append(HBlock(btype, labels, sub, bloc, label_locs))
    return body


# ---------------------------------------------------------------------------
# Loader state
# ---------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.diags: list[Diagnostic] = []
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, d: Diagnostic) -> None:
        key = (d.summary, d.detail, str(d.location))
        if key in self._seen:
            return
        self._seen.add(key)
        self.diags.append(d)

    def extend(self, ds: list[Diagnostic]) -> None:
        for d in ds:
            self.add(d)

    def err(self, summary: str, detail: str, loc: Location | None) -> None:
        self.add(Diagnostic(summary, detail, loc))

    def warn(self, summary: str, detail: str, loc: Location | None) -> None:
        self.add(Diagnostic(summary, detail, loc, severity="warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diags if d.severity == "error"]


@dataclass
class _Var:
    name: str
    block: HBlock
    type: Type = ANY
    type_text: str = "any"
    description: str = ""
    sensitive: bool = False
    has_default: bool = False
    default: Any = None
    value: Any = None
    is_set: bool = False
    value_loc: Location | None = None
    ok: bool = True


@dataclass
class _Local:
    name: str
    expr: E.Node
    loc: Location
    sensitive: bool = False
    state: str = "pending"  # pending | busy | done | failed
    value: Any = None


def _find_files(path: str, col: _Collector) -> tuple[list[str], list[str], str]:
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


def _read(path: str, col: _Collector) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except UnicodeDecodeError:
        col.err("Invalid file encoding", f"{path} is not valid UTF-8.", Location(path))
    except OSError as e:
        col.err("Failed to read file", f"{path}: {e.strerror}", Location(path))
    return None


def _parse(path: str, col: _Collector) -> HBody | None:
    text = _read(path, col)
    if text is None:
        return None
    key = ast_cache.key("file", path, text)
    cached = ast_cache.get(key)
    if isinstance(cached, HBody):
        return cached
    parsed = E.parse_file_text(text, path)
    if parsed.diags:
        col.extend(parsed.diags)
        return None
    assert parsed.tree is not None
    comp = E.Compiler(E.PosMap(path), parsed.overrides)
    body = _decode_body(parsed.tree.children[0], comp, Location(path, 1, 1))
    col.extend(comp.diags)
    if not comp.diags:
        ast_cache.put(key, body)
    return body


# ---------------------------------------------------------------------------
# version constraints
# ---------------------------------------------------------------------------

_VER_RE = re.compile(r"^\s*(=|!=|>=|<=|>|<|~>)?\s*v?(\d+(?:\.\d+){0,2})(?:-([0-9A-Za-z.-]+))?\s*$")


def _vtuple(s: str) -> tuple[int, int, int]:
    parts = [int(x) for x in s.split(".")] + [0, 0]
    return parts[0], parts[1], parts[2]


def check_version_constraint(constraint: str, version: str) -> bool:
    """True if version satisfies the (comma separated) constraint. Raises ValueError if invalid."""
    v = _vtuple(version.split("-")[0])
    for part in constraint.split(","):
        m = _VER_RE.match(part)
        if not m:
            raise ValueError(part.strip())
        op, ver = m.group(1) or "=", m.group(2)
        c = _vtuple(ver)
        if op == "=" and v != c:
            return False
        if op == "!=" and v == c:
            return False
        if op == ">" and not v > c:
            return False
        if op == ">=" and not v >= c:
            return False
        if op == "<" and not v < c:
            return False
        if op == "<=" and not v <= c:
            return False
        if op == "~>":
            n = len(ver.split("."))
            if v < c:
                return False
            upper = (c[0] + 1, 0, 0) if n <= 2 else (c[0], c[1] + 1, 0)
            if n == 1:
                upper = (c[0] + 1, 0, 0)
            if not v < upper:
                return False
    return True


# ---------------------------------------------------------------------------
# The loader
# ---------------------------------------------------------------------------


class _Loader:
    def __init__(
        self,
        path: str,
        var_files: list[str],
        cli_vars: Mapping[str, str],
        env: Mapping[str, str],
        syntax_only: bool,
        evaluate_datasources: bool = True,
        except_: tuple[str, ...] = (),
        check_components: bool = False,
        only: list[str] | None = None,
    ):
        self.path = path
        # -only/-except: unselected builds are not evaluated; -except also skips named components
        self.only, self.except_ = only, except_
        self.check_components = check_components
        self.var_files = list(var_files)
        self.cli_vars = dict(cli_vars)
        self.env = env
        self.syntax_only = syntax_only
        self.col = _Collector()
        self.vars: dict[str, _Var] = {}
        self.locals: dict[str, _Local] = {}
        self.local_stack: list[str] = []
        self.sources: dict[tuple[str, str], HBlock] = {}
        self.root = "."
        self.required_version = ""
        self.required_plugins: dict[str, Any] = {}
        self.bodies: list[tuple[str, HBody]] = []
        self.builds: list[BuildSpec] = []
        self.funcs: dict[str, Callable[..., Any]] = {}
        self.env_funcs: dict[str, Callable[..., Any]] = {}
        self.var_ns = Namespace("var", lambda: list(self.vars), self._get_var, self._missing_var)
        self.local_ns = Namespace("local", lambda: list(self.locals), self._get_local, self._missing_local)
        self.data = DataSources(
            self.root_scope, lambda body, scope, diags: self.eval_body(body, scope, (), diags),
            self.col.extend, lambda: self.root, evaluate_datasources,
        )

    # -- scopes -------------------------------------------------------------
    def _setup_functions(self) -> None:
        # Packer resolves relative paths in file functions against the working directory
        self.funcs = function_table(os.getcwd(), False)
        self.env_funcs = function_table(os.getcwd(), True)
        env = self.env

        def env_fn(key: Any) -> str:
            return str(env.get(str(key), ""))

        self.env_funcs["env"] = env_fn

    def _base_vars(self) -> dict[str, Any]:
        return {
            "path": {"root": self.root, "cwd": os.getcwd()},
            "packer": {"version": builder.PACKER_COMPAT_VERSION},
        }

    def _build_scope(self) -> Scope:
        if self.syntax_only:
            return Scope(self._base_vars(), self.funcs)
        return self.root_scope()

    def root_scope(self) -> Scope:
        v = self._base_vars()
        v["var"] = self.var_ns
        v["local"] = self.local_ns
        v["data"] = self.data.namespace
        return Scope(v, self.funcs)

    # -- main ---------------------------------------------------------------
    def run(self) -> Template:
        files, autos, self.root = _find_files(self.path, self.col)
        self._setup_functions()
        for f in files:
            body = _parse(f, self.col)
            if body is not None:
                self.bodies.append((f, body))
        if self.col.errors:
            raise TemplateError(masked(_sorted(self.col.diags)))
        self._check_top_level()
        self._decode_packer_blocks()
        # as Packer, a required_version this version does not meet stops here; other errors
        # (an unknown block type...) do not hide the rest of the file's
        if any(d.summary == VERSION_MISMATCH for d in self.col.errors):
            raise TemplateError(masked(_sorted(self.col.diags)))
        self._decode_variables()
        self._decode_locals()
        self._decode_sources_and_data()
        if not self.syntax_only:
            self._collect_values(autos)
            self._finish_variables()
            self._validate_variables()
            self._evaluate_locals()
            self.data.evaluate_all()
        self._decode_builds()
        if not self.syntax_only:
            self._validate_builds()
        if self.col.errors:
            self._keep_names(files)
            raise TemplateError(masked(_sorted(self.col.diags)))
        return self._template(files)

    def _keep_names(self, files: list[str]) -> None:
        """A template that fails to load still has its names (files, blocks, labels, options)
        readable in the diagnostics, even where a secret's value is the same word."""
        try:
            names = self._template(files).names()
        except Exception:  # a half-decoded template: its diagnostics are what matters
            names = list(files)
        secrets.keep_names(*names)

    def _template(self, files: list[str]) -> Template:
        variables = {
            n: VariableInfo(n, v.value, v.type_text, v.description, v.sensitive, v.block.loc)
            for n, v in self.vars.items()
        }
        locs = {n: LocalInfo(n, lv.value, lv.sensitive, lv.loc) for n, lv in self.locals.items()}
        t = Template(
            self.path,
            self.root,
            variables,
            locs,
            self.builds,
            self.required_version,
            self.required_plugins,
            files,
        )
        warnings = [d for d in self.col.diags if d.severity == "warning"]
        t.warnings = warnings
        t.data = self.data.values()
        return t

    # -- top level ----------------------------------------------------------
    def _check_top_level(self) -> None:
        for _f, body in self.bodies:
            for a in body.attrs.values():
                self.col.err(
                    "Unsupported argument", f'An argument named "{a.name}" is not expected here.', a.loc
                )
            for b in body.blocks:
                if b.type not in TOP_LEVEL:
                    if b.type == "communicator":
                        self.col.err(
                            "Unsupported block type",
                            "pybuild does not support top-level "
                            '"communicator" blocks; set communicator options in the source block.',
                            b.loc,
                        )
                        continue
                    self.col.err(
                        "Unsupported block type",
                        f'Blocks of type "{b.type}" are not expected here.{suggest(b.type, TOP_LEVEL)}',
                        b.loc,
                    )

    def _blocks(self, kind: str) -> list[HBlock]:
        return [b for _f, body in self.bodies for b in body.blocks if b.type == kind]

    def _const(self, node: E.Node) -> Any:
        """Evaluate an expression that may not reference anything."""
        for root, _attr, loc in E.traversals(node):
            if root in CONTEXT_ROOTS:
                raise fail(
                    "Variables not allowed",
                    f'Variables may not be used here (found a reference to "{root}").',
                    loc,
                )
        return evaluate(node, Scope({}, self.funcs))

    def _labels(self, b: HBlock, n: int, names: str) -> bool:
        if len(b.labels) != n:
            what = "no labels" if n == 0 else f"{n} label{'s' if n > 1 else ''}"
            if len(b.labels) < n:
                self.col.err(
                    "Missing name for " + b.type if n == 1 else f"Missing {names} for {b.type}",
                    f"All {b.type} blocks must have {what} ({names}).",
                    b.loc,
                )
            else:
                self.col.err(
                    f"Extraneous label for {b.type}",
                    f"Only {what} expected for {b.type} blocks ({names}).",
                    b.label_locs[n] if len(b.label_locs) > n else b.loc,
                )
            return False
        return True

    def _check_attrs(self, body: HBody, allowed: tuple[str, ...] | None, blocks: tuple[str, ...] = ()) -> None:
        """Report arguments not in ``allowed`` (None: any argument) and blocks not in ``blocks``."""
        for a in body.attrs.values():
            if allowed is not None and a.name not in allowed:
                self.col.err(
                    "Unsupported argument",
                    f'An argument named "{a.name}" is not expected here.{suggest(a.name, allowed)}',
                    a.loc,
                )
        for b in body.blocks:
            if b.type not in blocks:
                self.col.err(
                    "Unsupported block type",
                    f'Blocks of type "{b.type}" are not expected here.{suggest(b.type, blocks)}',
                    b.loc,
                )

    def _decode_packer_blocks(self) -> None:
        for b in self._blocks("packer"):
            self._labels(b, 0, "")
            self._check_attrs(b.body, ("required_version",), ("required_plugins",))
            a = b.body.attrs.get("required_version")
            if a is not None:
                try:
                    rv = self._const(a.expr)
                except EvalError as e:
                    self.col.extend(e.diags)
                    continue
                if not isinstance(rv, str):
                    self.col.err("Invalid required_version", "required_version must be a string.", a.expr.loc)
                    continue
                self.required_version = rv
                try:
                    ok = check_version_constraint(rv, builder.PACKER_COMPAT_VERSION)
                except ValueError as e:
                    self.col.err(
                        "Invalid version constraint",
                        f'The string "{e}" is not a valid version constraint: this must be a '
                        'version constraint like ">= 1.6.0".',
                        a.expr.loc,
                    )
                    continue
                if not ok:
                    self.col.err(
                        VERSION_MISMATCH,
                        f"This configuration does not support Packer version "
                        f"{builder.PACKER_COMPAT_VERSION} (pybuild's compatibility version); it "
                        f'requires "{rv}". To proceed, either choose another supported version or '
                        "update this version constraint.",
                        a.expr.loc,
                    )
            for rp in b.body.blocks_of("required_plugins"):
                self._check_attrs(rp.body, tuple(rp.body.attrs))
                for name, pa in rp.body.attrs.items():
                    try:
                        self.required_plugins[name] = self._const(pa.expr)
                    except EvalError as e:
                        self.col.extend(e.diags)

    # -- variables ------------------------------------------------------------
    def _decode_variables(self) -> None:
        for b in [b for _f, body in self.bodies for b in body.blocks if b.type in ("variable", "variables")]:
            if b.type == "variables":
                self._labels(b, 0, "")
                self._check_attrs(b.body, None)
                for a in b.body.attrs.values():
                    if self._dup_var(a.name, a.loc):
                        continue
                    v = _Var(a.name, HBlock("variable", [a.name], HBody({}, [], a.loc), a.loc, [a.loc]))
                    v.has_default = True
                    try:
                        v.default = self._eval_default(a.expr)
                        v.value_loc = a.expr.loc
                    except EvalError as e:
                        self.col.extend(e.diags)
                        v.ok = False
                    self.vars[a.name] = v
                continue
            if not self._labels(b, 1, "name"):
                continue
            name = b.labels[0]
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", name):
                self.col.err(
                    "Invalid variable name",
                    "A name must start with a letter or underscore and may "
                    "contain only letters, digits, underscores, and dashes.",
                    b.label_locs[0],
                )
                continue
            if self._dup_var(name, b.loc):
                continue
            self._check_attrs(b.body, ("description", "default", "type", "sensitive"), ("validation",))
            v = _Var(name, b)
            self.vars[name] = v
            at = b.body.attrs
            if "type" in at:
                try:
                    v.type = parse_type(at["type"].expr)
                    v.type_text = type_str(v.type)
                except TypeSyntaxError as e:
                    self.col.err("Invalid type specification", str(e), e.loc)
                    v.ok = False
            for key in ("description",):
                if key in at:
                    try:
                        d = self._const(at[key].expr)
                        v.description = to_str(d, at[key].expr.loc) if d is not None else ""
                    except EvalError as e:
                        self.col.extend(e.diags)
            if "sensitive" in at:
                try:
                    s = self._const(at["sensitive"].expr)
                    if not isinstance(s, bool):
                        raise fail(
                            "Invalid sensitive value",
                            "sensitive must be true or false.",
                            at["sensitive"].expr.loc,
                        )
                    v.sensitive = s
                except EvalError as e:
                    self.col.extend(e.diags)
            if "default" in at:
                v.has_default = True
                v.value_loc = at["default"].expr.loc
                try:
                    d = self._eval_default(at["default"].expr)
                    if v.ok:
                        try:
                            d = convert(d, v.type)
                        except ConversionError as ce:
                            self.col.err(
                                "Invalid default value for variable",
                                f"This default value is not compatible with the variable's type "
                                f"constraint: {ce}.",
                                at["default"].expr.loc,
                            )
                            v.ok = False
                    v.default = d
                except EvalError as e:
                    self.col.extend(e.diags)
                    v.ok = False
            for vb in b.body.blocks_of("validation"):
                self._labels(vb, 0, "")
                self._check_attrs(vb.body, ("condition", "error_message"))
                for req in ("condition", "error_message"):
                    if req not in vb.body.attrs:
                        self.col.err(
                            "Missing required argument",
                            f'The argument "{req}" is required, but no definition was found.',
                            vb.loc,
                        )

    def _dup_var(self, name: str, loc: Location) -> bool:
        if name in self.vars:
            prev = self.vars[name].block.loc
            self.col.err(
                "Duplicate variable",
                f"Duplicate {name} variable definition found "
                f"(previously declared at {prev.filename}:{prev.line},{prev.col}).",
                loc,
            )
            return True
        return False

    def _eval_default(self, node: E.Node) -> Any:
        for root, _attr, loc in E.traversals(node):
            if root not in CONTEXT_ROOTS:
                continue
            raise fail(
                "Variables not allowed",
                f'Variables may not be used here: a variable default value cannot refer to "{root}".',
                loc,
            )
        return evaluate(node, Scope({}, self.env_funcs))

    def _parse_cli_value(self, v: _Var, raw: str, where: str, loc: Location | None) -> None:
        """A string value from PKR_VAR_/-var: complex types are parsed as HCL expressions."""
        value: Any = raw
        if is_complex(v.type) and v.type != ANY:
            comp = E.Compiler(E.PosMap(where))
            node = E.parse_expression(raw, E.PosMap(where), comp)
            if comp.diags:
                self.col.err(
                    "Invalid value for variable",
                    f'The value for "{v.name}" given in {where} is not a '
                    f"valid expression: {comp.diags[0].summary}: {comp.diags[0].detail}",
                    loc,
                )
                return
            try:
                value = self._const(node)
            except EvalError as e:
                self.col.err(
                    "Invalid value for variable",
                    f'The value for "{v.name}" given in {where} could '
                    f"not be evaluated: {e.diags[0].detail if e.diags else ''}",
                    loc,
                )
                return
        self._assign(v, value, loc, where)

    def _assign(self, v: _Var, value: Any, loc: Location | None, where: str) -> None:
        try:
            value = convert(value, v.type)
        except ConversionError as ce:
            self.col.err(
                "Invalid value for variable",
                f"The value for {v.name} given in {where} is not compatible with the variable's type "
                f"constraint: {ce}.",
                loc,
            )
            v.ok = False
            return
        v.value = value
        v.is_set = True
        v.value_loc = loc

    def _collect_values(self, autos: list[str]) -> None:
        # 1. environment
        for k, raw in self.env.items():
            if k.startswith("PKR_VAR_"):
                name = k[len("PKR_VAR_") :]
                if name in self.vars:
                    self._parse_cli_value(
                        self.vars[name], raw, f"environment variable {k}", self.vars[name].block.loc
                    )
        # 2. auto var files, 3. -var-file in order
        for f in autos + self.var_files:
            self._load_var_file(f)
        # 4. -var last
        for name, raw in self.cli_vars.items():
            if name not in self.vars:
                self.col.err(
                    "Undefined -var variable",
                    f'A "{name}" variable was passed in but was not found in known variables. To '
                    f'declare variable "{name}", place this block in one of your {HCL_EXT} files, '
                    f"such as variables{HCL_EXT}.{suggest(name, self.vars)}",
                    Location(f"-var {name}"),
                )
                continue
            self._parse_cli_value(self.vars[name], raw, f"-var {name}", self.vars[name].block.loc)

    def _load_var_file(self, path: str) -> None:
        if path.endswith(".json"):
            text = _read(path, self.col)
            if text is None:
                return
            try:
                data = json.loads(text)
            except json.JSONDecodeError as e:
                self.col.err("Invalid JSON var file", e.msg, Location(path, e.lineno, e.colno))
                return
            if not isinstance(data, dict):
                self.col.err(
                    "Invalid JSON var file", "The root of a var file must be an object.", Location(path)
                )
                return
            for name, value in data.items():
                if name not in self.vars:
                    self._undeclared_in_file(name, Location(path))
                    continue
                self._assign(self.vars[name], value, Location(path), path)
            return
        if not os.path.isfile(path):
            self.col.err("Failed to read var file", f"The var file {path} does not exist.", Location(path))
            return
        body = _parse(path, self.col)
        if body is None:
            return
        for b in body.blocks:
            self.col.err(
                "Unexpected block in var file",
                f'Blocks of type "{b.type}" are not allowed in a var '
                "file; a var file may only contain variable assignments like name = value.",
                b.loc,
            )
        for a in body.attrs.values():
            if a.name not in self.vars:
                self._undeclared_in_file(a.name, a.loc)
                continue
            try:
                value = self._const(a.expr)
            except EvalError as e:
                self.col.extend(e.diags)
                self.vars[a.name].ok = False
                continue
            self._assign(self.vars[a.name], value, a.expr.loc, path)

    def _undeclared_in_file(self, name: str, loc: Location) -> None:
        self.col.warn(
            "Undefined variable",
            f'A "{name}" variable was set but was not found in known variables. To declare variable '
            f'"{name}", place this block in one of your {HCL_EXT} files, such as '
            f"variables{HCL_EXT}.{suggest(name, self.vars)}",
            loc,
        )

    def _finish_variables(self) -> None:
        for v in self.vars.values():
            if not v.is_set:
                if v.has_default:
                    v.value = v.default
                elif v.ok:
                    self.col.err(
                        f'Unset variable "{v.name}"',
                        "A used variable must be set or have a default value; see "
                        "https://packer.io/docs/configuration/from-1.5/syntax for details.",
                        v.block.loc,
                    )
                    v.ok = False
            if v.sensitive and v.value is not None:
                secrets.add(v.value)

    def _validate_variables(self) -> None:
        for v in self.vars.values():
            if not v.ok:
                continue
            for vb in v.block.body.blocks_of("validation"):
                cond = vb.body.attrs.get("condition")
                msg_a = vb.body.attrs.get("error_message")
                if cond is None or msg_a is None:
                    continue
                ok = True
                for root, attr, loc in E.traversals(cond.expr):
                    if (root == "var" and attr != v.name) or root in ("local", "data", "path", "packer"):
                        self.col.err(
                            "Invalid reference in variable validation",
                            f'The condition for variable "{v.name}" can only refer to the variable '
                            "itself, using var." + v.name + ".",
                            loc,
                        )
                        ok = False
                if not ok:
                    continue
                scope = Scope({"var": {v.name: v.value}}, self.funcs)
                try:
                    res = evaluate(cond.expr, scope)
                    msg = evaluate(msg_a.expr, Scope({}, self.funcs))
                except EvalError as e:
                    self.col.extend(e.diags)
                    continue
                if not isinstance(res, bool):
                    self.col.err(
                        "Invalid validation result",
                        f"Validation condition expression must return either true or false, not {res!r}.",
                        cond.expr.loc,
                    )
                    continue
                if not res:
                    cl = cond.loc
                    where = v.value_loc or v.block.loc
                    summary = (
                        "Invalid value for variable" if v.is_set else "Invalid value for default variable"
                    )
                    self.col.err(
                        summary,
                        f"{msg}\n\nThis was checked by the validation rule at "
                        f"{cl.filename}:{cl.line},{cl.col}.",
                        where,
                    )

    def _get_var(self, name: str, loc: Location) -> Any:
        v = self.vars[name]
        if not v.ok:
            raise EvalError([])
        return v.value

    def _missing_var(self, name: str, loc: Location) -> EvalError:
        return fail(
            "Reference to undeclared input variable",
            f'An input variable with the name "{name}" has not been declared.{suggest(name, self.vars)}',
            loc,
        )

    # -- locals ------------------------------------------------------------------
    def _decode_locals(self) -> None:
        for b in [b for _f, body in self.bodies for b in body.blocks if b.type in ("locals", "local")]:
            if b.type == "locals":
                self._labels(b, 0, "")
                self._check_attrs(b.body, None)
                for a in b.body.attrs.values():
                    self._add_local(_Local(a.name, a.expr, a.loc))
            else:
                if not self._labels(b, 1, "name"):
                    continue
                self._check_attrs(b.body, ("expression", "sensitive"))
                ex = b.body.attrs.get("expression")
                if ex is None:
                    self.col.err(
                        "Missing required argument",
                        'The argument "expression" is required, but no definition was found.',
                        b.loc,
                    )
                    continue
                lv = _Local(b.labels[0], ex.expr, b.loc)
                if "sensitive" in b.body.attrs:
                    try:
                        s = self._const(b.body.attrs["sensitive"].expr)
                        lv.sensitive = bool(s)
                    except EvalError as e:
                        self.col.extend(e.diags)
                self._add_local(lv)

    def _add_local(self, lv: _Local) -> None:
        if lv.name in self.locals:
            prev = self.locals[lv.name].loc
            self.col.err(
                "Duplicate local definition",
                f'Local variable "{lv.name}" is defined twice: '
                f"previously at {prev.filename}:{prev.line},{prev.col}.",
                lv.loc,
            )
            return
        self.locals[lv.name] = lv

    def _get_local(self, name: str, loc: Location) -> Any:
        lv = self.locals[name]
        if lv.state == "done":
            return lv.value
        if lv.state == "failed":
            raise EvalError([])
        if lv.state == "busy":
            i = self.local_stack.index(name)
            chain = " -> ".join(f"local.{n}" for n in [*self.local_stack[i:], name])
            raise fail(
                "Cyclic local value reference", f"Local value local.{name} depends on itself: {chain}.", loc
            )
        if self.syntax_only:
            return None
        lv.state = "busy"
        self.local_stack.append(name)
        try:
            val = evaluate(lv.expr, self.root_scope())
        except EvalError as e:
            lv.state = "failed"
            self.col.extend(e.diags)
            raise EvalError([])
        finally:
            self.local_stack.pop()
        lv.state = "done"
        lv.value = val
        if lv.sensitive and val is not None:
            secrets.add(val)
        return val

    def _missing_local(self, name: str, loc: Location) -> EvalError:
        return fail(
            "Reference to undeclared local value",
            f'A local value with the name "{name}" has not been declared.{suggest(name, self.locals)}',
            loc,
        )

    def _evaluate_locals(self) -> None:
        for name in list(self.locals):
            try:
                self._get_local(name, self.locals[name].loc)
            except EvalError as e:
                self.col.extend(e.diags)

    # -- sources / data ------------------------------------------------------------
    def _decode_sources_and_data(self) -> None:
        for b in self._blocks("source"):
            if not self._labels(b, 2, "type and name"):
                continue
            key = (b.labels[0], b.labels[1])
            if key in self.sources:
                prev = self.sources[key].loc
                self.col.err(
                    "Duplicate source block",
                    f"This source block has the same builder type and name as a previous block declared "
                    f"at {prev.filename}:{prev.line},{prev.col}. Each source must have a unique name per "
                    "builder type.",
                    b.loc,
                )
                continue
            self.sources[key] = b
        for b in self._blocks("data"):
            if self._labels(b, 2, "type and name") and not self.syntax_only:
                self.col.extend(self.data.add(b))

    # -- builds ----------------------------------------------------------------------
    def _decode_builds(self) -> None:
        for i, b in enumerate(self._blocks("build")):
            self._labels(b, 0, "")
            spec = self._decode_build(b, i)
            if spec is not None:
                self.builds.append(spec)

    def _decode_build(self, b: HBlock, idx: int) -> BuildSpec | None:
        body = b.body
        self._check_attrs(
            body,
            ("name", "description", "sources"),
            (
                "source",
                "provisioner",
                "error-cleanup-provisioner",
                "post-processor",
                "post-processors",
                "hcp_packer_registry",
            ),
        )
        scope = self._build_scope()
        name = description = ""
        for akey in ("name", "description"):
            if akey in body.attrs:
                try:
                    val = evaluate(body.attrs[akey].expr, scope) if not self.syntax_only else ""
                    val = to_str(val, body.attrs[akey].expr.loc) if val is not None else ""
                except EvalError as e:
                    self.col.extend(e.diags)
                    val = ""
                if akey == "name":
                    name = val
                else:
                    description = val
        spec = BuildSpec(name, description, b.loc, [])
        used: set[str] = set()
        sources_attr = body.attrs.get("sources")
        if sources_attr is not None:
            refs = self._source_refs(sources_attr.expr)
            for ref, loc in refs:
                key = self._resolve_source(ref, loc)
                if key is None:
                    continue
                spec.sources.append(self._make_source(key, key[1], None, loc))
                used.add(f"{key[0]}.{key[1]}")
        for sb in body.blocks_of("source"):
            if not self._labels(sb, 1, "source reference"):
                continue
            key = self._resolve_source(sb.labels[0], sb.label_locs[0] if sb.label_locs else sb.loc)
            if key is None:
                continue
            new_name = key[1]
            if "name" in sb.body.attrs:
                try:
                    nv = self._const(sb.body.attrs["name"].expr)
                    if not isinstance(nv, str) or not nv:
                        raise fail(
                            "Invalid source name",
                            "name must be a non-empty string.",
                            sb.body.attrs["name"].expr.loc,
                        )
                    new_name = nv
                except EvalError as e:
                    self.col.extend(e.diags)
            full = f"{key[0]}.{new_name}"
            if full in used:
                self.col.err(
                    "Duplicate source in build",
                    f'The source "{full}" is used more than once in this build; give the in-build '
                    "source block a distinct name.",
                    sb.loc,
                )
                continue
            used.add(full)
            orig = self.sources[key]
            for a in sb.body.attrs.values():
                if a.name != "name" and a.name in orig.body.attrs:
                    prev = orig.body.attrs[a.name].loc
                    self.col.err(
                        "Duplicate argument",
                        f'The argument "{a.name}" is already set in source "{key[0]}.{key[1]}" at '
                        f"{prev.filename}:{prev.line},{prev.col}. An in-build source block may only set "
                        "arguments that the top-level source block does not set.",
                        a.loc,
                    )
            spec.sources.append(self._make_source(key, new_name, sb, sb.loc))
        for pb in body.blocks:
            if pb.type in ("provisioner", "error-cleanup-provisioner"):
                comp = self._make_component(pb, pb.type, spec)
                if comp is None:
                    continue
                if pb.type == "provisioner":
                    spec.provisioners.append(comp)
                elif spec.error_cleanup is not None:
                    self.col.err(
                        "Duplicate error-cleanup-provisioner",
                        "Only one error-cleanup-provisioner block is allowed in a build.",
                        pb.loc,
                    )
                else:
                    spec.error_cleanup = comp
            elif pb.type == "post-processor":
                comp = self._make_component(pb, "post-processor", spec)
                if comp is not None:
                    spec.post_processor_chains.append([comp])
            elif pb.type == "post-processors":
                self._labels(pb, 0, "")
                self._check_attrs(pb.body, (), ("post-processor",))
                chain = []
                for ppb in pb.body.blocks_of("post-processor"):
                    comp = self._make_component(ppb, "post-processor", spec)
                    if comp is not None:
                        chain.append(comp)
                if chain:
                    spec.post_processor_chains.append(chain)
            elif pb.type == "hcp_packer_registry":
                self.col.warn(
                    "Ignored block",
                    "pybuild ignores hcp_packer_registry blocks (HCP Packer is not supported).",
                    pb.loc,
                )
        return spec

    def _source_refs(self, node: E.Node) -> list[tuple[str, Location]]:
        out: list[tuple[str, Location]] = []
        items: list[E.Node]
        if isinstance(node, E.TupleN):
            items = node.items
        else:
            try:
                v = evaluate(node, self._build_scope())
            except EvalError as e:
                if not self.syntax_only:
                    self.col.extend(e.diags)
                return out
            if not isinstance(v, list):
                self.col.err(
                    "Invalid sources",
                    'sources must be a list of source references like "source.qemu.example".',
                    node.loc,
                )
                return out
            return [(str(x), node.loc) for x in v]
        for it in items:
            # a bare traversal: source.qemu.example
            parts: list[str] = []
            n: E.Node = it
            while isinstance(n, E.Attr):
                parts.insert(0, n.name)
                n = n.obj
            if isinstance(n, E.Ref) and parts:
                out.append((".".join([n.name, *parts]), it.loc))
                continue
            try:
                v = evaluate(it, self._build_scope())
            except EvalError as e:
                if not self.syntax_only:
                    self.col.extend(e.diags)
                continue
            if not isinstance(v, str):
                self.col.err(
                    "Invalid source reference",
                    'A source reference must be a string like "source.qemu.example".',
                    it.loc,
                )
                continue
            out.append((v, it.loc))
        return out

    def _resolve_source(self, ref: str, loc: Location) -> tuple[str, str] | None:
        parts = ref.split(".")
        if len(parts) == 3 and parts[0] in ("source", "sources"):
            key = (parts[1], parts[2])
        elif len(parts) == 2:
            key = (parts[0], parts[1])
        else:
            self.col.err(
                "Invalid source reference",
                f'"{ref}" is not a valid source reference: expected "source.TYPE.NAME".',
                loc,
            )
            return None
        if key not in self.sources:
            known = [f"source.{t}.{n}" for t, n in self.sources]
            self.col.err(
                "Unknown source",
                f'Unknown source "{key[0]}.{key[1]}": no source "{key[0]}" "{key[1]}" '
                f"block is declared.{suggest(f'source.{key[0]}.{key[1]}', known)}",
                loc,
            )
            return None
        return key

    def _make_source(
        self, key: tuple[str, str], name: str, extra: HBlock | None, loc: Location
    ) -> SourceSpec:
        orig = self.sources[key]
        body = HBody(dict(orig.body.attrs), list(orig.body.blocks), orig.loc)
        if extra is not None:
            for a in extra.body.attrs.values():
                if a.name != "name" and a.name not in body.attrs:
                    body.attrs[a.name] = a
            body.blocks += extra.body.blocks
        locs = {n: a.loc for n, a in body.attrs.items()}
        stype = key[0]

        def evaluate_source(ctx: Mapping[str, Any]) -> dict[str, Any]:
            scope = self.root_scope()
            src = {"name": name, "type": stype}
            src.update(dict(ctx.get("source") or {}))
            scope.vars["source"] = src
            bld = dict(PLACEHOLDER_BUILD)
            bld.update(dict(ctx.get("build") or {}))
            scope.vars["build"] = bld
            return self.eval_body_or_raise(body, scope, ())

        return SourceSpec(stype, name, orig.loc if extra is None else extra.loc, evaluate_source, locs)

    def _make_component(self, b: HBlock, kind: str, build: BuildSpec) -> ComponentSpec | None:
        if not self._labels(b, 1, "type"):
            return None
        meta = PROVISIONER_META if kind != "post-processor" else POST_PROCESSOR_META
        body = b.body
        comp = ComponentSpec(kind, b.labels[0], b.loc, lambda ctx: {})
        comp.attr_locations = {n: a.loc for n, a in body.attrs.items()}
        scope = Scope(self._base_vars(), self.funcs)
        if not self.syntax_only:
            scope = self.root_scope()
        for key in meta:
            a = body.attrs.get(key)
            if a is None or self.syntax_only:
                continue
            try:
                v = evaluate(a.expr, scope)
            except EvalError as e:
                self.col.extend(e.diags)
                continue
            try:
                if key == "name":
                    comp.name = "" if v is None else to_str(v, a.expr.loc)
                elif key in ("only", "except"):
                    if v is None:
                        continue
                    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                        raise fail(
                            "Invalid value",
                            f'{key} must be a list of source names like "qemu.example".',
                            a.expr.loc,
                        )
                    if key == "only":
                        comp.only = list(v)
                    else:
                        comp.except_ = list(v)
                elif key in ("pause_before", "timeout"):
                    setattr(comp, key, "" if v is None else to_str(v, a.expr.loc))
                elif key == "max_retries":
                    if v is None:
                        continue
                    if isinstance(v, str):
                        v = int(v) if v.strip().isdigit() else v
                    if not isinstance(v, int) or isinstance(v, bool):
                        raise fail("Invalid value", "max_retries must be a whole number.", a.expr.loc)
                    comp.max_retries = v
                elif key == "override":
                    if v is None:
                        continue
                    if not isinstance(v, dict) or not all(isinstance(x, dict) for x in v.values()):
                        raise fail(
                            "Invalid value",
                            "override must be a map of source names to maps of provisioner settings.",
                            a.expr.loc,
                        )
                    comp.override = v
                elif key == "keep_input_artifact":
                    if v is None:
                        continue
                    if not isinstance(v, bool):
                        raise fail("Invalid value", "keep_input_artifact must be true or false.", a.expr.loc)
                    comp.keep_input_artifact = v
            except EvalError as e:
                self.col.extend(e.diags)
        build_name = build.name

        def evaluate_component(ctx: Mapping[str, Any]) -> dict[str, Any]:
            sc = self.root_scope()
            src = dict(ctx.get("source") or {})
            sc.vars["source"] = src
            bld = dict(PLACEHOLDER_BUILD)
            bld["name"] = build_name
            bld.update(dict(ctx.get("build") or {}))
            sc.vars["build"] = bld
            res = self.eval_body_or_raise(body, sc, meta)
            if comp.override and src:
                for key in (f"{src.get('type')}.{src.get('name')}", str(src.get("name"))):
                    if key in comp.override:
                        res.update(comp.override[key])
                        break
            return res

        comp.evaluate = evaluate_component
        return comp

    # -- body evaluation -----------------------------------------------------------------
    def eval_body_or_raise(self, body: HBody, scope: Scope, skip: tuple[str, ...]) -> dict[str, Any]:
        diags: list[Diagnostic] = []
        res = self.eval_body(body, scope, skip, diags)
        if diags:
            raise TemplateError(masked(diags))
        return res

    def eval_body(
        self, body: HBody, scope: Scope, skip: tuple[str, ...], diags: list[Diagnostic]
    ) -> dict[str, Any]:
        res: dict[str, Any] = {}
        for name, a in body.attrs.items():
            if name in skip:
                continue
            try:
                res[name] = evaluate(a.expr, scope)
            except EvalError as e:
                diags.extend(e.diags)
        for b in body.blocks:
            if b.type == "dynamic":
                self._expand_dynamic(b, scope, res, diags)
            else:
                res.setdefault(b.type, []).append(self.eval_body(b.body, scope, (), diags))
        return res

    def _expand_dynamic(self, b: HBlock, scope: Scope, res: dict[str, Any], diags: list[Diagnostic]) -> None:
        if len(b.labels) != 1:
            diags.append(
                Diagnostic(
                    "Missing name for dynamic",
                    "A dynamic block needs one label: the type of block to generate.",
                    b.loc,
                )
            )
            return
        btype = b.labels[0]
        for a in b.body.attrs.values():
            if a.name not in ("for_each", "iterator", "labels"):
                diags.append(
                    Diagnostic(
                        "Unsupported argument", f'An argument named "{a.name}" is not expected here.', a.loc
                    )
                )
        fe = b.body.attrs.get("for_each")
        contents = b.body.blocks_of("content")
        if fe is None:
            diags.append(
                Diagnostic(
                    "Missing required argument",
                    'The argument "for_each" is required, but no definition was found.',
                    b.loc,
                )
            )
            return
        if len(contents) != 1:
            diags.append(
                Diagnostic(
                    "Missing content block" if not contents else "Duplicate content block",
                    'A dynamic block must have exactly one nested block of type "content".',
                    b.loc,
                )
            )
            return
        it_name = btype
        if "iterator" in b.body.attrs:
            node = b.body.attrs["iterator"].expr
            if isinstance(node, E.Ref):
                it_name = node.name
            else:
                diags.append(
                    Diagnostic(
                        "Invalid dynamic iterator name",
                        "Dynamic iterator must be a single variable name.",
                        node.loc,
                    )
                )
                return
        try:
            coll = evaluate(fe.expr, scope)
        except EvalError as e:
            diags.extend(e.diags)
            return
        if coll is None:
            diags.append(
                Diagnostic(
                    "Invalid dynamic for_each value", "Cannot use a null value in for_each.", fe.expr.loc
                )
            )
            return
        if isinstance(coll, dict):
            pairs = [(k, coll[k]) for k in sorted(coll)]
        elif isinstance(coll, list):
            pairs = list(enumerate(coll))
        else:
            diags.append(
                Diagnostic(
                    "Invalid dynamic for_each value",
                    "Cannot use a value of this type in for_each. An iterable collection is required.",
                    fe.expr.loc,
                )
            )
            return
        out = res.setdefault(btype, [])
        for k, v in pairs:
            sc = scope.child(**{it_name: {"key": k, "value": v}})
            out.append(self.eval_body(contents[0].body, sc, (), diags))

    # -- build-time validation with placeholders ----------------------------------
    def _validate_builds(self) -> None:
        """Evaluate every source and component once with placeholder build values. With
        ``check_components`` (validate, build) also check each against its component's
        settings table, so that template errors, unknown or Windows-only blocks and bad
        options are all reported at once, one error per block."""
        missing: dict[tuple[str, str, Location], None] = {}  # ordered set
        for spec in self.builds:
            for src in spec.sources:
                if not is_selected(build_full_name(spec, src), self.only, list(self.except_)):
                    continue
                ctx = {
                    "source": {"name": src.name, "type": src.type},
                    "build": dict(PLACEHOLDER_BUILD, name=spec.name),
                }
                try:
                    raw = src.evaluate(ctx)
                except TemplateError as e:
                    self.col.extend(e.diagnostics)
                    raw = None
                if self.check_components and raw is not None and not self._build_excluded(spec, src):
                    self._check_source(spec, src, raw, missing)
                comps = [(c, "provisioner") for c in spec.provisioners]
                if spec.error_cleanup:
                    comps.append((spec.error_cleanup, "provisioner"))
                comps += [(c, "post-processor") for chain in spec.post_processor_chains for c in chain]
                for c, kind in comps:
                    if not c.applies_to(src.full_name) or c.name in self.except_ or c.type in self.except_:
                        continue  # -except skips a block without needing its schema
                    try:
                        raw = c.evaluate(ctx)
                    except TemplateError as e:
                        self.col.extend(e.diagnostics)
                        continue
                    if not self.check_components:
                        continue
                    if c.type not in REGISTRY.names(kind):
                        missing[(kind, c.type, c.location)] = None
                        continue
                    self._check_component(kind, c.type, raw, c.location, c.attr_locations, c.name)
        for kind, name, where in missing:
            self.col.add(unknown_component(kind, name, where))

    def _build_excluded(self, spec: BuildSpec, src: SourceSpec) -> bool:
        return not is_selected(build_full_name(spec, src), None, list(self.except_))

    def _check_source(self, spec: BuildSpec, src: SourceSpec, raw: dict[str, Any],
                      missing: dict[tuple[str, str, Location], None]) -> None:
        if src.type not in REGISTRY.names("builder"):
            missing[("builder", src.type, src.location)] = None
            return
        if raw.get("communicator") in WINDOWS_ONLY["communicator"]:
            where = src.attr_locations.get("communicator", src.location)
            missing[("communicator", str(raw["communicator"]), where)] = None
            return
        self._check_component("builder", src.type, raw, src.location, src.attr_locations,
                              f'source "{src.full_name}"')

    def _check_component(self, kind: str, type_name: str, raw: dict[str, Any], where: Location,
                         attr_locations: dict[str, Location], label: str) -> None:
        from builder.build import POST_PROCESSOR_COMMON, PROVISIONER_COMMON, instantiate

        ignore = {"provisioner": PROVISIONER_COMMON, "post-processor": POST_PROCESSOR_COMMON}.get(kind, ())
        try:
            instantiate(kind, type_name, raw, where=where, attr_locations=attr_locations, ignore=ignore,
                        label=label if kind == "builder" else "")
        except TemplateError as e:
            self.col.extend(e.diagnostics)


def _sorted(diags: list[Diagnostic]) -> list[Diagnostic]:
    def key(d: Diagnostic) -> tuple[int, str, int, int]:
        loc = d.location
        if loc is None:
            return (0, "", 0, 0)
        return (1, loc.filename, loc.line, loc.col)

    return sorted(diags, key=key)


def load(
    path: str,
    *,
    var_files: list[str] = (),  # type: ignore[assignment]
    vars: dict[str, str] = {},  # noqa: B006
    env: Mapping[str, str] | None = None,
    syntax_only: bool = False,
    evaluate_datasources: bool = True,
    except_: list[str] | tuple[str, ...] = (),
    check_components: bool = False,
    only: list[str] | None = None,
) -> Template:
    """Load a Packer HCL2 template (file or directory). Raises TemplateError with all diagnostics.

    ``evaluate_datasources=False`` (``validate`` without ``-evaluate-datasources``) runs no
    data source: their outputs are unknown and only checked for existence. ``only``/``except_``
    (``-only``/``-except`` globs): like Packer, the sources and components of builds they do not
    select are not evaluated, so their errors do not count; provisioners and post-processors
    named (or typed) in ``except_`` are skipped unread. ``check_components`` (validate, build)
    checks every block against its component too, so that all errors come at once: template
    errors, unknown or Windows-only blocks, bad options."""
    loader = _Loader(
        path, list(var_files), vars, os.environ if env is None else env, syntax_only, evaluate_datasources,
        tuple(except_), check_components, only,
    )
    return loader.run()


__all__ = ["PLACEHOLDER_BUILD", "check_version_constraint", "load"]

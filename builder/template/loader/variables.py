"""Input variables: ``variable``/``variables`` blocks decoded (type, default, sensitive,
validation), values assigned and converted to their type, unset ones reported, ``validation``
rules checked; the ``var`` namespace reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from builder import secrets
from builder.errors import Location
from builder.template import expr as E
from builder.template.evaluator import EvalError, Namespace, Scope, evaluate, fail, suggest, to_str
from builder.template.loader.body import HBlock, HBody
from builder.template.loader.checks import check_attrs, check_labels
from builder.template.loader.context import CONTEXT_ROOTS, LoadState
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


@dataclass
class Variable:
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


class Variables:
    """The declared variables of one load, by name."""

    def __init__(self, st: LoadState):
        self.st = st
        self.by_name: dict[str, Variable] = {}
        self.namespace = Namespace("var", lambda: list(self.by_name), self._get, self._missing)

    def decode(self) -> None:
        for b in [b for b in self.st.all_blocks() if b.type in ("variable", "variables")]:
            if b.type == "variables":
                check_labels(self.st.col, b, 0, "")
                check_attrs(self.st.col, b.body, None)
                for a in b.body.attrs.values():
                    if self._dup(a.name, a.loc):
                        continue
                    v = Variable(a.name, HBlock("variable", [a.name], HBody({}, [], a.loc), a.loc, [a.loc]))
                    v.has_default = True
                    try:
                        v.default = self._eval_default(a.expr)
                        v.value_loc = a.expr.loc
                    except EvalError as e:
                        self.st.col.extend(e.diags)
                        v.ok = False
                    self.by_name[a.name] = v
                continue
            if not check_labels(self.st.col, b, 1, "name"):
                continue
            name = b.labels[0]
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", name):
                self.st.col.err(
                    "Invalid variable name",
                    "A name must start with a letter or underscore and may "
                    "contain only letters, digits, underscores, and dashes.",
                    b.label_locs[0],
                )
                continue
            if self._dup(name, b.loc):
                continue
            check_attrs(self.st.col, b.body, ("description", "default", "type", "sensitive"), ("validation",))
            v = Variable(name, b)
            self.by_name[name] = v
            at = b.body.attrs
            if "type" in at:
                try:
                    v.type = parse_type(at["type"].expr)
                    v.type_text = type_str(v.type)
                except TypeSyntaxError as e:
                    self.st.col.err("Invalid type specification", str(e), e.loc)
                    v.ok = False
            for key in ("description",):
                if key in at:
                    try:
                        d = self.st.const(at[key].expr)
                        v.description = to_str(d, at[key].expr.loc) if d is not None else ""
                    except EvalError as e:
                        self.st.col.extend(e.diags)
            if "sensitive" in at:
                try:
                    s = self.st.const(at["sensitive"].expr)
                    if not isinstance(s, bool):
                        raise fail(
                            "Invalid sensitive value",
                            "sensitive must be true or false.",
                            at["sensitive"].expr.loc,
                        )
                    v.sensitive = s
                except EvalError as e:
                    self.st.col.extend(e.diags)
            if "default" in at:
                v.has_default = True
                v.value_loc = at["default"].expr.loc
                try:
                    d = self._eval_default(at["default"].expr)
                    if v.ok:
                        try:
                            d = convert(d, v.type)
                        except ConversionError as ce:
                            self.st.col.err(
                                "Invalid default value for variable",
                                f"This default value is not compatible with the variable's type "
                                f"constraint: {ce}.",
                                at["default"].expr.loc,
                            )
                            v.ok = False
                    v.default = d
                except EvalError as e:
                    self.st.col.extend(e.diags)
                    v.ok = False
            for vb in b.body.blocks_of("validation"):
                check_labels(self.st.col, vb, 0, "")
                check_attrs(self.st.col, vb.body, ("condition", "error_message"))
                for req in ("condition", "error_message"):
                    if req not in vb.body.attrs:
                        self.st.col.err(
                            "Missing required argument",
                            f'The argument "{req}" is required, but no definition was found.',
                            vb.loc,
                        )

    def _dup(self, name: str, loc: Location) -> bool:
        if name in self.by_name:
            prev = self.by_name[name].block.loc
            self.st.col.err(
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
        return evaluate(node, Scope({}, self.st.env_funcs))

    def parse_cli_value(self, v: Variable, raw: str, where: str, loc: Location | None) -> None:
        """A string value from PKR_VAR_/-var: complex types are parsed as HCL expressions."""
        value: Any = raw
        if is_complex(v.type) and v.type != ANY:
            comp = E.Compiler(E.PosMap(where))
            node = E.parse_expression(raw, E.PosMap(where), comp)
            if comp.diags:
                self.st.col.err(
                    "Invalid value for variable",
                    f'The value for "{v.name}" given in {where} is not a '
                    f"valid expression: {comp.diags[0].summary}: {comp.diags[0].detail}",
                    loc,
                )
                return
            try:
                value = self.st.const(node)
            except EvalError as e:
                self.st.col.err(
                    "Invalid value for variable",
                    f'The value for "{v.name}" given in {where} could '
                    f"not be evaluated: {e.diags[0].detail if e.diags else ''}",
                    loc,
                )
                return
        self.assign(v, value, loc, where)

    def assign(self, v: Variable, value: Any, loc: Location | None, where: str) -> None:
        try:
            value = convert(value, v.type)
        except ConversionError as ce:
            self.st.col.err(
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

    def finish(self) -> None:
        for v in self.by_name.values():
            if not v.is_set:
                if v.has_default:
                    v.value = v.default
                elif v.ok:
                    self.st.col.err(
                        f'Unset variable "{v.name}"',
                        "A used variable must be set or have a default value; see "
                        "https://packer.io/docs/configuration/from-1.5/syntax for details.",
                        v.block.loc,
                    )
                    v.ok = False
            if v.sensitive and v.value is not None:
                secrets.add(v.value)

    def validate(self) -> None:
        for v in self.by_name.values():
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
                        self.st.col.err(
                            "Invalid reference in variable validation",
                            f'The condition for variable "{v.name}" can only refer to the variable '
                            "itself, using var." + v.name + ".",
                            loc,
                        )
                        ok = False
                if not ok:
                    continue
                scope = Scope({"var": {v.name: v.value}}, self.st.funcs)
                try:
                    res = evaluate(cond.expr, scope)
                    msg = evaluate(msg_a.expr, Scope({}, self.st.funcs))
                except EvalError as e:
                    self.st.col.extend(e.diags)
                    continue
                if not isinstance(res, bool):
                    self.st.col.err(
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
                    self.st.col.err(
                        summary,
                        f"{msg}\n\nThis was checked by the validation rule at "
                        f"{cl.filename}:{cl.line},{cl.col}.",
                        where,
                    )

    def _get(self, name: str, loc: Location) -> Any:
        v = self.by_name[name]
        if not v.ok:
            raise EvalError([])
        return v.value

    def _missing(self, name: str, loc: Location) -> EvalError:
        return fail(
            "Reference to undeclared input variable",
            f'An input variable with the name "{name}" has not been declared.{suggest(name, self.by_name)}',
            loc,
        )

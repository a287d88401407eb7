"""Evaluation of compiled HCL2 expressions over Python native values.

Values: ``str``; ``int`` for integral numbers and ``float`` otherwise; ``bool``; ``None``;
``list`` for list/tuple/set; ``dict`` for map/object (keys in lexical order, as cty does).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from builder.config import UNKNOWN, has_unknown
from builder.errors import Diagnostic, Location, TemplateError
from builder.template import expr as E
from builder.template.typeexpr import TypeSyntaxError, fmt_number, parse_number, parse_type, type_str
from builder.template.typeexpr import value_type_name as type_name

UNSUPPORTED_FUNCTIONS = {
    "vault": "HashiCorp Vault lookups",
    "consul_key": "Consul key lookups",
    "aws_secretsmanager": "AWS Secrets Manager lookups",
    "aws_secretsmanager_raw": "AWS Secrets Manager lookups",
}


class EvalError(Exception):
    """One or more diagnostics raised during evaluation. Empty diags = already reported."""

    def __init__(self, diags: list[Diagnostic]):
        self.diags = diags
        super().__init__("; ".join(d.summary for d in diags) or "already reported")


class _UnknownUse(EvalError):
    """An operation met an unknown value: the expression's value is unknown too.
    ``evaluate`` turns it into :data:`UNKNOWN`; outside it, it is an error already
    reported (the value is checked again when data sources have run)."""

    def __init__(self) -> None:
        super().__init__([])


def known(v: Any) -> Any:
    if v is UNKNOWN:
        raise _UnknownUse
    return v


def fail(summary: str, detail: str, loc: Location | None) -> EvalError:
    return EvalError([Diagnostic(summary, detail, loc)])


def masked(diags: list[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics with registered secret values replaced by <sensitive> (as diagnostics about
    the template are masked: :func:`builder.secrets.mask_template`)."""
    from dataclasses import replace

    from builder import secrets

    return [replace(d, summary=secrets.mask_template(d.summary), detail=secrets.mask_template(d.detail))
            for d in diags]


def suggest(name: str, candidates: Any) -> str:
    import difflib

    m = difflib.get_close_matches(name, [str(c) for c in candidates], n=1, cutoff=0.6)
    return f' Did you mean "{m[0]}"?' if m else ""


class Namespace:
    """A lazily resolved root object (``var``, ``local``, ``data``)."""

    def __init__(
        self,
        kind: str,
        names: Callable[[], list[str]],
        getter: Callable[[str, Location], Any],
        missing: Callable[[str, Location], EvalError],
    ):
        self.kind = kind
        self.names = names
        self.getter = getter
        self.missing = missing

    def get(self, name: str, loc: Location) -> Any:
        if name not in self.names():
            raise self.missing(name, loc)
        return self.getter(name, loc)

    def as_dict(self, loc: Location) -> dict[str, Any]:
        return {n: self.getter(n, loc) for n in sorted(self.names())}


class Scope:
    __slots__ = ("funcs", "vars")

    def __init__(self, vars: dict[str, Any], funcs: Mapping[str, Callable[..., Any]]):
        self.vars = vars
        self.funcs = funcs

    def child(self, **extra: Any) -> Scope:
        v = dict(self.vars)
        v.update(extra)
        return Scope(v, self.funcs)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def normalize(v: Any) -> Any:
    """Bring a function result into the canonical native representation."""
    if v is None or isinstance(v, str | bool | int):
        return v
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 2**63:
            return int(v)
        return v
    if isinstance(v, list | tuple):
        return [normalize(x) for x in v]
    if isinstance(v, set | frozenset):
        items = [normalize(x) for x in v]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(v, dict):
        return {str(k): normalize(v[k]) for k in sorted(v, key=str)}
    if isinstance(v, Namespace):
        return v
    return v


def to_str(v: Any, loc: Location) -> str:
    known(v)
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return fmt_number(v)
    if v is None:
        raise fail(
            "Invalid template interpolation value",
            "The expression result is null. Cannot include a null value in a string template.",
            loc,
        )
    raise fail(
        "Invalid template interpolation value",
        f"Cannot include the given value in a string template: string required, not {type_name(v)}.",
        loc,
    )


def to_bool(v: Any, loc: Location, what: str) -> bool:
    known(v)
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v in ("true", "false"):
        return v == "true"
    if v is None:
        raise fail(f"Null {what}", f"The {what} value is null. A boolean value is required.", loc)
    raise fail(
        f"Incorrect {what} type" if what == "condition" else "Invalid operand",
        f"The {what} value must be a boolean, not {type_name(v)}.",
        loc,
    )


def to_num(v: Any, loc: Location, side: str) -> int | float:
    known(v)
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v
    if isinstance(v, str):
        try:
            return parse_number(v)
        except ValueError:
            pass
    if v is None:
        raise fail(
            "Invalid operand",
            f"Unsuitable value for {side} operand: a number is required, but the value is null.",
            loc,
        )
    raise fail("Invalid operand", f"Unsuitable value for {side} operand: a number is required.", loc)


def num(x: float | int) -> int | float:
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**63:
        return int(x)
    return x


def hcl_eq(a: Any, b: Any) -> bool:
    ta, tb = type_name(a), type_name(b)
    if ta != tb:
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(hcl_eq(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(hcl_eq(a[k], b[k]) for k in a)
    return bool(a == b)


# ---------------------------------------------------------------------------
# evaluation
# ---------------------------------------------------------------------------


def evaluate(node: E.Node, scope: Scope) -> Any:
    fn = _DISPATCH.get(type(node))
    if fn is None:  # pragma: no cover
        raise fail("Unsupported expression", type(node).__name__, node.loc)
    try:
        return fn(node, scope)
    except _UnknownUse:
        return UNKNOWN


def _lit(n: E.Lit, s: Scope) -> Any:
    return n.value


def _paren(n: E.Paren, s: Scope) -> Any:
    return evaluate(n.inner, s)


def _ref(n: E.Ref, s: Scope) -> Any:
    try:
        v = s.vars[n.name]
    except KeyError:
        raise fail(
            "Unknown variable", f'There is no variable named "{n.name}".{suggest(n.name, s.vars)}', n.loc
        )
    if isinstance(v, Namespace):
        return v.as_dict(n.loc)
    return v


def get_attr(obj: Any, name: str, loc: Location) -> Any:
    known(obj)
    if isinstance(obj, Namespace):
        return obj.get(name, loc)
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
        raise fail(
            "Unsupported attribute",
            f'This object does not have an attribute named "{name}".{suggest(name, obj)}',
            loc,
        )
    if obj is None:
        raise fail(
            "Attempt to get attribute from null value",
            "This value is null, so it does not have any attributes.",
            loc,
        )
    if isinstance(obj, list):
        raise fail(
            "Unsupported attribute",
            f'This value does not have any attributes (looking for "{name}" on a {type_name(obj)}).',
            loc,
        )
    raise fail(
        "Unsupported attribute",
        f"Can't access attributes on a primitive-typed value ({type_name(obj)}).",
        loc,
    )


def _attr(n: E.Attr, s: Scope) -> Any:
    if isinstance(n.obj, E.Ref):
        root = s.vars.get(n.obj.name, _MISSING)
        if isinstance(root, Namespace):
            return root.get(n.name, n.loc)
        if root is _MISSING:
            return get_attr(_ref(n.obj, s), n.name, n.oploc)
        return get_attr(root, n.name, n.oploc)
    return get_attr(evaluate(n.obj, s), n.name, n.oploc)


_MISSING = object()


def get_index(obj: Any, key: Any, loc: Location) -> Any:
    known(obj)
    known(key)
    if isinstance(obj, Namespace):
        if not isinstance(key, str):
            raise fail(
                "Invalid index",
                "The given key does not identify an element in this collection value: string required.",
                loc,
            )
        return obj.get(key, loc)
    if obj is None:
        raise fail("Attempt to index null value", "This value is null, so it does not have any indices.", loc)
    if isinstance(obj, list):
        if key is None:
            raise fail("Invalid index", "Can't use a null value as an indexing key.", loc)
        try:
            k = to_num(key, loc, "index")
        except EvalError:
            raise fail(
                "Invalid index",
                "The given key does not identify an element in this collection value: a number is required.",
                loc,
            )
        if isinstance(k, float) and not k.is_integer():
            raise fail(
                "Invalid index",
                "The given key does not identify an element in this collection value: "
                "indexing a sequence requires a whole number.",
                loc,
            )
        k = int(k)
        if k < 0 or k >= len(obj):
            raise fail(
                "Invalid index",
                "The given key does not identify an element in this collection value: "
                f"the collection has {len(obj)} elements and index {k} is out of range.",
                loc,
            )
        return obj[k]
    if isinstance(obj, dict):
        if key is None:
            raise fail("Invalid index", "Can't use a null value as an indexing key.", loc)
        if isinstance(key, list | dict):
            raise fail(
                "Invalid index",
                "The given key does not identify an element in this collection value: string required.",
                loc,
            )
        sk = to_str(key, loc)
        if sk not in obj:
            raise fail(
                "Invalid index",
                f"The given key does not identify an element in this collection value: "
                f'the key "{sk}" does not exist.{suggest(sk, obj)}',
                loc,
            )
        return obj[sk]
    raise fail("Invalid index", "This value does not have any indices.", loc)


def _index(n: E.Index, s: Scope) -> Any:
    if isinstance(n.obj, E.Ref):
        root = s.vars.get(n.obj.name, _MISSING)
        if isinstance(root, Namespace):
            key = evaluate(n.key, s)
            return get_index(root, key, n.loc)
    obj = evaluate(n.obj, s)
    key = evaluate(n.key, s)
    return get_index(obj, key, n.oploc)


def _splat(n: E.Splat, s: Scope) -> Any:
    obj = known(evaluate(n.obj, s))
    if obj is None:
        return []
    items = obj if isinstance(obj, list) else [obj]
    ops = n.ops
    rest: list[tuple[str, Any, Location]] = []
    if not n.full:
        # the legacy attribute-only splat applies attribute steps to each element;
        # an index after it applies to the resulting list
        for i, op in enumerate(ops):
            if op[0] != "attr":
                ops, rest = ops[:i], ops[i:]
                break
    out: Any = []
    for it in items:
        v = it
        for kind, arg, loc in ops:
            v = get_attr(v, arg, loc) if kind == "attr" else get_index(v, evaluate(arg, s), loc)
        out.append(v)
    for kind, arg, loc in rest:
        out = get_attr(out, arg, loc) if kind == "attr" else get_index(out, evaluate(arg, s), loc)
    return out


def _template(n: E.Tmpl, s: Scope) -> Any:
    parts = n.parts
    if len(parts) == 1:
        p = parts[0]
        if isinstance(p, str):
            return p
        if isinstance(p, E.Interp):
            return evaluate(p.expr, s)
    if not parts:
        return ""
    out: list[str] = []
    _render_parts(parts, s, out)
    return "".join(out)


def _render_parts(parts: list[Any], s: Scope, out: list[str]) -> None:
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, E.Interp):
            out.append(to_str(evaluate(p.expr, s), p.expr.loc))
        elif isinstance(p, E.TIf):
            c = evaluate(p.cond, s)
            if to_bool(c, p.cond.loc, "condition"):
                _render_parts(p.then, s, out)
            else:
                _render_parts(p.else_, s, out)
        elif isinstance(p, E.TFor):
            coll = evaluate(p.coll, s)
            for k, v in _iter_coll(coll, p.coll.loc):
                extra = {p.vvar: v}
                if p.kvar:
                    extra[p.kvar] = k
                _render_parts(p.body, s.child(**extra), out)


def _iter_coll(coll: Any, loc: Location) -> list[tuple[Any, Any]]:
    known(coll)
    if isinstance(coll, list):
        return list(enumerate(coll))
    if isinstance(coll, dict):
        return [(k, coll[k]) for k in sorted(coll)]
    if coll is None:
        raise fail(
            "Iteration over null value",
            "A null value cannot be used as the collection in a 'for' expression.",
            loc,
        )
    raise fail(
        "Iteration over non-iterable value",
        "A value of type " + type_name(coll) + " cannot be used as the collection in a 'for' expression.",
        loc,
    )


def _for(n: E.ForN, s: Scope) -> Any:
    coll = evaluate(n.coll, s)
    pairs = _iter_coll(coll, n.coll.loc)
    if n.is_obj:
        res: dict[str, Any] = {}
        assert n.kexpr is not None
        for k, v in pairs:
            extra = {n.vvar: v}
            if n.kvar:
                extra[n.kvar] = k
            sc = s.child(**extra)
            if n.cond is not None and not to_bool(evaluate(n.cond, sc), n.cond.loc, "condition"):
                continue
            key = evaluate(n.kexpr, sc)
            if key is None:
                raise fail(
                    "Invalid object key",
                    "Key expression in 'for' expression must not produce a null value.",
                    n.kexpr.loc,
                )
            if isinstance(key, list | dict):
                raise fail(
                    "Invalid object key",
                    "The key expression produced an invalid result: string required.",
                    n.kexpr.loc,
                )
            key = to_str(key, n.kexpr.loc)
            val = evaluate(n.vexpr, sc)
            if n.group:
                res.setdefault(key, []).append(val)
            else:
                if key in res:
                    raise fail(
                        "Duplicate object key",
                        f"Two different items produced the key \"{key}\" in this 'for' expression. "
                        "If duplicates are expected, use the ellipsis (...) after the value "
                        "expression to enable grouping by key.",
                        n.kexpr.loc,
                    )
                res[key] = val
        return {k: res[k] for k in sorted(res)}
    out = []
    for k, v in pairs:
        extra = {n.vvar: v}
        if n.kvar:
            extra[n.kvar] = k
        sc = s.child(**extra)
        if n.cond is not None and not to_bool(evaluate(n.cond, sc), n.cond.loc, "condition"):
            continue
        out.append(evaluate(n.vexpr, sc))
    return out


def _tuple(n: E.TupleN, s: Scope) -> Any:
    return [evaluate(x, s) for x in n.items]


def _object(n: E.ObjectN, s: Scope) -> Any:
    res: dict[str, Any] = {}
    for k, v in n.items:
        key = evaluate(k, s)
        if key is None:
            raise fail("Invalid object key", "Object key must not be null.", k.loc)
        if isinstance(key, list | dict):
            raise fail("Incorrect key type", "Can't use this value as a key: string required.", k.loc)
        key = to_str(key, k.loc)
        res[key] = evaluate(v, s)
    return {k: res[k] for k in sorted(res)}


def _unary(n: E.Unary, s: Scope) -> Any:
    v = evaluate(n.operand, s)
    if n.op == "!":
        return not to_bool(v, n.operand.loc, "operand")
    return num(-to_num(v, n.operand.loc, "unary"))


def _binary(n: E.Binary, s: Scope) -> Any:
    op = n.op
    if op in ("&&", "||"):
        a = to_bool(evaluate(n.left, s), n.left.loc, "operand")
        if op == "&&" and not a:
            to_bool(evaluate(n.right, s), n.right.loc, "operand")
            return False
        if op == "||" and a:
            to_bool(evaluate(n.right, s), n.right.loc, "operand")
            return True
        return to_bool(evaluate(n.right, s), n.right.loc, "operand")
    a = evaluate(n.left, s)
    b = evaluate(n.right, s)
    if has_unknown(a) or has_unknown(b):
        raise _UnknownUse
    if op == "==":
        return hcl_eq(a, b)
    if op == "!=":
        return not hcl_eq(a, b)
    x = to_num(a, n.left.loc, "left")
    y = to_num(b, n.right.loc, "right")
    if op in ("+", "-", "*", "/"):
        if op == "/" and y == 0:
            raise fail("Division by zero", "Can't divide by zero.", n.loc)
        return _arith(op, x, y)
    if op == "%":
        if y == 0:
            raise fail("Division by zero", "Can't use modulo by zero.", n.loc)
        if isinstance(x, int) and isinstance(y, int):
            r = abs(x) % abs(y)
            return -r if x < 0 else r
        return num(math.fmod(x, y))
    if op == "<":
        return x < y
    if op == ">":
        return x > y
    if op == "<=":
        return x <= y
    if op == ">=":
        return x >= y
    raise fail("Unsupported operator", f"The operator {op!r} is not supported.", n.loc)


def _arith(op: str, x: int | float, y: int | float) -> int | float:
    """+ - * / with decimal semantics (cty numbers are arbitrary precision: 0.1 + 0.2 == 0.3)."""
    if isinstance(x, int) and isinstance(y, int):
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if x % y == 0:
            return x // y
    try:
        dx, dy = Decimal(repr(x)), Decimal(repr(y))
        with localcontext() as ctx:
            ctx.prec = 40
            r = dx + dy if op == "+" else dx - dy if op == "-" else dx * dy if op == "*" else dx / dy
        return num(float(r))
    except (InvalidOperation, OverflowError, ValueError):
        f = x + y if op == "+" else x - y if op == "-" else x * y if op == "*" else x / y
        return num(f)


def _cond(n: E.Cond, s: Scope) -> Any:
    c = known(evaluate(n.cond, s))
    if c is None:
        raise fail(
            "Null condition",
            "The condition value is null. Conditions must either be true or false.",
            n.cond.loc,
        )
    if not isinstance(c, bool) and not (isinstance(c, str) and c in ("true", "false")):
        raise fail(
            "Incorrect condition type",
            f"The condition expression must be of type bool, not {type_name(c)}.",
            n.cond.loc,
        )
    chosen = n.true if to_bool(c, n.cond.loc, "condition") else n.false
    other = n.false if chosen is n.true else n.true
    v = evaluate(chosen, s)
    # cty unifies primitive result types: a string arm makes the other arm a string
    if isinstance(v, int | float | bool) and (
        (isinstance(other, E.Tmpl) and all(isinstance(p, str) for p in other.parts))
        or (isinstance(other, E.Lit) and isinstance(other.value, str))
    ):
        return to_str(v, n.loc)
    return v


_sig_cache: dict[Any, Any] = {}


def _check_arity(name: str, fn: Callable[..., Any], nargs: int, loc: Location) -> None:
    import inspect

    sig = _sig_cache.get(fn, _MISSING)
    if sig is _MISSING:
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):
            sig = None
        _sig_cache[fn] = sig
    if sig is None:
        return
    assert isinstance(sig, inspect.Signature)
    params = list(sig.parameters.values())
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        req = len(
            [
                p
                for p in params
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
            ]
        )
        if nargs < req:
            raise fail(
                "Not enough function arguments",
                f'Function "{name}" expects at least {req} argument(s). Missing value for '
                f'"{params[nargs].name}".',
                loc,
            )
        return
    pos = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    req = len([p for p in pos if p.default is p.empty])
    if nargs < req:
        raise fail(
            "Not enough function arguments",
            f'Function "{name}" expects {req} argument(s). Missing value for "{pos[nargs].name}".',
            loc,
        )
    if nargs > len(pos):
        raise fail(
            "Too many function arguments", f'Function "{name}" expects only {len(pos)} argument(s).', loc
        )


# functions whose argument at this index is a type: a bare type expression as in HCL
# (``convert(x, list(string))``) or, as pybuild has always accepted, a string ("list(string)")
TYPE_ARGUMENTS = {"convert": 1}


def _type_arg(node: E.Node, s: Scope) -> Any:
    try:
        return type_str(parse_type(node))
    except TypeSyntaxError as e:
        meant_a_type = (isinstance(node, E.Ref) and node.name not in s.vars) or (
            isinstance(node, E.Call) and node.name in ("list", "set", "map", "object", "tuple", "optional"))
        if meant_a_type:
            raise fail("Invalid type specification", str(e), e.loc) from None
        return evaluate(node, s)


def _call(n: E.Call, s: Scope) -> Any:
    name = n.name
    if name in ("try", "can"):
        return _special(n, s)
    fn = s.funcs.get(name)
    if fn is None or name in UNSUPPORTED_FUNCTIONS:
        if name in UNSUPPORTED_FUNCTIONS:
            raise fail(
                "Unsupported function",
                f'pybuild does not support the "{name}" function ({UNSUPPORTED_FUNCTIONS[name]}); '
                "pass the value in through a variable instead (for example a PKR_VAR_ environment "
                "variable or a sensitive -var-file).",
                n.loc,
            )
        if name == "env":
            raise fail(
                "Call to unknown function",
                'There is no function named "env". The env function is only available in variable '
                "default values.",
                n.loc,
            )
        known = [*s.funcs, "try", "can"]
        raise fail(
            "Call to unknown function", f'There is no function named "{name}".{suggest(name, known)}', n.loc
        )
    args = [_type_arg(a, s) if name in TYPE_ARGUMENTS and i == TYPE_ARGUMENTS[name] else evaluate(a, s)
            for i, a in enumerate(n.args)]
    if n.expand:
        last = args.pop() if args else None
        if not isinstance(last, list):
            raise fail(
                "Invalid expanding argument value",
                "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                n.args[-1].loc,
            )
        args.extend(last)
    for a, node in zip(args, n.args, strict=False):
        if isinstance(a, Namespace):
            args[args.index(a)] = a.as_dict(node.loc)
    _check_arity(name, fn, len(args), n.loc)
    if any(has_unknown(a) for a in args):
        raise _UnknownUse
    try:
        return normalize(fn(*args))
    except EvalError:
        raise
    except TemplateError as e:
        raise EvalError(list(e.diagnostics))
    except Exception as e:  # FunctionError and friends
        msg = str(e) or type(e).__name__
        if type(e).__name__ not in ("FunctionError",) and not isinstance(
            e, ValueError | TypeError | OSError | KeyError | IndexError
        ):
            msg = f"{type(e).__name__}: {msg}"
        raise fail(
            "Error in function call", f'Call to function "{name}" failed: {msg}.'.replace("..", "."), n.loc
        )


def _special(n: E.Call, s: Scope) -> Any:
    if n.name == "can":
        if len(n.args) != 1:
            raise fail(
                "Invalid number of arguments" if n.args else "Not enough function arguments",
                'Function "can" expects 1 argument(s).',
                n.loc,
            )
        try:
            evaluate(n.args[0], s)
            return True
        except EvalError as e:
            if _only_dynamic(e):
                return False
            raise
    if not n.args:
        raise fail("Not enough function arguments", 'Function "try" expects at least 1 argument(s).', n.loc)
    last: EvalError | None = None
    for a in n.args:
        try:
            return evaluate(a, s)
        except EvalError as e:
            if not _only_dynamic(e):
                raise
            last = e
    raise fail(
        "No result for try",
        "None of the expressions produced a successful result:\n"
        + "\n".join(f"- {d.summary}: {d.detail}" for d in (last.diags if last else [])),
        n.loc,
    )


_STATIC = (
    "Unknown variable",
    "Call to unknown function",
    "Reference to undeclared input variable",
    "Reference to undeclared local value",
    "Unsupported function",
)


def _only_dynamic(e: EvalError) -> bool:
    """try/can only catch dynamic errors, not references to things that do not exist."""
    return bool(e.diags) and all(d.summary not in _STATIC for d in e.diags)


_DISPATCH: dict[type, Callable[[Any, Scope], Any]] = {
    E.Lit: _lit,
    E.Paren: _paren,
    E.Ref: _ref,
    E.Attr: _attr,
    E.Index: _index,
    E.Splat: _splat,
    E.Tmpl: _template,
    E.ForN: _for,
    E.TupleN: _tuple,
    E.ObjectN: _object,
    E.Unary: _unary,
    E.Binary: _binary,
    E.Cond: _cond,
    E.Call: _call,
}

"""Component configuration: one typed dataclass per component, one settings table.

A component declares its configuration as a ``@dataclass(kw_only=True)`` whose fields
are made with :func:`opt` (default, help, choices, aliases). :func:`parse_config`
converts the evaluated HCL attributes into that dataclass, collecting *all* errors
(unknown attributes get a did-you-mean) and then calls the dataclass's
``validate()`` for cross-field rules. The same table drives ``pybuild plugins`` help.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass
from typing import Any, TypeVar

from builder.errors import ConfigError, Diagnostic, Location
from builder.units import parse_seconds

T = TypeVar("T")


class Duration(float):
    """Seconds, written in templates as a Go duration ("1m30s", "500ms", "10s")."""

    def __repr__(self) -> str:
        return f"Duration({float(self)})"


def parse_duration(text: str | int | float) -> Duration:
    """A Go duration string (``"1h5m2s"``, ``"300ms"``, ``"0"``, ``"-1s"``) with Go's rules
    (:func:`builder.units.parse_go_duration`: ``""`` and ``" 5s"`` are errors); a number
    (an HCL number attribute) is seconds."""
    if isinstance(text, bool):
        raise ValueError(f"invalid duration {text!r}")
    if isinstance(text, (int, float)):
        return Duration(float(text))
    try:
        return Duration(parse_seconds(text))
    except ValueError as e:
        raise ValueError(f'{e} (examples: "10s", "1m30s", "500ms")') from None


def opt(
    default: Any = MISSING,
    *,
    help: str = "",
    choices: tuple[Any, ...] | None = None,
    aliases: tuple[str, ...] = (),
    required: bool = False,
    sensitive: bool = False,
    default_factory: Any = MISSING,
) -> Any:
    """Declare one configuration option."""
    meta = {
        "help": help,
        "choices": choices,
        "aliases": aliases,
        "required": required,
        "sensitive": sensitive,
    }
    if default_factory is not MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=meta)
    if isinstance(default, (list, dict)):
        val = default
        return dataclasses.field(default_factory=lambda: type(val)(val), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


@dataclass(kw_only=True)
class BaseConfig:
    """Base of every component configuration. Subclasses override :meth:`validate`."""

    def validate(self) -> list[str]:
        """Cross-field checks; return error messages (prefix "name: " to point at a field)."""
        return []

    @classmethod
    def options(cls) -> list[OptionInfo]:
        return [option_info(f, cls) for f in dataclasses.fields(cls) if not f.name.startswith("_")]


@dataclass(frozen=True)
class OptionInfo:
    name: str
    type: str
    default: Any
    help: str
    choices: tuple[Any, ...] | None
    aliases: tuple[str, ...]
    required: bool
    sensitive: bool


def _type_name(tp: Any) -> str:
    if tp is Duration:
        return "duration"
    if isinstance(tp, type):
        return {str: "string", int: "number", float: "number", bool: "bool"}.get(tp, tp.__name__)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        return _type_name(inner[0]) if len(inner) == 1 else "any"
    if origin is list:
        return f"list({_type_name(args[0])})" if args else "list"
    if origin is dict:
        return f"map({_type_name(args[1])})" if args else "map"
    return "any"


_HINTS: dict[type, dict[str, Any]] = {}


def type_hints(cls: type) -> dict[str, Any]:
    """The resolved field types of a config class (string annotations evaluated once per class)."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def option_info(f: dataclasses.Field[Any], cls: type) -> OptionInfo:
    hints = type_hints(cls)
    default: Any
    if f.default is not MISSING:
        default = f.default
    elif f.default_factory is not MISSING:
        default = f.default_factory()
    else:
        default = None
    md = f.metadata
    return OptionInfo(
        name=f.name,
        type=_type_name(hints[f.name]),
        default=default,
        help=md.get("help", ""),
        choices=md.get("choices"),
        aliases=tuple(md.get("aliases", ())),
        required=bool(md.get("required")) or (f.default is MISSING and f.default_factory is MISSING),
        sensitive=bool(md.get("sensitive")),
    )


class Unknown:
    """A value that is only known once data sources run: ``validate`` without
    ``-evaluate-datasources`` gives every data source output this value (Packer's unknown
    placeholder). Expressions that use it are unknown too; an option set to it counts as
    set, and is checked when the build runs."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = Unknown()
# the string an unknown value stands as while validating: Packer's own placeholder, which no
# option parser (boot commands included) gives a meaning to
UNKNOWN_STRING = "74D93920-ED26-11E3-AC10-0800200C9A66"


def has_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, list | tuple):
        return any(has_unknown(v) for v in value)
    if isinstance(value, Mapping):
        return any(has_unknown(v) for v in value.values())
    return False


def _placeholder(tp: Any) -> Any:
    """What an unknown value of type ``tp`` holds while validating (Packer, too, checks a
    stand-in string where a value is unknown)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        return _placeholder(next((a for a in args if a is not type(None)), Any))
    if tp is str or tp is Any:
        return UNKNOWN_STRING
    if origin is list or tp is list:
        return [_placeholder(args[0] if args else Any)]
    if origin is dict or tp is dict:
        return {}
    if tp is bool:
        return False
    if tp is Duration:
        return Duration(0)
    if tp in (int, float):
        return tp(0)
    return None


def _fill_unknown(value: Any, tp: Any) -> Any:
    """``value`` with every unknown part replaced by a stand-in of the type found there."""
    if value is UNKNOWN:
        return _placeholder(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        tp = next((a for a in args if a is not type(None)), Any)
        origin, args = typing.get_origin(tp), typing.get_args(tp)
    if isinstance(value, list | tuple):
        inner = args[0] if origin is list and args else Any
        return [_fill_unknown(v, inner) for v in value]
    if isinstance(value, Mapping):
        vt = args[1] if origin is dict and len(args) == 2 else Any
        return {k: _fill_unknown(v, vt) for k, v in value.items()}
    return value


class _ConvError(Exception):
    pass


def convert(value: Any, tp: Any, path: str = "") -> Any:
    """Convert an evaluated HCL value to the Python type ``tp`` (HCL's conversion rules)."""
    if tp is Any:
        return value
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return convert(value, a, path)
            except _ConvError as e:
                errors.append(str(e))
        raise _ConvError(errors[0] if errors else f"{path}: invalid value")
    if tp is Duration:
        try:
            return parse_duration(value)
        except ValueError as e:
            raise _ConvError(str(e)) from None
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _ConvError(f"a bool is required, got {_describe(value)}")
    if tp is int:
        if isinstance(value, bool):
            raise _ConvError(f"a number is required, got {_describe(value)}")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise _ConvError(f"a whole number is required, got {_describe(value)}")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise _ConvError(f"a number is required, got {_describe(value)}")
    if tp is str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        raise _ConvError(f"a string is required, got {_describe(value)}")
    if origin is list or tp is list:
        if isinstance(value, (str, int, float, bool, dict)) or value is None:
            raise _ConvError(f"a list is required, got {_describe(value)}")
        inner = args[0] if args else Any
        return [convert(v, inner, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict or tp is dict:
        if isinstance(value, list) and all(isinstance(v, dict) for v in value) and len(value) == 1:
            value = value[0]  # a nested block arrives as a one-element list
        if not isinstance(value, Mapping):
            raise _ConvError(f"a map is required, got {_describe(value)}")
        vt = args[1] if args else Any
        return {str(k): convert(v, vt, f"{path}.{k}") for k, v in value.items()}
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "map"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


def did_you_mean(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


def located_problems(
    problems: list[str],
    *,
    component: str,
    block: Location | None,
    attr_locations: Mapping[str, Location],
    options: Iterable[str],
) -> list[Diagnostic]:
    """Diagnostics for ``"option: message"`` problems (:meth:`BaseConfig.validate`,
    ``Component.check``): each at its option's attribute when the template sets it, else
    at the block."""
    names = set(options)
    out = []
    for p in problems:
        key = p.split(":", 1)[0] if ":" in p else ""
        where = attr_locations.get(key, block) if key in names else block
        out.append(Diagnostic(f"{component}: {p}", "", where))
    return out


def parse_config(
    cls: type[T],
    raw: Mapping[str, Any],
    *,
    component: str,
    block: Location | None = None,
    attr_locations: Mapping[str, Location] | None = None,
    ignore: tuple[str, ...] = (),
) -> T:
    """Build ``cls`` from evaluated attributes, raising ConfigError with every problem."""
    attr_locations = attr_locations or {}
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    alias_map: dict[str, str] = {}
    for f in fields.values():
        for a in f.metadata.get("aliases", ()):
            alias_map[a] = f.name
    hints = type_hints(cls)
    diags: list[Diagnostic] = []
    kwargs: dict[str, Any] = {}

    def where(key: str) -> Location | None:
        return attr_locations.get(key, block)

    for key, value in raw.items():
        if key in ignore:
            continue
        name = alias_map.get(key, key)
        fld = fields.get(name)
        if fld is None or name.startswith("_"):
            hint = did_you_mean(key, [n for n in fields if not n.startswith("_")])
            diags.append(
                Diagnostic(
                    f'Unsupported argument "{key}" in {component}',
                    f'An argument named "{key}" is not expected here.{hint}',
                    where(key),
                )
            )
            continue
        if value is None:
            continue  # null means "unset": keep the default
        unknown = has_unknown(value)
        if unknown:
            value = _fill_unknown(value, hints[name])
        try:
            conv = convert(value, hints[name], key)
        except _ConvError as e:
            diags.append(Diagnostic(f'Invalid value for "{key}" in {component}', str(e), where(key)))
            continue
        choices = fld.metadata.get("choices")
        if choices and conv not in choices and not unknown:
            allowed = ", ".join(repr(c) for c in choices)
            diags.append(
                Diagnostic(
                    f'Invalid value for "{key}" in {component}',
                    f"{conv!r} is not one of: {allowed}.",
                    where(key),
                )
            )
            continue
        kwargs[name] = conv
    for name, f in fields.items():
        if name in kwargs or name.startswith("_"):
            continue
        missing = f.default is MISSING and f.default_factory is MISSING
        if missing or f.metadata.get("required"):
            diags.append(
                Diagnostic(
                    f'Missing required argument "{name}" in {component}',
                    f.metadata.get("help", ""),
                    block,
                )
            )
    # cross-field checks run even when some attributes were bad, so that every
    # problem of the block is reported at once
    obj: Any = None
    problems: list[str] = []
    try:
        obj = cls(**kwargs)
        problems = obj.validate() if isinstance(obj, BaseConfig) else []
    except Exception:  # missing required fields etc. are already diagnosed
        if not diags:
            raise
    diags += located_problems(problems, component=component, block=block, attr_locations=attr_locations,
                              options=fields)
    if diags:
        raise ConfigError(diags)
    return obj  # type: ignore[no-any-return]

"""Packer's HCL2 function library, as plain Python callables over native values.

Values are Python natives: ``str``; ``int`` for integral numbers and ``float``
otherwise; ``bool``; ``None`` for null; ``list`` for lists, tuples and sets (sets
come back sorted); ``dict`` for maps and objects.

The functions follow the semantics of the cty standard library that Packer uses
(argument conversion, error cases, number formatting), written anew from the
documented behaviour and checked against Packer 1.6.6 by
``tests/template/test_differential.py``.

* :data:`FUNCTIONS` holds the functions that do not touch the filesystem or the
  environment.
* :func:`make_functions` adds the filesystem functions (``file``, ``fileset``,
  ``templatefile``, ...) relative to a base directory and ``env`` when asked.

Modules (each owns one notion; :mod:`.registry` assembles the table from their ``TABLE``):

* ``values``      argument conversion, number formatting, type names, set order and equality;
* ``numeric``, ``strings``, ``collections``, ``encoding``, ``crypto``, ``conversion``: the
  functions of each family;
* ``re2``         Go RE2 syntax translated to Python's ``re``;
* ``printf``      cty's printf dialect (``format``, ``formatlist``);
* ``yamlenc``     ``yamlencode``/``yamldecode`` (go-cty-yaml's behaviour);
* ``dates``       RFC 3339, ``formatdate``, Go durations and Go reference-time layouts;
* ``cidr``        the ``cidr*`` network functions;
* ``filesystem``  path functions and the file-reading functions of :func:`make_functions`;
* ``templatefile`` rendering a ``templatefile`` template;
* ``registry``    :data:`FUNCTIONS`, :func:`make_functions`, :func:`function_table`.

``try`` and ``can`` are special forms of the evaluator, not functions.
``convert`` takes its type as a type expression (``list(string)``, as in HCL: the evaluator
turns it into text) or as a string such as ``"list(string)"``.

Packer (not Terraform) semantics, on purpose:

* ``replace`` is cty's literal replace: a ``"/.../"`` substring is NOT a regular
  expression (use ``regex_replace``);
* ``lookup`` needs its default (Packer's cty has no two-argument form), and the
  default must not be null;
* ``yamldecode`` uses YAML 1.1 booleans (``yes``/``on``/``y`` are true) like
  go-cty-yaml; hex/octal-looking scalars stay strings;
* regular expressions use RE2 syntax, translated to Python's ``re`` (ASCII
  ``\\d``/``\\w``/``\\s``, ``$`` only at the end without ``(?m)``, ``\\z``, POSIX classes);
  Unicode classes such as ``\\pL`` are refused;
* ``+ - * /`` style exactness: ``sum`` and ``range`` step in decimal, so
  ``sum([0.1, 0.2])`` is 0.3 as in Packer.
"""


from __future__ import annotations

from builder.template.functions.dates import (
    INIT_TIME,
    format_rfc3339,
    go_duration,
    go_time_format,
    parse_rfc3339,
)
from builder.template.functions.registry import (
    FUNCTIONS,
    function_table,
    make_functions,
    render_template_string,
)
from builder.template.functions.values import FunctionError, format_number, to_number, to_string

__all__ = [
    "FUNCTIONS",
    "INIT_TIME",
    "FunctionError",
    "format_number",
    "format_rfc3339",
    "function_table",
    "go_duration",
    "go_time_format",
    "make_functions",
    "parse_rfc3339",
    "render_template_string",
    "to_number",
    "to_string",
]

"""Unit tests of the HCL2 function library (builder.template.functions).

Expected values follow Packer/cty behaviour; the cases that Packer 1.6.6 also
has are cross-checked against the real thing in test_differential.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from builder.template import functions as F
from builder.template.functions import FUNCTIONS, FunctionError, make_functions


def call(name: str, *args: Any) -> Any:
    return FUNCTIONS[name](*args)


# --------------------------------------------------------------------------- table-driven

CASES: list[tuple[str, tuple[Any, ...], Any]] = [
    # numeric
    ("abs", (-3,), 3),
    ("abs", (-2.5,), 2.5),
    ("ceil", (1.2,), 2),
    ("ceil", (-1.2,), -1),
    ("floor", (-1.2,), -2),
    ("floor", ("4.7",), 4),
    ("log", (8, 2), 3),
    ("log", (100, 10), 2),
    ("max", (1, 5, 3), 5),
    ("max", (1, "7"), 7),
    ("min", (4, 2.5, 9), 2.5),
    ("parseint", ("FF", 16), 255),
    ("parseint", ("-ff", 16), -255),
    ("parseint", ("1010", 2), 10),
    ("parseint", ("Zz", 62), 61 * 62 + 35),
    ("parseint", ("123456789012345678901234567890", 10), 123456789012345678901234567890),
    ("pow", (2, 10), 1024),
    ("pow", (4, 0.5), 2),
    ("pow", (2, -1), 0.5),
    ("pow", (2, 100), 2**100),
    ("signum", (-42,), -1),
    ("signum", (0,), 0),
    ("signum", ("9",), 1),
    ("sum", ([1, 2, 3.5],), 6.5),
    ("sum", ([0.5, 0.5],), 1),
    ("sum", ([0.1, 0.2],), 0.3),  # exact decimal arithmetic like cty
    ("range", (0, 1, 0.3), [0, 0.3, 0.6, 0.9]),
    # strings
    ("chomp", ("hello\n\n",), "hello"),
    ("chomp", ("hello\r\n",), "hello"),
    ("chomp", ("a\r",), "a"),
    ("chomp", ("a\nb",), "a\nb"),
    ("endswith", ("hello", "llo"), True),
    ("startswith", ("hello", "hex"), False),
    ("strcontains", ("hello", "ell"), True),
    ("indent", (2, "a\nb\n"), "a\n  b\n  "),
    ("join", (", ", ["a", "b", "c"]), "a, b, c"),
    ("join", ("-", ["a"], ["b", "c"]), "a-b-c"),
    ("join", (",", [1, True, 2.5]), "1,true,2.5"),
    ("lower", ("HeLLo",), "hello"),
    ("upper", ("héllo",), "HÉLLO"),
    ("upper", ("ß",), "ß"),  # Go maps rune by rune
    ("title", ("hello world-wide o'neil foo_bar",), "Hello World-Wide O'Neil Foo_bar"),
    ("strrev", ("año",), "oña"),
    ("strrev", ("e\u0301x",), "xe\u0301"),  # combining marks stay with their letter
    ("substr", ("hello world", 1, 4), "ello"),
    ("substr", ("hello world", -5, 3), "wor"),
    ("substr", ("hello world", 6, -1), "world"),
    ("substr", ("hello", 0, 10), "hello"),
    ("substr", ("hello", 10, 1), ""),
    ("substr", ("hello", -10, 2), "he"),
    ("trim", ("?!hello?!", "!?"), "hello"),
    ("trimprefix", ("helloworld", "hello"), "world"),
    ("trimprefix", ("helloworld", "world"), "helloworld"),
    ("trimsuffix", ("a.tar.gz", ".gz"), "a.tar"),
    ("trimspace", ("\u00a0 x\t\n",), "x"),
    ("split", (",", "a,b,,c"), ["a", "b", "", "c"]),
    ("split", (",", ""), [""]),
    ("split", ("", "abc"), ["a", "b", "c"]),
    ("replace", ("1 + 2 + 3", "+", "-"), "1 - 2 - 3"),
    # Packer's replace is cty's literal replace, not Terraform's /regex/ form.
    ("replace", ("hello world", "/w.*d/", "x"), "hello world"),
    ("replace", ("hello", "", "-"), "-h-e-l-l-o-"),
    ("regex_replace", ("john smith", r"(\w+) (\w+)", "$2, $1"), "smith, john"),
    ("regex_replace", ("abc", "(?P<first>a)", "${first}${first}"), "aabc"),
    ("regex_replace", ("a1b22", "[0-9]+", "<$0>"), "a<1>b<22>"),
    ("regex_replace", ("ab", "(a)", "$1x"), "b"),  # Go: $1x is the (empty) group named "1x"
    ("regex_replace", ("a$b", r"\$", "$$"), "a$b"),
    ("regex", ("[a-z]+", "123abc456"), "abc"),
    ("regex", (r"(\d\d\d\d)-(\d\d)", "on 2020-05-06"), ["2020", "05"]),
    ("regex", (r"(?P<y>\d{4})-(?P<m>\d\d)", "2020-05"), {"y": "2020", "m": "05"}),
    ("regex", ("(a)|(b)", "b"), [None, "b"]),
    ("regexall", (r"\d+", "a1b22c333"), ["1", "22", "333"]),
    ("regexall", (r"(\w)=(\d)", "a=1 b=2"), [["a", "1"], ["b", "2"]]),
    ("regexall", ("x", "abc"), []),
    # RE2 semantics: ASCII \d and \w, $ only at the very end without (?m), \z
    ("regex_replace", ("a\u0661 2", r"\d", "#"), "a\u0661 #"),
    ("regexall", (r"\w+", "héllo"), ["h", "llo"]),
    ("regex_replace", ("x\n", "x$", "y"), "x\n"),
    ("regex_replace", ("a\nb", "(?m)^", ">"), ">a\n>b"),
    ("regex_replace", ("ab", r"b\z", "c"), "ac"),
    ("regex_replace", ("a:b", "[[:alpha:]]", "x"), "x:x"),
    # collections
    ("alltrue", ([True, "true"],), True),
    ("alltrue", ([],), True),
    ("alltrue", ([True, None],), False),
    ("anytrue", ([None, True],), True),
    ("anytrue", ([False, False],), False),
    ("anytrue", ([False, True],), True),
    ("chunklist", (["a", "b", "c", "d", "e"], 2), [["a", "b"], ["c", "d"], ["e"]]),
    ("chunklist", ([1, 2], 0), [[1, 2]]),
    ("coalesce", ("", None, "b"), "b"),
    ("coalesce", (1, "x"), "1"),  # unified to string like cty
    ("coalescelist", ([], ["a"]), ["a"]),
    ("compact", (["a", "", None, "b"],), ["a", "b"]),
    ("concat", (["a"], [], ["b", "c"]), ["a", "b", "c"]),
    ("contains", (["a", "b"], "b"), True),
    ("contains", (["1"], 1), False),
    ("distinct", (["a", "b", "a", "c", "b"],), ["a", "b", "c"]),
    ("element", (["a", "b", "c"], 4), "b"),
    ("flatten", ([["a", ["b"]], [], "c"],), ["a", "b", "c"]),
    ("index", (["a", "b", "c"], "c"), 2),
    ("keys", ({"b": 1, "a": 2, "c": 3},), ["a", "b", "c"]),
    ("values", ({"b": 1, "a": 2, "c": 3},), [2, 1, 3]),
    ("length", ("héllo",), 5),
    ("length", ("e\u0301",), 1),
    ("length", ("👍🏽",), 1),
    ("length", ({"a": 1},), 1),
    ("lookup", ({"a": "ay"}, "a", "dflt"), "ay"),
    ("lookup", ({"a": "ay"}, "b", "dflt"), "dflt"),
    ("merge", ({"a": 1, "c": 2}, {"c": 3}, None), {"a": 1, "c": 3}),
    ("merge", (), {}),
    ("range", (3,), [0, 1, 2]),
    ("range", (-3,), [0, -1, -2]),
    ("range", (1, 8, 2), [1, 3, 5, 7]),
    ("range", (5, 1), [5, 4, 3, 2]),
    ("range", (1, 2, 0.25), [1, 1.25, 1.5, 1.75]),
    ("reverse", ([1, 2, 3],), [3, 2, 1]),
    ("setintersection", (["a", "b"], ["b", "c"]), ["b"]),
    ("setunion", (["b", "a"], ["c", "a"]), ["a", "b", "c"]),
    ("setunion", ([10, 9], [1]), [1, 9, 10]),  # numbers sort numerically
    ("setsubtract", (["a", "b", "c"], ["b"]), ["a", "c"]),
    ("setproduct", (["a", "b"], [1, 2]), [["a", 1], ["a", 2], ["b", 1], ["b", 2]]),
    ("setproduct", (["a"], []), []),
    ("slice", (["a", "b", "c", "d"], 1, 3), ["b", "c"]),
    ("sort", (["10", "9", "1", "b", "B"],), ["1", "10", "9", "B", "b"]),
    ("zipmap", (["a", "b"], [1, 2]), {"a": 1, "b": 2}),
    ("one", ([],), None),
    ("one", (["x"],), "x"),
    ("matchkeys", (["i-1", "i-2", "i-3"], ["a", "b", "a"], ["a"]), ["i-1", "i-3"]),
    ("transpose", ({"a": ["1", "2"], "b": ["2"]},), {"1": ["a"], "2": ["a", "b"]}),
    # encoding
    ("base64encode", ("Hello World",), "SGVsbG8gV29ybGQ="),
    ("base64decode", ("SGVsbG8gV29ybGQ=",), "Hello World"),
    ("csvdecode", ("a,b\n1,2\n3,4",), [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]),
    ("csvdecode", ('a,b\n"x,y",z\n',), [{"a": "x,y", "b": "z"}]),
    ("jsondecode", ('{"a": [1, 2.5, true, null]}',), {"a": [1, 2.5, True, None]}),
    ("jsondecode", ("1.0",), 1),
    ("jsonencode", ({"b": 1, "a": "<tag>&"},), '{"a":"\\u003ctag\\u003e\\u0026","b":1}'),
    ("jsonencode", ([1, "two", True, None, 2.5],), '[1,"two",true,null,2.5]'),
    ("jsonencode", ("é\u2028",), '"é\\u2028"'),
    ("jsonencode", (1e21,), "1000000000000000000000"),
    ("jsonencode", (2**70,), str(2**70)),
    ("urlencode", ("Hello World & co/ü~",), "Hello+World+%26+co%2F%C3%BC~"),
    ("textencodebase64", ("Hello", "UTF-16LE"), "SABlAGwAbABvAA=="),
    ("textdecodebase64", ("SABlAGwAbABvAA==", "UTF-16LE"), "Hello"),
    ("yamldecode", ("a: [1, 2]\nb: {c: yes, d: '1'}",), {"a": [1, 2], "b": {"c": True, "d": "1"}}),
    ("yamldecode", ("[0x1F, 017, 1_000, 1e3, .5, ~]",), ["0x1F", 17, 1000, 1000, 0.5, None]),
    ("yamldecode", ("d: 2001-12-14",), {"d": "2001-12-14T00:00:00Z"}),
    ("yamlencode", ({"a": "b", "c": [1, 2]},), '"a": "b"\n"c":\n- 1\n- 2\n'),
    ("yamlencode", ({"a": {"b": None}},), '"a":\n  "b": null\n'),
    ("yamlencode", ([{"a": 1, "b": 2}],), '- "a": 1\n  "b": 2\n'),
    ("yamlencode", ({"s": "x\ny"},), '"s": |-\n  x\n  y\n'),
    ("yamlencode", (1.5,), "1.5\n...\n"),
    ("yamlencode", ("hello",), '"hello"\n'),
    # paths
    ("basename", ("/foo/bar/baz.txt",), "baz.txt"),
    ("basename", ("/foo/bar/",), "bar"),
    ("basename", ("",), "."),
    ("dirname", ("/foo/bar/baz.txt",), "/foo/bar"),
    ("dirname", ("foo",), "."),
    ("dirname", ("a/b/../c/d",), "a/c"),
    # date / time
    ("formatdate", ("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z"), "02 Jan 2018 23:12 UTC"),
    ("formatdate", ("EEEE, DD-MMM-YY hh:mm:ss", "2018-01-02T23:12:01Z"), "Tuesday, 02-Jan-18 23:12:01"),
    ("formatdate", ("EEE ZZZ ZZZZ ZZZZZ Z", "2018-01-02T23:12:01-08:00"), "Tue -0800 -0800 -08:00 -08:00"),
    ("formatdate", ("Z", "2018-01-02T23:12:01Z"), "Z"),
    ("formatdate", ("H:mm AA aa", "2018-01-02T00:05:07Z"), "12:05 AM am"),
    ("formatdate", ("h'h'mm", "2018-01-02T23:12:01Z"), "23h12"),
    ("formatdate", ("'at' hh 'o''clock'", "2018-01-02T07:12:01Z"), "at 07 o'clock"),
    ("formatdate", ("''YYYY", "2018-01-02T07:12:01Z"), "'2018"),
    ("formatdate", ("YYYYMMDDhhmmss", "2020-05-06T07:08:09.123Z"), "20200506070809"),
    ("formatdate", ("MMMM D, M/D/YY", "2020-09-06T07:08:09Z"), "September 6, 9/6/20"),
    ("timeadd", ("2017-11-22T00:00:00Z", "10m"), "2017-11-22T00:10:00Z"),
    ("timeadd", ("2017-11-22T00:00:00Z", "-1h30m"), "2017-11-21T22:30:00Z"),
    ("timeadd", ("2017-11-22T00:00:00Z", "1.5h"), "2017-11-22T01:30:00Z"),
    ("timeadd", ("2017-11-22T00:00:00+02:00", "24h"), "2017-11-23T00:00:00+02:00"),
    ("timeadd", ("2020-01-01T00:00:00Z", "1us"), "2020-01-01T00:00:00Z"),
    # crypto / uuid
    ("md5", ("hello world",), "5eb63bbbe01eeed093cb22bb8f5acdc3"),
    ("sha1", ("hello world",), "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
    ("sha256", ("hello world",), "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
    ("sha512", ("",), "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                      "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
    ("uuidv5", ("dns", "www.terraform.io"), "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
    ("uuidv5", ("url", "https://www.terraform.io/"), "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"),
    # network
    ("cidrhost", ("10.12.127.0/20", 16), "10.12.112.16"),
    ("cidrhost", ("10.12.127.0/20", 268), "10.12.113.12"),
    ("cidrhost", ("10.12.127.0/20", -1), "10.12.127.255"),
    ("cidrhost", ("fd00:fd12:3456:7890:00a2::/72", 34), "fd00:fd12:3456:7890::22"),
    ("cidrnetmask", ("172.16.0.0/12",), "255.240.0.0"),
    ("cidrsubnet", ("172.16.0.0/12", 4, 2), "172.18.0.0/16"),
    ("cidrsubnet", ("10.1.2.0/24", 4, 15), "10.1.2.240/28"),
    ("cidrsubnet", ("fd00:fd12:3456:7890::/56", 16, 162), "fd00:fd12:3456:7800:a200::/72"),
    ("cidrsubnets", ("10.1.0.0/16", 4, 4, 8, 4), ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]),
    ("cidrsubnets", ("10.0.0.0/24", 2, 1), ["10.0.0.0/26", "10.0.0.128/25"]),
    # conversion
    ("tostring", (5,), "5"),
    ("tostring", (2.5,), "2.5"),
    ("tostring", (True,), "true"),
    ("tostring", (None,), None),
    ("tonumber", ("42",), 42),
    ("tonumber", ("1.5",), 1.5),
    ("tobool", ("false",), False),
    ("tolist", ([1, "a"],), ["1", "a"]),
    ("toset", (["b", "a", "b"],), ["a", "b"]),
    ("tomap", ({"a": 1, "b": "x"},), {"a": "1", "b": "x"}),
    ("convert", ("5", "number"), 5),
    ("convert", ([1, 2], "list(string)"), ["1", "2"]),
    ("convert", (["b", "a", "b"], "set(string)"), ["a", "b"]),
    ("convert", ({"a": 1, "b": True}, "map(string)"), {"a": "1", "b": "true"}),
    ("convert", ({"n": "1", "x": 2}, "object({n = number})"), {"n": 1}),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_function(name: str, args: tuple[Any, ...], expected: Any) -> None:
    got = call(name, *args)
    assert got == expected
    assert type(got) is type(expected), f"{name}{args} returned {type(got).__name__}"


ERRORS: list[tuple[str, tuple[Any, ...], str]] = [
    ("signum", (7.5,), "whole number"),
    ("parseint", ("12", 2), "cannot parse"),
    ("parseint", ("10", 1), "base must be"),
    ("max", (), "at least one"),
    ("sum", ([],), "empty list"),
    ("format", ("%d", 1.5), 'unsupported value for "%d" at 0: an integer is required'),
    ("format", ("%s",), 'not enough arguments for "%s" at 0: need index 1 but have 0 total'),
    ("format", ("%s", "a", "b"), "too many arguments; only 1 used by format string"),
    ("format", ("%s", [1]), "string required"),
    ("format", ("%x", "ff"), "a number is required"),
    ("formatlist", ("%s-%s", ["a"], ["b", "c"]), "inconsistent"),
    ("element", ([], 0), "empty list"),
    ("index", (["a"], "z"), "item not found"),
    ("lookup", ({}, "a", None), "must not be null"),
    ("concat", (), "at least one argument"),
    ("coalesce", ("", None), "no non-null"),
    ("range", (1, 5, -1), "step must be positive"),
    ("range", (1, 5, 0), "step must not be zero"),
    ("range", (2000,), "more than 1024 values"),
    ("slice", (["a", "b"], 1, 5), "end index"),
    ("slice", (["a", "b"], 2, 1), "start index"),
    ("zipmap", (["a"], []), "does not match"),
    ("one", ([1, 2],), "zero or one"),
    ("regex", ("x", "abc"), "did not match"),
    ("regex", ("(", "abc"), "invalid regular expression"),
    ("regex", ("(?P<a>x)(y)", "xy"), "can't mix"),
    ("base64decode", ("not base64!",), "failed to decode"),
    ("base64decode", ("/w==",), "not valid UTF-8"),
    ("csvdecode", ("a,b\n1,2,3",), "wrong number of fields"),
    ("csvdecode", ("",), "missing header line"),
    ("jsondecode", ("{bad",), 'Invalid value for "str" parameter'),
    ("yamldecode", ("",), "missing start of document"),
    ("yamldecode", ("a: 1\n---\nb: 2",), "extra content"),
    ("formatdate", ("YYYY", "not a timestamp"), "not a valid RFC3339 timestamp"),
    ("formatdate", ("YYYY", "2020-01-01 00:00:00Z"), "not a valid RFC3339 timestamp"),
    ("formatdate", ("YYY", "2020-01-01T00:00:00Z"), "invalid date format verb"),
    ("formatdate", ("QQ", "2020-01-01T00:00:00Z"), "invalid date format verb"),
    ("formatdate", ("'open", "2020-01-01T00:00:00Z"), "unterminated literal"),
    ("timeadd", ("2020-01-01T00:00:00Z", "1d"), 'unknown unit "d" in duration "1d"'),
    ("timeadd", ("2020-01-01T00:00:00Z", "10"), "missing unit"),
    ("cidrhost", ("192.168.1.0/24", 256), "cannot accommodate a host numbered 256"),
    ("cidrhost", ("nonsense", 1), "invalid CIDR address"),
    ("cidrsubnet", ("10.0.0.0/8", 25, 0), "too long for an IPv4 address"),
    ("cidrsubnet", ("10.0.0.0/8", 8, 256), "does not accommodate a subnet numbered 256"),
    ("cidrsubnets", ("10.0.0.0/30", 1, 1, 1), "not enough remaining address space"),
    ("tonumber", ("abc",), "cannot convert"),
    ("tobool", ("yes",), "cannot convert"),
    ("uuidv5", ("bogus", "x"), "namespace"),
    ("bcrypt", ("x", 3), "cost"),
    ("unix_timestamp_parse", (1.5,), "whole number"),
]


@pytest.mark.parametrize(("name", "args", "fragment"), ERRORS, ids=[f"{c[0]}-{i}" for i, c in enumerate(ERRORS)])
def test_function_error(name: str, args: tuple[Any, ...], fragment: str) -> None:
    with pytest.raises(FunctionError, match=re.escape(fragment)):
        call(name, *args)


# --------------------------------------------------------------------------- format


@pytest.mark.parametrize(
    ("spec", "args", "expected"),
    [
        ("Hello, %s!", ("World",), "Hello, World!"),
        ("%d|%5d|%-5d|%05d|%+d|% d", (42, 42, 42, 42, 42, 42), "42|   42|42   |00042|+42| 42"),
        ("%x %X %o %b %#x %#o", (255, 255, 8, 5, 255, 8), "ff FF 10 101 0xff 010"),
        ("%.5d|%x", (42, -255), "00042|-ff"),
        ("%f|%.2f|%8.3f|%08.3f", (3.14159, 3.14159, 3.14159, -3.14159), "3.141590|3.14|   3.142|-003.142"),
        ("%e|%+.2e|%E", (123456.789, -5, 0.5), "1.234568e+05|-5.00e+00|5.000000E-01"),
        ("%g|%g|%g|%G", (0.000012, 1234567, 100, 0.00001), "1.2e-05|1.234567e+06|100|1E-05"),
        ("%q|%q", ('a"b', "tab\there"), '"a\\"b"|"tab\\there"'),
        ("%t|%t", (True, "false"), "true|false"),
        ("%v|%v|%v|%v|%v", (3, 3.5, "s", True, None), "3|3.5|s|true|null"),
        ("%v|%v", (12345678, 1e-7), "1.2345678e+07|1e-07"),
        ("%v|%#v|%#v", ([1, "a"], "s", {"b": 1, "a": [True]}), '[1,"a"]|"s"|{"a":[true],"b":1}'),
        ("%%|100%% %s", ("sure",), "%|100% sure"),
        ("%[2]s %[1]s", ("a", "b"), "b a"),
        ("%s|%d", (12, "12"), "12|12"),
        ("%10s|%-10s|%.3s", ("hi", "hi", "abcdef"), "        hi|hi        |abc"),
        ("%10.4v|", ("abcdefg",), "   abcdefg|"),
        ("%d", (12345678901234567890,), "12345678901234567890"),
    ],
)
def test_format(spec: str, args: tuple[Any, ...], expected: str) -> None:
    assert call("format", spec, *args) == expected


def test_formatlist() -> None:
    assert call("formatlist", "%s=%d", ["a", "b"], [1, 2]) == ["a=1", "b=2"]
    assert call("formatlist", "%s-%s", "x", ["a", "b"]) == ["x-a", "x-b"]
    assert call("formatlist", "%s", []) == []


# --------------------------------------------------------------------------- numbers


def test_number_formatting() -> None:
    assert F.format_number(3) == "3"
    assert F.format_number(3.0) == "3"
    assert F.format_number(0.1) == "0.1"
    assert F.format_number(1e-7) == "0.0000001"
    assert F.format_number(1e21) == "1000000000000000000000"
    assert F.format_number(2**80) == str(2**80)
    assert F.to_string(2.5) == "2.5"
    assert F.to_string(False) == "false"


def test_integral_results_are_ints() -> None:
    assert isinstance(call("ceil", 1.2), int)
    assert isinstance(call("log", 8, 2), int)
    assert isinstance(call("pow", 4, 0.5), int)
    assert isinstance(call("jsondecode", "[2.0]")[0], int)
    assert isinstance(call("tonumber", "3.0"), int)


# --------------------------------------------------------------------------- time


def test_timestamp_is_rfc3339_utc_now() -> None:
    ts = call("timestamp")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ts)
    parsed = dt.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert abs((dt.datetime.now(dt.UTC) - parsed).total_seconds()) < 5


def test_go_duration() -> None:
    assert F.go_duration("1h30m") == dt.timedelta(hours=1, minutes=30)
    assert F.go_duration("-1.5h") == dt.timedelta(hours=-1.5)
    assert F.go_duration("300ms") == dt.timedelta(milliseconds=300)
    assert F.go_duration("2µs") == dt.timedelta(microseconds=2)
    assert F.go_duration("0") == dt.timedelta(0)
    for bad in ("", "1", "1d", "h", "1h-2m"):
        with pytest.raises(FunctionError):
            F.go_duration(bad)


def test_go_time_format() -> None:
    t = dt.datetime(2006, 1, 2, 15, 4, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    assert F.go_time_format(t, "2006-01-02T15:04:05Z07:00") == "2006-01-02T15:04:05-07:00"
    assert F.go_time_format(t, "Mon Jan _2 3:4:5 PM 06") == "Mon Jan  2 3:4:5 PM 06"
    assert F.go_time_format(t, "Monday January 02 03 pm") == "Monday January 02 03 pm"
    assert F.go_time_format(t, "15:04:05.000 .999999 ,00") == "15:04:05.123 .123456 ,12"
    assert F.go_time_format(t, "MST -0700 -07 Z0700 002") == "-0700 -0700 -07 -0700 002"
    utc = dt.datetime(2020, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    assert F.go_time_format(utc, "Z07:00 MST") == "Z UTC"
    assert F.go_time_format(utc, "20060102150405") == "20200304050607"


def test_legacy_time_functions_use_process_start_time() -> None:
    assert call("legacy_isotime") == F.format_rfc3339(F.INIT_TIME)
    assert call("legacy_isotime", "2006-01-02") == F.INIT_TIME.strftime("%Y-%m-%d")
    assert call("legacy_strftime", "%Y%m%d-%H") == F.INIT_TIME.strftime("%Y%m%d-%H")


def test_rfc3339_and_unix_timestamp_parse() -> None:
    got = call("rfc3339_parse", "2023-07-25T23:43:16Z")
    assert got == {
        "year": 2023, "year_day": 206, "month": 7, "month_name": "July", "day": 25, "weekday": 2,
        "weekday_name": "Tuesday", "hour": 23, "minute": 43, "second": 16, "unix": 1690328596,
        "iso_year": 2023, "iso_week": 30,
    }
    assert call("rfc3339_parse", "2023-07-25 23:43:16.5+02:00")["unix"] == 1690321396
    got = call("unix_timestamp_parse", 1690328596)
    assert got["rfc3339"] == "2023-07-25T23:43:16Z" and got["weekday_name"] == "Tuesday"
    with pytest.raises(FunctionError, match="is not a valid RFC3339 timestamp"):
        call("rfc3339_parse", "yesterday")


# --------------------------------------------------------------------------- crypto / uuid


def test_uuidv4() -> None:
    u = call("uuidv4")
    assert uuid.UUID(u).version == 4 and u != call("uuidv4")


def test_bcrypt_verifies() -> None:
    import bcrypt

    h = call("bcrypt", "secret", 4)
    assert h.startswith("$2a$04$")
    assert bcrypt.checkpw(b"secret", h.encode())
    assert call("bcrypt", "x").startswith("$2a$10$")


def test_rsadecrypt() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()).decode()
    ct = base64.b64encode(key.public_key().encrypt(b"hunter2", padding.PKCS1v15())).decode()
    assert call("rsadecrypt", ct, pem) == "hunter2"
    with pytest.raises(FunctionError, match="failed to parse key"):
        call("rsadecrypt", ct, "not a key")


def test_base64gzip_roundtrip() -> None:
    assert gzip.decompress(base64.b64decode(call("base64gzip", "hello"))) == b"hello"


# --------------------------------------------------------------------------- registry


def test_registry_has_the_packer_library() -> None:
    names = {
        "abs", "ceil", "floor", "log", "max", "min", "parseint", "pow", "signum", "sum", "chomp", "endswith",
        "startswith", "strcontains", "format", "formatlist", "indent", "join", "lower", "upper", "title",
        "regex", "regexall", "regex_replace", "replace", "split", "strrev", "substr", "trim", "trimprefix",
        "trimsuffix", "trimspace", "alltrue", "anytrue", "chunklist", "coalesce", "coalescelist", "compact",
        "concat", "contains", "distinct", "element", "flatten", "index", "keys", "values", "length",
        "lookup", "merge", "range", "reverse", "setintersection", "setproduct", "setunion", "slice", "sort",
        "zipmap", "base64decode", "base64encode", "base64gzip", "csvdecode", "jsondecode", "jsonencode",
        "textdecodebase64", "textencodebase64", "urlencode", "yamldecode", "yamlencode", "abspath",
        "basename", "dirname", "pathexpand", "formatdate", "timeadd", "timestamp", "legacy_isotime",
        "legacy_strftime", "rfc3339_parse", "unix_timestamp_parse", "bcrypt", "md5", "sha1", "sha256",
        "sha512", "rsadecrypt", "uuidv4", "uuidv5", "cidrhost", "cidrnetmask", "cidrsubnet", "cidrsubnets",
        "convert", "tostring", "tonumber", "tobool", "tolist", "tomap", "toset",
    }
    assert names <= set(FUNCTIONS)
    assert "env" not in FUNCTIONS and "try" not in FUNCTIONS and "can" not in FUNCTIONS
    assert "file" not in FUNCTIONS  # filesystem readers need a base directory


@pytest.mark.parametrize("name", ["vault", "consul_key", "aws_secretsmanager", "aws_secretsmanager_raw"])
def test_secret_stores_are_refused(name: str) -> None:
    with pytest.raises(FunctionError, match=f"{name} is not supported by pybuild: it reaches a cloud secret store"):
        FUNCTIONS[name]("some/path", "key")


# --------------------------------------------------------------------------- filesystem


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "http").mkdir()
    (tmp_path / "http" / "ks.cfg").write_text("text ${x}\n")
    (tmp_path / "http" / "sub").mkdir()
    (tmp_path / "http" / "sub" / "a.sh").write_text("echo\n")
    (tmp_path / "http" / "sub" / "b.txt").write_text("b")
    (tmp_path / "bin.dat").write_bytes(b"\xff\x00\x01")
    (tmp_path / "greet.tpl").write_text("Hello ${name}!%{ for x in items } [${x}]%{ endfor }\n")
    return tmp_path


def test_file_functions(tree: Path) -> None:
    fns = make_functions(str(tree), allow_env=False)
    assert fns["file"]("http/ks.cfg") == "text ${x}\n"
    assert fns["file"](str(tree / "http" / "ks.cfg")) == "text ${x}\n"  # absolute paths work too
    assert fns["filebase64"]("bin.dat") == base64.b64encode(b"\xff\x00\x01").decode()
    assert fns["fileexists"]("http/ks.cfg") is True
    assert fns["fileexists"]("nope") is False
    assert fns["filesha256"]("http/sub/b.txt") == "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"
    with pytest.raises(FunctionError, match="not a regular file"):
        fns["fileexists"]("http")
    with pytest.raises(FunctionError, match=r"no file exists at missing\.txt"):
        fns["file"]("missing.txt")
    with pytest.raises(FunctionError, match="not valid UTF-8"):
        fns["file"]("bin.dat")


def test_fileset(tree: Path) -> None:
    fns = make_functions(str(tree), allow_env=False)
    assert fns["fileset"]("http", "*") == ["ks.cfg"]
    assert fns["fileset"]("http", "**") == ["ks.cfg", "sub/a.sh", "sub/b.txt"]
    assert fns["fileset"]("http", "**/*.sh") == ["sub/a.sh"]
    assert fns["fileset"]("http", "sub/{a.sh,b.txt}") == ["sub/a.sh", "sub/b.txt"]
    assert fns["fileset"]("http", "sub/?.txt") == ["sub/b.txt"]
    assert fns["fileset"](".", "*.dat") == ["bin.dat"]


def test_path_functions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert call("abspath", "a/../b") == str(tmp_path / "b")
    assert call("abspath", "/x/./y/") == "/x/y"
    monkeypatch.setenv("HOME", "/home/someone")
    assert call("pathexpand", "~/.ssh/id") == "/home/someone/.ssh/id"
    assert call("pathexpand", "/etc/~x") == "/etc/~x"


def test_env_only_when_allowed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PYBUILD_TEST_ENV", "value")
    assert "env" not in make_functions(str(tmp_path), allow_env=False)
    fns = make_functions(str(tmp_path), allow_env=True)
    assert fns["env"]("PYBUILD_TEST_ENV") == "value"
    assert fns["env"]("PYBUILD_TEST_UNSET_VARIABLE") == ""


def test_templatefile(tree: Path) -> None:
    fns = make_functions(str(tree), allow_env=False)
    assert fns["templatefile"]("greet.tpl", {"name": "World", "items": ["a", "b"]}) == "Hello World! [a] [b]\n"
    with pytest.raises(FunctionError, match="map or object required"):
        fns["templatefile"]("greet.tpl", ["not", "a", "map"])


def test_templatefile_missing_variable_is_an_error(tree: Path) -> None:
    from builder.errors import TemplateError

    fns = make_functions(str(tree), allow_env=False)
    with pytest.raises((TemplateError, FunctionError)):
        fns["templatefile"]("greet.tpl", {"name": "x"})


def test_jsonencode_roundtrips_through_json() -> None:
    value = {"z": [1, 2.5, None, True], "a": {"nested": "<&>"}, "n": 2**64}
    assert json.loads(call("jsonencode", value)) == value


# --------------------------------------------------------------------------- properties

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=20)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(_values)
def test_jsonencode_jsondecode_roundtrip(value: Any) -> None:
    assert call("jsondecode", call("jsonencode", value)) == value


@settings(max_examples=100, deadline=None)
@given(_values)
@example("\n")  # found by this test: a string of newlines alone came back empty
@example({"k": "\n\n"})
def test_yamlencode_yamldecode_roundtrip(value: Any) -> None:
    assert call("yamldecode", call("yamlencode", value)) == value


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_base64_roundtrip(text: str) -> None:
    assert call("base64decode", call("base64encode", text)) == text


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9998, 1, 1)))
def test_formatdate_matches_strftime(when: dt.datetime) -> None:
    ts = when.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert call("formatdate", "YYYY-MM-DD hh:mm:ss EEE MMM", ts) == when.strftime("%Y-%m-%d %H:%M:%S %a %b")

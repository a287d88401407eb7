"""Shared pieces of the fuzz tests: hypothesis settings, input strategies and the corpus.

Every fuzz target must end each input in success or a :class:`~builder.errors.PybuildError`
(a diagnostic); anything else is a bug. Inputs that once found a bug are kept in
``corpus/<target>/`` and replayed by ``test_fuzz_corpus.py``.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

CORPUS = Path(__file__).with_name("corpus")
# 10,000 in CI; PYBUILD_FUZZ_EXAMPLES scales a local run up or down
EXAMPLES = int(os.environ.get("PYBUILD_FUZZ_EXAMPLES", "10000"))

# 10,000 inputs per target per run, reproducible (derandomized), no per-input deadline
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)

# functions that reach the network or are deliberately slow never run in the fuzzer
NO_FUZZ_FUNCS = {"aws_secretsmanager", "aws_secretsmanager_raw", "consul_key", "vault", "bcrypt"}


class Counter:
    """Counts the inputs a target really ran (reported at the end and asserted)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.n = 0
        self.diagnostics = 0

    def report(self) -> None:
        print(f"\nfuzz {self.name}: {self.n} inputs, {self.diagnostics} diagnostics, 0 uncaught exceptions")
        FIGURES.parent.mkdir(parents=True, exist_ok=True)
        with FIGURES.open("a") as fh:
            fh.write(json.dumps({"target": self.name, "inputs": self.n, "diagnostics": self.diagnostics}) + "\n")


FIGURES = Path(__file__).resolve().parents[2] / ".pytest_cache" / "reliability-figures.jsonl"


def corpus_cases(target: str) -> list[Path]:
    d = CORPUS / target
    return sorted(p for p in d.iterdir() if p.is_file()) if d.is_dir() else []


# --- HCL expressions ----------------------------------------------------------------

IDENT = st.sampled_from(["a", "b", "x", "name", "var", "local", "each", "count", "path", "self", "null",
                         "true", "false", "for", "in", "if", "source", "build", "packer", "_", "a-b", "v1"])

_STR_CHARS = st.sampled_from([*list("abc xyz019-_./\\\"'$%{}[]()~\t\n*:=,#"), "${", "%{", "$${", "%%{", "}", "\\n", "\\u00e9", "\\x", "é", "\u202e", "\x00", "~}", "{~"])


def _string_lit() -> st.SearchStrategy[str]:
    return st.lists(_STR_CHARS, max_size=12).map(lambda xs: '"' + "".join(xs) + '"')


NUMBER = st.one_of(
    st.integers(-5, 5).map(str),
    st.sampled_from(["0", "1.5", "-0", "1e3", "1e308", "1e309", "9999999999999999999999", "0.1", "1e-400",
                     "0x10", "1.", ".5", "2e2048"]),
)

ATOM = st.one_of(
    NUMBER,
    _string_lit(),
    st.sampled_from(["true", "false", "null", "[]", "{}", "var.a", "local.b", "var.missing", "path.root",
                     "packer.version", "source.null.n", "build.name", "each.value", "count.index",
                     'var.a["k"]', "var.l[0]", "var.l[*]", "var.m.k", "<<EOT\nhi ${1}\nEOT\n",
                     "<<-EOT\n  x\n  EOT\n"]),
    IDENT,
)


def _func_names() -> list[str]:
    from builder.template.functions import function_table

    return sorted(set(function_table(".", False)) - NO_FUZZ_FUNCS)


def expressions(funcs: list[str]) -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        args = st.lists(inner, max_size=4)
        return st.one_of(
            st.tuples(st.sampled_from(funcs), args, st.booleans()).map(
                lambda t: f"{t[0]}({', '.join(t[1])}{'...' if t[2] and t[1] else ''})"
            ),
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&",
                                              "||"]), inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
            st.tuples(st.sampled_from(["!", "-"]), inner).map(lambda t: t[0] + t[1]),
            st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
            args.map(lambda xs: "[" + ", ".join(xs) + "]"),
            st.lists(st.tuples(st.one_of(IDENT, _string_lit()), inner), max_size=3).map(
                lambda kv: "{" + ", ".join(f"{k} = {v}" for k, v in kv) + "}"
            ),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
            inner.map(lambda e: f"({e})"),
            inner.map(lambda e: f"{e}[*]"),
            inner.map(lambda e: f"{e}.attr"),
            st.tuples(inner, inner, st.booleans()).map(
                lambda t: f"[for k, v in {t[0]}: {t[1]}{' if v != null' if t[2] else ''}]"
            ),
            st.tuples(inner, inner).map(lambda t: f"{{for x in {t[0]}: tostring(x) => {t[1]}...}}"),
            inner.map(lambda e: f'"pre-${{{e}}}-post"'),
            inner.map(lambda e: f'"%{{ if {e} }}y%{{ else }}n%{{ endif }}"'),
            inner.map(lambda e: f'"%{{ for i in {e} }}${{i}},%{{ endfor }}"'),
        )

    return st.recursive(ATOM, extend, max_leaves=8)


# token soup: mutated fragments of HCL, to reach the parser's error paths
HCL_TOKENS = st.sampled_from(
    ['variable "a" {', 'locals {', 'source "null" "n" {', "build {", "packer {", 'sources = ["source.null.n"]',
     "}", "{", "=", "\n", " ", '"', "${", "%{", "[", "]", "(", ")", ",", ":", "=>", "...", "?", "#", "//", "/*",
     "*/", "<<EOT\n", "EOT\n", "type = string", "type = list(string)", "type = map(number)",
     "type = object({a = string})", "sensitive = true", "default =", "validation {", "condition = false",
     'error_message = "bad."', 'provisioner "shell" {', 'post-processor "manifest" {', "post-processors {",
     'dynamic "x" {', "content {", "for_each = [1]", 'required_version = ">= 1.7"', "required_plugins {",
     "only = [\"null.n\"]", "except = []", 'name = "n"', "communicator = \"none\"", "inline = [\"true\"]",
     "a", "b", "1", "\x00", "\t", "\r\n", "é", "\ufeff", "data \"http\" \"d\" {", "hcp_packer_registry {"]
)


def hcl_soup() -> st.SearchStrategy[str]:
    return st.lists(HCL_TOKENS, max_size=40).map("".join)


def hcl_templates(funcs: list[str]) -> st.SearchStrategy[str]:
    """Structurally plausible templates whose attributes are random expressions."""
    expr = expressions(funcs)
    var_block = st.tuples(
        IDENT,
        st.sampled_from(["", "type = string", "type = number", "type = list(string)", "type = map(string)",
                         "type = bool", "type = any", "type = object({a = string, b = optional(number, 1)})",
                         "type = tuple([string, number])", "type = foo", "type = list()"]),
        st.one_of(st.none(), expr),
        st.booleans(),
        st.one_of(st.none(), expr),
    ).map(
        lambda t: f'variable "{t[0]}" {{\n  {t[1]}\n'
        + (f"  default = {t[2]}\n" if t[2] is not None else "")
        + ("  sensitive = true\n" if t[3] else "")
        + (f'  validation {{\n    condition = {t[4]}\n    error_message = "Must hold."\n  }}\n' if t[4] else "")
        + "}\n"
    )
    locals_block = st.lists(st.tuples(IDENT, expr), min_size=1, max_size=3).map(
        lambda kv: "locals {\n" + "".join(f"  {k} = {v}\n" for k, v in kv) + "}\n"
    )
    source_block = st.lists(st.tuples(st.sampled_from(["communicator", "boot_wait", "shutdown_command", "x"]),
                                      expr), max_size=2).map(
        lambda kv: 'source "null" "n" {\n  communicator = "none"\n' + "".join(f"  {k} = {v}\n" for k, v in kv)
        + "}\n"
    )
    build_block = st.tuples(st.one_of(st.just('["source.null.n"]'), expr), st.one_of(st.none(), expr)).map(
        lambda t: f"build {{\n  sources = {t[0]}\n"
        + (f'  provisioner "shell-local" {{\n    inline = [{t[1]}]\n  }}\n' if t[1] is not None else "")
        + "}\n"
    )
    return st.lists(st.one_of(var_block, locals_block, source_block, build_block), max_size=5).map("".join)


# --- variable files -------------------------------------------------------------------

def var_files(funcs: list[str]) -> st.SearchStrategy[str]:
    expr = expressions(funcs)
    assign = st.tuples(st.sampled_from(["a", "l", "m", "n", "s", "undeclared", "a.b", "0x"]), expr).map(
        lambda t: f"{t[0]} = {t[1]}\n"
    )
    blocks = st.sampled_from(['variable "a" {}\n', "locals { x = 1 }\n", "a {\n}\n", 'a "b" {}\n'])
    return st.lists(st.one_of(assign, blocks, HCL_TOKENS), max_size=8).map("".join)


# --- boot commands ----------------------------------------------------------------------

BOOT_PIECES = st.sampled_from(
    ["<", ">", "<wait>", "<wait5>", "<wait10>", "<wait1m30s>", "<wait-1s>", "<wait1h>", "<wait999999999h>",
     "<wait1.5s>", "<wait1e9s>", "<waitx>", "<wait0s>", "<waitnan>", "<waitinf>", "<enter>", "<return>",
     "<esc>", "<tab>", "<f1>", "<f12>", "<f13>", "<leftCtrlOn>", "<leftCtrlOff>", "<leftAltOn>",
     "<leftShiftOff>", "<spacebar>", "<up>", "<pageUp>", "<insert>", "<del>", "<bs>", "<menu>", "<aOn>",
     "<aOff>", "<%On>", "<<On>", "<ENTER>", "<Enter>", "<wait 5s>", "<wait5 s>", "<on>", "<Off>", "a", "Z", "1",
     " ", "\n", "\t", "é", "\x00", "\u202e", "€", "{{ .HTTPIP }}", "<wait٣>", "<wait５s>", "<wait1µs>",
     "<wait1us>"]
)

boot_commands = st.one_of(
    st.lists(BOOT_PIECES, max_size=30).map("".join),
    st.text(max_size=60),
)

# --- checksums -------------------------------------------------------------------------

HEX64 = "a" * 64
CHECKSUM_LINES = st.sampled_from(
    [f"{HEX64}  image.iso", f"{HEX64} *image.iso", f"SHA256 (image.iso) = {HEX64}", f"SHA-256 (image.iso) = {HEX64}",
     f"MD5 (image.iso) = {'b' * 32}", f"{'b' * 32}  image.iso", f"{'c' * 40}  ./sub/image.iso", HEX64,
     f"{HEX64}  ", f"{HEX64}  image.iso.sig", "# comment", "", "\r", "garbage", "SHA256 () = ", "SHA256 (x",
     f"{'d' * 128}  image.iso", f"{HEX64[:-1]}  image.iso", f"sha256:{HEX64}", "\x00", "é  image.iso",
     f"{HEX64}\timage.iso", f"{HEX64}  http://h/x/image.iso", f"{HEX64}  %2e%2e/image.iso"]
)

checksum_files = st.one_of(
    st.lists(st.one_of(CHECKSUM_LINES, st.text(max_size=20)), max_size=8).map("\n".join),
    st.text(max_size=200),
)

checksum_specs = st.one_of(
    st.tuples(st.sampled_from(["", "sha256:", "md5:", "SHA512:", "sha1:", "crc32:", "file:", "sha256:file:",
                               "none", "None", "file:./", "file:file://", "file:/dev/null"]),
              st.one_of(st.text(alphabet="0123456789abcdefABCDEFxyz:./ ", max_size=130),
                        st.sampled_from([HEX64, "b" * 32, "c" * 40, "d" * 128, "sums.txt", "image.iso",
                                         "missing.txt", "", "/etc/hostname"]))).map("".join),
    st.text(max_size=80),
)

file_names = st.one_of(
    st.sampled_from(["image.iso", "http://h/x/image.iso", "file:///x/image.iso", "", "/", "a/", "%2e%2e",
                     "image.iso?x=1", "sub/image.iso"]),
    st.text(max_size=30),
)


# --- fast generators ---------------------------------------------------------------------
# Hypothesis' own recursive strategies cost milliseconds per draw; the template targets
# draw one integer seed instead and build the input with random.Random(seed) (reproducible
# and cheap; hypothesis still reports the failing seed).



_ATOMS = ["0", "1", "-3", "1.5", "1e3", "1e309", "9999999999999999999999", "-0", "true", "false", "null", "[]",
          "{}", "var.a", "local.b", "var.missing", "path.root", "packer.version", "source.null.n", "each.value",
          'var.m["k"]', "var.l[0]", "var.l[*]", "var.m.k", "var.s", "<<EOT\nhi ${1}\nEOT\n", "<<-EOT\n  x\n  EOT\n",
          "a", "x", "self", '"/"', '"./data.txt"', '"tpl.pkrtpl"', '"*.txt"', '"%s-%d"', '"a,b"', '"1"', '"2006-01-02"',
          '"2024-01-01T00:00:00Z"', '"10.0.0.0/8"', '"aGk="', '"{\\"a\\": 1}"', '"a: [1]"', '"[a-z]+"', '"${"',
          '"%{"', '"\\u00e9"', '"\\x"', '"é\u202e"', '"$${x}"', '"%%{x}"']
_OPS = ["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"]


def gen_string(rng: random.Random) -> str:
    chars = "abc xyz019-_./\\\"'$%{}[]()~*:=,#\t\n"
    parts = [rng.choice(chars) if rng.random() < 0.8 else rng.choice(["${", "%{", "$${", "%%{", "\\n", "é", "~}"])
             for _ in range(rng.randint(0, 10))]
    return '"' + "".join(parts) + '"'


def gen_expr(rng: random.Random, funcs: list[str], depth: int = 3) -> str:
    if depth <= 0 or rng.random() < 0.3:
        return gen_string(rng) if rng.random() < 0.2 else rng.choice(_ATOMS)
    d = depth - 1
    k = rng.randint(0, 14)
    sub = lambda: gen_expr(rng, funcs, d)  # noqa: E731
    if k <= 3:
        args = [sub() for _ in range(rng.randint(0, 3))]
        return f"{rng.choice(funcs)}({', '.join(args)}{'...' if args and rng.random() < 0.1 else ''})"
    if k == 4:
        return f"{sub()} {rng.choice(_OPS)} {sub()}"
    if k == 5:
        return rng.choice(["!", "-"]) + sub()
    if k == 6:
        return f"{sub()} ? {sub()} : {sub()}"
    if k == 7:
        return "[" + ", ".join(sub() for _ in range(rng.randint(0, 3))) + "]"
    if k == 8:
        return "{" + ", ".join(f"{rng.choice(['a', 'b', 'x', gen_string(rng)])} = {sub()}"
                               for _ in range(rng.randint(0, 3))) + "}"
    if k == 9:
        return f"{sub()}[{sub()}]"
    if k == 10:
        return f"({sub()})" + rng.choice(["", "[*]", ".attr", "[*].a"])
    if k == 11:
        return f"[for k, v in {sub()}: {sub()}{' if v != null' if rng.random() < 0.3 else ''}]"
    if k == 12:
        return f"{{for x in {sub()}: tostring(x) => {sub()}{'...' if rng.random() < 0.5 else ''}}}"
    if k == 13:
        return f'"pre-${{{sub()}}}-%{{ if {sub()} }}y%{{ else }}n%{{ endif }}"'
    return f'"%{{ for i in {sub()} }}${{i}},%{{ endfor }}"'


_TYPES = ["", "type = string", "type = number", "type = list(string)", "type = map(string)", "type = bool",
          "type = any", "type = object({a = string, b = optional(number, 1)})", "type = tuple([string, number])",
          "type = foo", "type = list()", "type = set(number)"]


def gen_template(rng: random.Random, funcs: list[str]) -> str:
    out = []
    for _ in range(rng.randint(0, 5)):
        k = rng.randint(0, 3)
        e = lambda: gen_expr(rng, funcs)  # noqa: E731
        if k == 0:
            body = f"  {rng.choice(_TYPES)}\n"
            if rng.random() < 0.6:
                body += f"  default = {e()}\n"
            if rng.random() < 0.2:
                body += "  sensitive = true\n"
            if rng.random() < 0.3:
                body += f'  validation {{\n    condition = {e()}\n    error_message = "Must hold."\n  }}\n'
            out.append(f'variable "{rng.choice(["a", "b", "x", "l", "a-b", "1x"])}" {{\n{body}}}\n')
        elif k == 1:
            out.append("locals {\n" + "".join(f"  {rng.choice(['a', 'b', 'c'])} = {e()}\n"
                                              for _ in range(rng.randint(1, 3))) + "}\n")
        elif k == 2:
            attrs = "".join(f"  {rng.choice(['communicator', 'boot_wait', 'x'])} = {e()}\n"
                            for _ in range(rng.randint(0, 2)))
            out.append(f'source "null" "n" {{\n  communicator = "none"\n{attrs}}}\n')
        else:
            srcs = '["source.null.n"]' if rng.random() < 0.7 else e()
            prov = f'  provisioner "shell-local" {{\n    inline = [{e()}]\n  }}\n' if rng.random() < 0.5 else ""
            out.append(f"build {{\n  sources = {srcs}\n{prov}}}\n")
    text = "".join(out)
    if text and rng.random() < 0.3:  # mutate: cut, duplicate or splice a token
        i = rng.randrange(len(text))
        j = min(len(text), i + rng.randint(1, 8))
        text = rng.choice([text[:i] + text[j:], text[:j] + text[i:j] + text[j:],
                           text[:i] + rng.choice(["{", "}", '"', "${", "\n", "=", "[", "\x00", "#"]) + text[i:]])
    return text


def gen_soup(rng: random.Random) -> str:
    return "".join(rng.choice(HCL_TOKENS.elements) for _ in range(rng.randint(0, 40)))  # type: ignore[attr-defined]


def gen_var_file(rng: random.Random, funcs: list[str]) -> str:
    lines = []
    for _ in range(rng.randint(0, 6)):
        r = rng.random()
        if r < 0.7:
            lines.append(f"{rng.choice(['a', 'l', 'm', 'n', 's', 'undeclared', 'a.b', '0x'])} = {gen_expr(rng, funcs)}\n")
        elif r < 0.85:
            lines.append(rng.choice(['variable "a" {}\n', "locals { x = 1 }\n", "a {\n}\n", 'a "b" {}\n']))
        else:
            lines.append(rng.choice(HCL_TOKENS.elements))  # type: ignore[attr-defined]
    return "".join(lines)


def gen_json_var_file(rng: random.Random, funcs: list[str]) -> str:
    def val(d: int) -> object:
        k = rng.randint(0, 6 if d > 0 else 3)
        if k == 0:
            return rng.choice([0, 1.5, -1, 10**30])
        if k == 1:
            return rng.choice(["x", "", "${var.a}", "%{", "é"])
        if k == 2:
            return rng.choice([True, False, None])
        if k == 3:
            return float("nan") if rng.random() < 0.1 else "n"
        if k <= 5:
            return [val(d - 1) for _ in range(rng.randint(0, 3))]
        return {rng.choice(["a", "k", ""]): val(d - 1) for _ in range(rng.randint(0, 3))}

    obj = {rng.choice(["a", "l", "m", "n", "s", "undeclared"]): val(2) for _ in range(rng.randint(0, 4))}
    text = json.dumps(obj)
    if rng.random() < 0.2:
        i = rng.randrange(len(text) + 1)
        text = text[:i] + rng.choice(["{", "}", '"', ",", "\x00", "]"]) + text[i:]
    return text

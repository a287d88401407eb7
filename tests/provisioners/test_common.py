"""Environment flattening, quoting and template rendering shared by the shell provisioners."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from ctxutil import provision_ctx
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.errors import BuildError
from builder.provisioners._common import (
    check_env_vars,
    collect_env,
    format_env,
    inline_script,
    render_template,
    sprintf_ss,
)


def test_sprintf_subset() -> None:
    assert sprintf_ss("%s='%s' ", "A", "b") == "A='b' "
    assert sprintf_ss("export %s=\"%s\"\n", "A", "b") == 'export A="b"\n'
    assert sprintf_ss("100%% %s", "x") == "100% x"
    assert sprintf_ss("%s %s %s", "a", "b") == "a b %!s(MISSING)"


def test_collect_env_order_and_precedence() -> None:
    env = collect_env({"PACKER_BUILD_NAME": "b", "ZED": "base"}, ["ZED=list", "A=1=2"], {"A": "map"})
    assert list(env) == ["A", "PACKER_BUILD_NAME", "ZED"]
    assert env == {"A": "map", "PACKER_BUILD_NAME": "b", "ZED": "list"}
    assert collect_env({}, ["K=a=b"], {}) == {"K": "a=b"}


def test_check_env_vars() -> None:
    assert check_env_vars(["A=1", "B="], {"C": "x"}) == []
    assert len(check_env_vars(["A", "=1"], {"": "x"})) == 3


def test_inline_script() -> None:
    assert inline_script(["a", "b"], "/bin/bash -ex") == "#!/bin/bash -ex\na\nb\n"
    assert inline_script(["a", "b"], "") == "#!/bin/sh -e\na\nb\n"  # Packer's default
    # Packer >= 1.13: unset inline_shebang and commands with their own #! line: as written
    assert inline_script(["#!/bin/bash -e", "a"], "") == "#!/bin/bash -e\na\n"
    assert inline_script(["#!/bin/bash -e", "a"], "/bin/sh") == "#!/bin/sh\n#!/bin/bash -e\na\n"
    assert inline_script([" #!/bin/bash", "a"], "") == "#!/bin/sh -e\n #!/bin/bash\na\n"


def test_render_execute_command() -> None:
    data = {"Path": "/tmp/s.sh", "Vars": "A='1' ", "EnvVarFile": ""}
    assert render_template("chmod +x {{ .Path }}; {{ .Vars }} {{ .Path }}", data) == (
        "chmod +x /tmp/s.sh; A='1'  /tmp/s.sh"
    )
    assert render_template("{{.Vars}}sudo -S sh '{{.Path}}'", data) == "A='1' sudo -S sh '/tmp/s.sh'"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40))
def test_any_value_survives_the_shell(value: str) -> None:
    """Whatever a variable holds, the flattened form gives the script exactly that value."""
    flat = format_env({"V": value})
    res = subprocess.run(["/bin/sh", "-c", f"{flat} /bin/sh -c 'printf %s \"$V\"'"], capture_output=True,
                         timeout=10)
    assert res.returncode == 0
    assert res.stdout.decode("utf-8", "surrogateescape") == value


def test_render_uses_build_vars_and_user_vars(tmp_path: Path) -> None:
    ctx, _ = provision_ctx(None, tmp_path, variables={"pw": "vagrant"})
    ctx.build_vars = {"User": "debian", "Host": "127.0.0.1"}
    text = "echo '{{ user `pw` }}' | sudo -S -u {{ build `User` }} {{ .Vars }}sh '{{ .Path }}' # {{ build_name }}"
    assert render_template(text, {"Path": "/tmp/s", "Vars": "A='1' "}, ctx) == (
        "echo 'vagrant' | sudo -S -u debian A='1' sh '/tmp/s' # test"
    )
    with pytest.raises(BuildError, match="cannot render"):
        render_template("{{ .Nope }}", {"Path": "/x"}, ctx)

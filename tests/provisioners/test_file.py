"""The file provisioner over a real SSH connection (SFTP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ctxutil import provision_ctx
from sshd_server import SSHUser

from builder.communicator.ssh import SSHCommunicator
from builder.config import parse_config
from builder.errors import BuildError, ConfigError
from builder.provisioners.file import FileConfig, FileProvisioner


def fileprov(**raw: Any) -> FileProvisioner:
    return FileProvisioner(parse_config(FileConfig, raw, component='provisioner "file"'))


@pytest.fixture
def rdir(comm: SSHCommunicator, ssh_user: SSHUser, request: pytest.FixtureRequest) -> str:
    path = f"{ssh_user.home}/{request.node.name}"
    assert comm.run(f"rm -rf {path} && mkdir -p {path}") == 0
    return path


def remote_tree(comm: SSHCommunicator, path: str) -> list[str]:
    out: list[str] = []
    comm.run(f"cd {path} && find . -mindepth 1 | sort", on_stdout=out.append)
    return out


@pytest.fixture
def local_tree(tmp_path: Path) -> Path:
    d = tmp_path / "stuff"
    (d / "sub").mkdir(parents=True)
    (d / "one.txt").write_text("one")
    (d / "sub" / "two.txt").write_text("two")
    return d


def test_upload_file_rename_and_into_dir(comm: SSHCommunicator, rdir: str, tmp_path: Path) -> None:
    src = tmp_path / "hello.sh"
    src.write_text("#!/bin/sh\necho hi\n")
    src.chmod(0o750)
    ctx, cap = provision_ctx(comm, tmp_path)
    fileprov(source=str(src), destination=f"{rdir}/renamed.sh").provision(ctx)
    fileprov(source=str(src), destination=f"{rdir}/").provision(ctx)
    assert remote_tree(comm, rdir) == ["./hello.sh", "./renamed.sh"]
    out: list[str] = []
    comm.run(f"stat -c %a {rdir}/hello.sh; {rdir}/renamed.sh", on_stdout=out.append)
    assert out == ["750", "hi"]
    assert f"Uploading {src} => {rdir}/hello.sh" in cap.text


def test_upload_dir_without_slash_copies_the_dir(comm: SSHCommunicator, rdir: str, local_tree: Path,
                                                  tmp_path: Path) -> None:
    ctx, _ = provision_ctx(comm, tmp_path)
    fileprov(source=str(local_tree), destination=rdir).provision(ctx)
    assert remote_tree(comm, rdir) == ["./stuff", "./stuff/one.txt", "./stuff/sub", "./stuff/sub/two.txt"]


def test_upload_dir_with_slash_copies_contents(comm: SSHCommunicator, rdir: str, local_tree: Path,
                                               tmp_path: Path) -> None:
    ctx, _ = provision_ctx(comm, tmp_path)
    fileprov(source=f"{local_tree}/", destination=f"{rdir}/new").provision(ctx)
    assert remote_tree(comm, rdir) == ["./new", "./new/one.txt", "./new/sub", "./new/sub/two.txt"]


def test_upload_sources_and_content(comm: SSHCommunicator, rdir: str, local_tree: Path,
                                    tmp_path: Path) -> None:
    ctx, _ = provision_ctx(comm, tmp_path)
    fileprov(sources=[str(local_tree / "one.txt"), str(local_tree / "sub")], destination=f"{rdir}/").provision(ctx)
    fileprov(content="generated text\n", destination=f"{rdir}/content.txt").provision(ctx)
    assert remote_tree(comm, rdir) == ["./content.txt", "./one.txt", "./sub", "./sub/two.txt"]
    out: list[str] = []
    comm.run(f"cat {rdir}/content.txt", on_stdout=out.append)
    assert out == ["generated text"]


def test_download_file_and_dirs(comm: SSHCommunicator, rdir: str, tmp_path: Path) -> None:
    assert comm.run(f"mkdir -p {rdir}/logs/deep && echo a > {rdir}/logs/a.log && "
                    f"echo b > {rdir}/logs/deep/b.log && echo r > {rdir}/report.txt") == 0
    ctx, _ = provision_ctx(comm, tmp_path)
    out = tmp_path / "out"
    fileprov(source=f"{rdir}/report.txt", destination=f"{out}/", direction="download").provision(ctx)
    assert (out / "report.txt").read_text() == "r\n"
    fileprov(source=f"{rdir}/report.txt", destination=str(out / "x" / "renamed.txt"),
             direction="download").provision(ctx)
    assert (out / "x" / "renamed.txt").read_text() == "r\n"
    fileprov(source=f"{rdir}/logs/", destination=str(out / "contents"), direction="download").provision(ctx)
    assert (out / "contents" / "a.log").read_text() == "a\n"
    assert (out / "contents" / "deep" / "b.log").read_text() == "b\n"
    fileprov(source=f"{rdir}/logs", destination=str(out / "itself"), direction="download").provision(ctx)
    assert (out / "itself" / "logs" / "deep" / "b.log").read_text() == "b\n"
    fileprov(sources=[f"{rdir}/report.txt", f"{rdir}/logs/a.log"], destination=f"{out}/multi/",
             direction="download").provision(ctx)
    assert sorted(p.name for p in (out / "multi").iterdir()) == ["a.log", "report.txt"]


def test_download_missing_is_build_error(comm: SSHCommunicator, rdir: str, tmp_path: Path) -> None:
    ctx, _ = provision_ctx(comm, tmp_path)
    with pytest.raises(BuildError, match="no such file"):
        fileprov(source=f"{rdir}/nope", destination=str(tmp_path / "n"), direction="download").provision(ctx)


def test_generated_source_checked_at_run_time(comm: SSHCommunicator, rdir: str, tmp_path: Path) -> None:
    later = tmp_path / "made-later.txt"
    p = fileprov(source=str(later), destination=f"{rdir}/", generated=True)  # validates without the file
    ctx, _ = provision_ctx(comm, tmp_path)
    with pytest.raises(BuildError, match="source not found"):
        p.provision(ctx)
    later.write_text("now")
    p.provision(ctx)
    assert remote_tree(comm, rdir) == ["./made-later.txt"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"destination": "/tmp/x"}, "one of source, sources or content must be specified"),
        ({"source": "/etc/hostname", "content": "x", "destination": "/tmp/x"}, "conflicts with content"),
        ({"source": "/nonexistent", "destination": "/tmp/x"}, "Bad source '/nonexistent'"),
        ({"sources": ["/etc/hostname", "/etc/hosts"], "destination": "/tmp/x"}, "end with /"),
        ({"content": "x", "destination": "/tmp/x", "direction": "download"}, "content: cannot be used"),
        ({"source": "/etc/hostname", "destination": "/tmp/x", "direction": "sideways"}, "is not one of"),
        ({"source": "/etc/hostname"}, 'Missing required argument "destination"'),
    ],
)
def test_config_errors(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(FileConfig, raw, component='provisioner "file"')
    assert message in info.value.render()

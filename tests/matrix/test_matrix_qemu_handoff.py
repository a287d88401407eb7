"""The hand-off for real: a redis-server, two ``pybuild worker`` processes on different queues
(two "hosts", each with its own download cache), a real Glance, and two QEMU builds (TCG):

- cell A on worker 1: ``disk_image = true`` from the cached Debian base image, a shell
  provisioner writes a marker file, the glance post-processor uploads the result (hidden:
  A is a base; tagged with the run);
- cell B on worker 2: ``disk_image = true`` from ``glance://lab/<A's image id>`` (image_vars),
  downloaded into worker 2's cache and verified against Glance's os_hash_value; its
  provisioner finds A's marker file, so B really started from A's image.

Kept short for CI: no virt-sysprep, no compression, the base image's own 2 GiB disk, B
uploads nothing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.matrix.conftest import WorkerSpec, run_matrix, worker_pool
from tests.matrix.test_matrix_handoff import images_of

pytestmark = [pytest.mark.slow, pytest.mark.glance]

TEMPLATE = '''
variable "source_image" {
  type = string
}
variable "source_checksum" {
  type    = string
  default = ""
}
variable "step" {
  type = string # "write": the base writes the marker; "check": the derived cell reads it
}
variable "password" {
  type      = string
  default   = "Handoff-Build-Pw-3"
  sensitive = true
}
source "qemu" "h" {
  iso_url          = var.source_image
  iso_checksum     = var.source_checksum
  disk_image       = true
  vm_name          = "handoff.qcow2"
  format           = "qcow2"
  disk_size        = "2G"
  headless         = true
  memory           = 1024
  cpus             = 2
  boot_wait        = "-1s"
  ssh_username     = "debian"
  ssh_password     = var.password
  ssh_timeout      = "10m"
  shutdown_command = "sudo /sbin/shutdown -P now"
  shutdown_timeout = "3m"
  cd_label         = "cidata"
  cd_content = {
    "meta-data" = "instance-id: handoff\\nlocal-hostname: handoff\\n"
    "user-data" = join("\\n", ["#cloud-config", "ssh_pwauth: true", "password: ${var.password}",
                              "chpasswd: {expire: false}", "ssh_genkeytypes: [ed25519]"])
  }
  qemuargs = [["-nodefaults"], ["-vga", "std"]]
}
build {
  sources = ["source.qemu.h"]
  provisioner "shell" {
    execute_command = "sudo sh -c '{{ .Vars }} {{ .Path }}'"
    inline = [var.step == "write"
      ? "echo built-by-cell-A > /etc/pybuild-handoff-marker && sync"
      : "echo marker: $(cat /etc/pybuild-handoff-marker) && grep -qx built-by-cell-A /etc/pybuild-handoff-marker"]
  }
  post-processor "glance" {
    image_name = "handoff-qemu-${var.step}"
  }
}
'''


def test_qemu_base_on_one_worker_derived_on_another(glance_factory: Any, debian_base_image: Path, broker: str,
                                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    srv = glance_factory()
    (tmp_path / "clouds.yaml").write_text(f"clouds:\n  lab:\n    auth_type: none\n    auth:\n"
                                          f"      endpoint: {srv.url}\n")
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "clouds.yaml"))
    base = tmp_path / "base.qcow2"
    shutil.copyfile(debian_base_image, base)
    (tmp_path / "handoff.pkr.hcl").write_text(TEMPLATE)
    (tmp_path / "matrix.hcl").write_text(f'''
defaults {{
  timeout = "12m"
}}
cell "a" {{
  template     = "handoff.pkr.hcl"
  vars         = {{ source_image = "{base}", source_checksum = "none", step = "write" }}
  clouds       = ["lab"]
  queue        = "host-a"
  intermediate = true
}}
cell "b" {{
  template   = "handoff.pkr.hcl"
  depends_on = ["a"]
  image_vars = {{ source_image = "a" }}
  vars       = {{ step = "check" }}
  except     = ["glance"]
  queue      = "host-b"
}}
''')
    specs = [WorkerSpec(f"w-{h}@test", f"host-{h}", tmp_path / h,
                        env={"OS_CLIENT_CONFIG_FILE": str(tmp_path / "clouds.yaml"),
                             "PYBUILD_CACHE_DIR": str(tmp_path / h / "cache"), "PYBUILD_ACCELERATOR": "tcg"})
             for h in ("a", "b")]
    with worker_pool(broker, specs, tmp_path):
        rc, cells = run_matrix(broker, tmp_path / "matrix.hcl", tmp_path / "runs", "q1", wait_timeout=1500)
    a, b = cells["a"], cells["b"]
    log_a, log_b = Path(str(a["log"])).read_text(), Path(str(b["log"])).read_text()
    assert rc == 0, f"{a['error']}\n{b['error']}\n--- a\n{log_a[-3000:]}\n--- b\n{log_b[-3000:]}"
    print(f"cell a {a['duration']:.0f}s on {a['worker']}, cell b {b['duration']:.0f}s on {b['worker']}")
    assert a["worker"] == "w-a@test" and b["worker"] == "w-b@test"

    [img] = images_of(srv, "a", "q1")  # one image: A's, hidden (an intermediate base), active
    assert img["status"] == "active" and img["os_hidden"] is True and "matrix-run:q1" in img["tags"]
    assert a["images"] == [{"cloud": "lab", "region": "", "image_id": img["id"], "image_name": "handoff-qemu-write"}]
    assert not images_of(srv, "b")  # B uploads nothing

    # B started from exactly A's image, fetched into host B's cache, checked against Glance's hash
    assert f"Glance image {img['id']} (handoff-qemu-write" in log_b
    assert f"Downloading Glance image {img['id']} from lab" in log_b
    assert "marker: built-by-cell-A" in log_b
    cached = [p for p in (tmp_path / "b" / "cache").glob("*.qcow2")]
    assert [p.stat().st_size for p in cached] == [img["size"]]
    assert srv.requests_seen("GET", f"/v2/images/{img['id']}/file") == 1

locals {
  scripts = var.is_windows ? [] : (
    var.os_name == "debian" ? [
      "${path.root}/scripts/debian/update_debian.sh",
      "${path.root}/scripts/_common/motd.sh",
      "${path.root}/scripts/debian/cleanup_debian.sh",
      ] : [
      "${path.root}/scripts/rhel/update_dnf.sh",
      "${path.root}/scripts/_common/motd.sh",
      "${path.root}/scripts/rhel/cleanup_dnf.sh",
    ]
  )
  source_names = [for source in var.sources_enabled : trimprefix(source, "source.")]
}

build {
  sources = var.sources_enabled

  provisioner "shell" {
    environment_vars = [
      "HOME_DIR=/home/vagrant",
      "http_proxy=${var.sh_timeout_hint}",
    ]
    execute_command   = "echo 'vagrant' | {{ .Vars }} sudo -S -E sh -eux '{{ .Path }}'"
    expect_disconnect = true
    scripts           = local.scripts
    except            = var.is_windows ? local.source_names : null
  }

  post-processor "vagrant" {
    compression_level = 9
    output            = "${path.root}/../builds/${var.os_name}-${var.os_version}-${var.os_arch}.{{ .Provider }}.box"
    except            = ["virtualbox-iso.vm"]
  }
}

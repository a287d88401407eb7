packer {
  required_version = ">= 1.7.0"
  required_plugins {
    qemu = {
      version = ">= 1.0.9"
      source  = "github.com/hashicorp/qemu"
    }
  }
}

variable "rocky_version" {
  type    = string
  default = "9.4"
  validation {
    condition     = can(regex("^9\\.[0-9]+$", var.rocky_version))
    error_message = "The rocky_version value must be a Rocky Linux 9 minor release."
  }
}

variable "root_password" {
  type      = string
  default   = "changeme123"
  sensitive = true
}

variable "disk_size" {
  type    = number
  default = 20480
}

variable "extra_packages" {
  type    = list(string)
  default = ["vim-enhanced", "tmux"]
}

locals {
  iso_url    = "https://rocky.mirror.invalid/pub/rocky/9/isos/x86_64/Rocky-${var.rocky_version}-x86_64-minimal.iso"
  build_date = formatdate("YYYYMMDD", timestamp())
  image_name = "rocky-${replace(var.rocky_version, ".", "-")}-${local.build_date}"
  kickstart = templatefile("${path.root}/http/ks.cfg.pkrtpl.hcl", {
    root_password = var.root_password
    packages      = var.extra_packages
    timezone      = "UTC"
  })
}

source "qemu" "rocky9" {
  iso_url          = local.iso_url
  iso_checksum     = "file:https://rocky.mirror.invalid/pub/rocky/9/isos/x86_64/CHECKSUM"
  output_directory = "output-${source.name}"
  vm_name          = "${local.image_name}.qcow2"
  disk_size        = var.disk_size
  format           = "qcow2"
  accelerator      = "kvm"
  memory           = 2 * 1024
  cpus             = 2
  http_content = {
    "/ks.cfg" = local.kickstart
  }
  boot_wait = "5s"
  boot_command = [
    "<up><wait><tab>",
    " inst.text inst.ks=http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg<enter><wait>"
  ]
  ssh_username     = "root"
  ssh_password     = var.root_password
  ssh_timeout      = "30m"
  shutdown_command = "/sbin/shutdown -hP now"
}

build {
  sources = ["source.qemu.rocky9"]

  provisioner "shell" {
    inline = [
      "dnf -y update",
      "dnf -y install ${join(" ", var.extra_packages)}",
    ]
    execute_command = "chmod +x {{ .Path }}; {{ .Vars }} {{ .Path }}"
  }

  post-processor "manifest" {
    output     = "manifest.json"
    strip_path = true
  }
}

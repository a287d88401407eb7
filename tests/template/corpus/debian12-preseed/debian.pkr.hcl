variable "debian_version" {
  default = "12.5.0"
}
variable "mirror" {
  default = "debian.mirror.invalid"
}
variable "locale" {
  type    = string
  default = "en_US.UTF-8"
}
variable "headless" {
  type    = bool
  default = true
}

locals {
  debian_major = split(".", var.debian_version)[0]
  iso_name     = "debian-${var.debian_version}-amd64-netinst.iso"
  preseed_args = [
    "auto=true",
    "priority=critical",
    "url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/preseed.cfg",
    "locale=${var.locale}",
    "keyboard-configuration/xkb-keymap=us",
    "netcfg/get_hostname=debian${local.debian_major}",
    "netcfg/get_domain=",
    "mirror/http/hostname=${var.mirror}",
  ]
  boot_command = concat(
    ["<esc><wait>"],
    ["install ${join(" ", local.preseed_args)}<enter>"],
  )
}

source "qemu" "debian" {
  iso_url          = "https://debian-cd.mirror.invalid/cdimage/archive/${var.debian_version}/amd64/iso-cd/${local.iso_name}"
  iso_checksum     = "file:https://debian-cd.mirror.invalid/cdimage/archive/${var.debian_version}/amd64/iso-cd/SHA256SUMS"
  http_directory   = "${path.root}/http"
  boot_command     = local.boot_command
  boot_wait        = "5s"
  headless         = var.headless
  memory           = 1024 * 2
  disk_size        = "${8 * 1024}M"
  ssh_username     = "vagrant"
  ssh_password     = "vagrant"
  ssh_wait_timeout = "60m"
  shutdown_command = "echo 'vagrant' | sudo -S shutdown -P now"
  qemuargs = [
    ["-m", "2048M"],
    ["-smp", "2"],
  ]
}

build {
  sources = ["source.qemu.debian"]

  provisioner "shell" {
    execute_command = "echo 'vagrant' | {{ .Vars }} sudo -S -E sh -eux '{{ .Path }}'"
    environment_vars = [
      "HOME_DIR=/home/vagrant",
      "PACKER_VERSION={{packer_version}}",
      "PACKER_VM_NAME={{build `ID`}}",
    ]
    scripts = [for s in ["update", "sshd", "cleanup"] : "${path.root}/scripts/${s}.sh"]
    expect_disconnect = true
  }
}

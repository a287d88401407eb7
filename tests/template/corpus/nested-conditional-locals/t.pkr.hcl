variable "distro" {
  default = "rocky"
}
variable "major" {
  type    = number
  default = 9
}
variable "firmware" {
  default = "uefi"
}
variable "overrides" {
  type    = map(string)
  default = {}
}

locals {
  family = var.distro == "rocky" || var.distro == "alma" || var.distro == "centos" ? "rhel" : (
    var.distro == "debian" || var.distro == "ubuntu" ? "debian" : "unknown"
  )
  installer = local.family == "rhel" ? (var.major >= 9 ? "anaconda-9" : (var.major == 8 ? "anaconda-8" : "anaconda-legacy")) : (
    local.family == "debian" ? (var.distro == "ubuntu" ? "subiquity" : "d-i") : "none"
  )
  boot_key = var.firmware == "uefi" ? (local.installer == "subiquity" ? "e" : "c") : "<tab>"
  ovmf = {
    code = var.firmware == "uefi" ? lookup(var.overrides, "ovmf_code", "/usr/share/OVMF/OVMF_CODE.fd") : null
    vars = var.firmware == "uefi" ? lookup(var.overrides, "ovmf_vars", "/usr/share/OVMF/OVMF_VARS.fd") : null
  }
  summary = "${var.distro}${var.major}/${local.family}/${local.installer}/${local.boot_key}"
  level   = var.major > 8 ? (var.major > 9 ? "next" : "current") : "old"
  not_rhel = !(local.family == "rhel")
}

source "qemu" "x" {
  efi_firmware_code = local.ovmf.code
  efi_firmware_vars = local.ovmf.vars
  communicator      = "none"
}

build {
  sources = ["source.qemu.x"]
}

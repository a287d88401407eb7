variable "ks_proxy" {
  type    = string
  default = ""
}

variable "ks_mirror" {
  type    = string
  default = "http://centos-stream.mirror.invalid/9-stream"
}

variable "users" {
  type = list(object({
    name   = string
    groups = list(string)
    admin  = bool
  }))
  default = [
    { name = "alice", groups = ["wheel", "adm"], admin = true },
    { name = "bob", groups = [], admin = false },
  ]
}

variable "repos" {
  type = map(string)
  default = {
    baseos    = "BaseOS/x86_64/os"
    appstream = "AppStream/x86_64/os"
  }
}

locals {
  ks_proxy = var.ks_proxy != "" ? "--proxy=${var.ks_proxy}" : ""
  ks = templatefile("${path.root}/http/centos9.ks.pkrtpl.hcl", {
    KS_PROXY  = local.ks_proxy
    KS_MIRROR = var.ks_mirror
    users     = var.users
    repos     = var.repos
  })
}

source "qemu" "centos9" {
  iso_url      = "${var.ks_mirror}/BaseOS/x86_64/iso/CentOS-Stream-9-latest-x86_64-boot.iso"
  iso_checksum = "none"
  http_content = { "/centos9.ks" = local.ks }
  boot_command = ["<tab> inst.ks=http://{{ .HTTPIP }}:{{ .HTTPPort }}/centos9.ks<enter>"]
  communicator = "none"
}

build {
  sources = ["source.qemu.centos9"]
}

variable "distros" {
  type    = list(string)
  default = ["rocky9", "alma9", "debian12"]
}
variable "skip" {
  type    = list(string)
  default = ["debian12"]
}

locals {
  wanted  = setsubtract(var.distros, var.skip)
  sources = [for d in var.distros : "source.qemu.${d}" if !contains(var.skip, d)]
  source_names = [for s in local.sources : trimprefix(s, "source.")]
  isos = {
    rocky9   = "Rocky-9.4-x86_64-minimal.iso"
    alma9    = "AlmaLinux-9.4-x86_64-minimal.iso"
    debian12 = "debian-12.5.0-amd64-netinst.iso"
  }
}

source "qemu" "rocky9" {
  iso_url      = local.isos[source.name]
  communicator = "none"
  vm_name      = "${source.name}.${source.type}"
}
source "qemu" "alma9" {
  iso_url      = local.isos[source.name]
  communicator = "none"
}
source "qemu" "debian12" {
  iso_url      = local.isos["debian12"]
  communicator = "none"
}

build {
  sources = local.sources
  provisioner "shell-local" {
    inline = ["echo ${source.name}: ${local.isos[source.name]}"]
  }
}

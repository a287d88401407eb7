# Debian 12 (bookworm) cloud base image, built from Debian packages with mmdebstrap:
# no VM, no installer, about a minute. Needs root and the pybuild-mmdebstrap plugin
# (pip install -e plugins/pybuild-mmdebstrap).
#
#   pybuild build templates/debian12-base.pkr.hcl
#   -> output-debian12-base/debian12-base.qcow2
#
# templates/debian12-cloud.pkr.hcl boots that disk with the qemu builder and customizes it.
# The image: linux-image-cloud-amd64, one ext4 partition on an MBR disk (growpart grows it),
# extlinux with the console on ttyS0, openssh-server, cloud-init (NoCloud, ConfigDrive,
# OpenStack, None; default user "debian"), qemu-guest-agent, DHCP on the first NIC.

variable "mirror" {
  type        = string
  default     = ""
  description = "Debian mirror URL; empty: this machine's apt mirror (its apt sources), else mmdebstrap's default."
}

variable "disk_size" {
  type        = string
  default     = "2G"
  description = "Virtual size of the disk; cloud-init's growpart grows the root partition at boot."
}

variable "output_directory" {
  type        = string
  default     = "output-debian12-base"
  description = "Where the disk is written; must not exist unless -force is given."
}

variable "vm_name" {
  type    = string
  default = "debian12-base.qcow2"
}

source "mmdebstrap" "debian12-base" {
  suite            = "bookworm"
  mirror           = var.mirror
  variant          = "minbase"
  kernel_package   = "linux-image-cloud-amd64"
  disk_size        = var.disk_size
  format           = "qcow2"
  output_directory = var.output_directory
  vm_name          = var.vm_name
  hostname         = "debian"

  cloud_init_datasources = ["NoCloud", "ConfigDrive", "OpenStack", "None"]
}

build {
  sources = ["source.mmdebstrap.debian12-base"]
}

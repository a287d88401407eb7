locals {
  disk_size = "10G"
}
source "qemu" "x" {
  disk_size = local.disk_sise
}
build {
  sources = ["source.qemu.x"]
}

variable "iso_url" {
  default = "x.iso"
}
source "qemu" "x" {
  iso_url = var.iso_ur
}
build {
  sources = ["source.qemu.x"]
}

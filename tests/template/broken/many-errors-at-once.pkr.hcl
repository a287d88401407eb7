variable "a" {
  type = number
  default = "x"
}
locals {
  b = var.c
  d = local.e
  f = nofunc(1)
}
source "qemu" "x" {
  iso_url = var.nope
}
build {
  sources = ["source.qemu.x", "source.qemu.y"]
}

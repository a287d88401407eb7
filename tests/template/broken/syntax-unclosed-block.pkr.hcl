source "qemu" "x" {
  communicator = "none"

build {
  sources = ["source.qemu.x"]
}

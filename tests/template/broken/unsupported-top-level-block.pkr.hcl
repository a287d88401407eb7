source "qemu" "x" {
  communicator = "none"
}
bulid {
  sources = ["source.qemu.x"]
}

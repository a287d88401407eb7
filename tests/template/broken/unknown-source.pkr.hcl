source "qemu" "rocky9" {
  communicator = "none"
}
build {
  sources = ["source.qemu.rocky8"]
}

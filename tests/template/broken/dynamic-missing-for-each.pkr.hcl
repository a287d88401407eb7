source "qemu" "x" {
  communicator = "none"
  dynamic "disk" {
    content {
      size = "1G"
    }
  }
}
build {
  sources = ["source.qemu.x"]
}

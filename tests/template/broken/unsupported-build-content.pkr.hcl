source "qemu" "x" {
  communicator = "none"
}
build {
  sources = ["source.qemu.x"]
  names   = "x"
  provisoner "shell" {
    inline = ["true"]
  }
}

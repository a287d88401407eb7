source "qemu" "x" {
  communicator = "none"
}
build {
  sources = ["source.qemu.x"]
  provisioner "shell" {
    only   = "qemu.x"
    inline = ["true"]
  }
}

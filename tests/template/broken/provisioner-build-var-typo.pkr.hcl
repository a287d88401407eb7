source "qemu" "x" {
  communicator = "none"
}
build {
  sources = ["source.qemu.x"]
  provisioner "shell" {
    inline = ["echo ${build.PackerHTTPAdr}"]
  }
}

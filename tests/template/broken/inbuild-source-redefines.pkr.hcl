source "qemu" "rocky" {
  communicator = "none"
  memory       = 2048
}
build {
  source "source.qemu.rocky" {
    name   = "big"
    memory = 8192
  }
}

source "qemu" "x" {
  communicator =
}

source "qemu" "x" {
  communicator = "none
}

source "qemu" "rocky" {
  communicator = "none"
}

source "qemu" "rocky" {
  communicator = "ssh"
}

source "qemu" "x" {
  memory = 1024
  cpus   = 2
  memory = 2048
}

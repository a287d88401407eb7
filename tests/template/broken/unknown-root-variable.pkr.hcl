locals {
  name = sources.qemu.name
}

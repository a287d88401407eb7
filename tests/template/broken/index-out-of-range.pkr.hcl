locals {
  disks = ["vda"]
  second = local.disks[1]
}

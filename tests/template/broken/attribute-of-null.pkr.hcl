variable "network" {
  type    = any
  default = null
}
locals {
  bridge = var.network.bridge
}

variable "memory" {
  default = "2G"
}
locals {
  doubled = var.memory * 2
}

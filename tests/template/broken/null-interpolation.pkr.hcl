variable "proxy" {
  default = null
}
locals {
  env = "http_proxy=${var.proxy}"
}

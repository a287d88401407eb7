variable "settings" {
  type = any
  default = {
    network = { bridge = "br0" }
    disks   = ["vda"]
  }
}
variable "version" {
  default = "9.4"
  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+$", var.version))
    error_message = "The version must look like MAJOR.MINOR."
  }
  validation {
    condition     = can(tonumber(split(".", var.version)[0])) || true
    error_message = "The major version must be numeric."
  }
}

locals {
  bridge       = try(var.settings.network.bridge, "virbr0")
  mac          = try(var.settings.network.mac, "auto")
  second_disk  = try(var.settings.disks[1], null)
  first_disk   = try(var.settings.disks[0], "sda")
  has_network  = can(var.settings.network)
  has_gpu      = can(var.settings.gpu.model)
  os_type      = try(lookup(var.settings, "os_type"), "linux")
  major        = try(tonumber(split(".", var.version)[0]), 0)
  is_semver    = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.version))
  json_ok      = can(jsondecode("{\"a\": 1}"))
  json_bad     = can(jsondecode("{not json"))
  first_ok     = try(jsondecode("nope"), tonumber("x"), "third")
}

source "qemu" "x" {
  communicator = "none"
  net_bridge   = local.bridge
}

build {
  sources = ["source.qemu.x"]
}

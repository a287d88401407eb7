variable "disks" {
  type = list(object({ name = string, size = string }))
  default = [
    { name = "data", size = "10G" },
    { name = "logs", size = "5G" },
  ]
}

variable "tags" {
  type    = map(string)
  default = { os = "rocky", team = "infra" }
}

source "qemu" "x" {
  communicator = "none"
  dynamic "disk_additional" {
    for_each = var.disks
    iterator = d
    content {
      name  = d.value.name
      size  = d.value.size
      index = d.key
    }
  }
}

build {
  sources = ["source.qemu.x"]
  post-processor "openstack-upload" {
    image_name = "rocky"
    dynamic "property" {
      for_each = var.tags
      labels   = [property.key]
      content {
        key   = property.key
        value = upper(property.value)
      }
    }
    static_block {
      a = 1
    }
  }
}

# tiny.pkr.hcl's machine with a big raw disk uploaded to Glance: the upload lasts long
# enough to deliver a signal in the middle of it.
variable "iso_url" {
  type = string
}

variable "glance_endpoint" {
  type = string
}

variable "image_name" {
  type = string
}

source "qemu" "up" {
  iso_url          = var.iso_url
  iso_checksum     = "none"
  format           = "raw"
  disk_size        = "6G"
  memory           = 128
  cpus             = 1
  headless         = true
  communicator     = "none"
  boot_wait        = "-1s"
  shutdown_timeout = "10m"
  qemuargs = [
    ["-boot", "order=c,strict=on,reboot-timeout=1000"],
    ["-no-reboot"],
  ]
}

build {
  sources = ["source.qemu.up"]

  post-processor "glance" {
    auth_type        = "none"
    endpoint         = var.glance_endpoint
    image_name       = var.image_name
    disk_format      = "raw"
    verify_checksum  = false
  }
}

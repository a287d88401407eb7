variable "os_ver_9" {
  description = "AlmaLinux OS 9 version"
  type        = string
  default     = "9.4"
  validation {
    condition     = can(regex("9.[0-9]$|9.[1-9][0-9]$", var.os_ver_9))
    error_message = "The os_ver_9 value must be one of released or prereleased versions of AlmaLinux OS 9."
  }
}

variable "ssh_password" {
  type      = string
  default   = "almalinux"
  sensitive = true
}

variable "qemu_binary" {
  type    = string
  default = null
}

local "iso_url_9_x86_64" {
  expression = "https://almalinux.mirror.invalid/almalinux/${var.os_ver_9}/isos/x86_64/AlmaLinux-${var.os_ver_9}-x86_64-boot.iso"
}

local "gencloud_boot_command_9_x86_64" {
  expression = [
    "c<wait>",
    "linuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=AlmaLinux-${replace(var.os_ver_9, ".", "-")}-x86_64-dvd ro",
    " inst.text biosdevname=0 net.ifnames=0",
    " inst.ks=http://{{ .HTTPIP }}:{{ .HTTPPort }}/gencloud.ks<enter>",
    "initrdefi /images/pxeboot/initrd.img<enter>",
    "boot<enter><wait>"
  ]
  sensitive = false
}

local "root_password_hash" {
  expression = "hash-of-${var.ssh_password}"
  sensitive  = true
}

locals {
  os_ver_major = split(".", var.os_ver_9)[0]
  os_ver_minor = split(".", var.os_ver_9)[1]
}

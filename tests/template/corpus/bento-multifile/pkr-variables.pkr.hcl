variable "os_name" {
  type        = string
  description = "OS Brand Name"
}
variable "os_version" {
  type        = string
  description = "OS version number"
}
variable "os_arch" {
  type = string
  validation {
    condition     = var.os_arch == "x86_64" || var.os_arch == "aarch64"
    error_message = "The OS architecture type should be either x86_64 or aarch64."
  }
}
variable "is_windows" {
  type        = bool
  description = "Determines to set setting for Windows or Linux"
  default     = false
}
variable "sources_enabled" {
  type = list(string)
  default = [
    "source.qemu.vm",
    "source.virtualbox-iso.vm",
  ]
}
variable "iso_url" {
  type    = string
  default = null
}
variable "iso_checksum" {
  type    = string
  default = null
}
variable "cpus" {
  type    = number
  default = 2
}
variable "memory" {
  type    = number
  default = null
}
variable "disk_size" {
  type    = number
  default = null
}
variable "boot_command" {
  type    = list(string)
  default = null
}
variable "qemu_accelerator" {
  type    = string
  default = null
}
variable "qemuargs" {
  type    = list(list(string))
  default = null
}
variable "headless" {
  type    = bool
  default = true
}
variable "ssh_timeout" {
  type    = string
  default = "15m"
}
variable "vm_name" {
  type    = string
  default = null
}
variable "sh_timeout_hint" {
  type    = string
  default = ""
}

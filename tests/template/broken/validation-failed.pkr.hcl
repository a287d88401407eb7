variable "os_ver_9" {
  type    = string
  default = "8.9"
  validation {
    condition     = can(regex("^9\\.[0-9]+$", var.os_ver_9))
    error_message = "The os_ver_9 value must be a released AlmaLinux OS 9 version."
  }
}

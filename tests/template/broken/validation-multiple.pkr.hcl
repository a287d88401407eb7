variable "cpus" {
  type    = number
  default = -3
  validation {
    condition     = var.cpus > 0
    error_message = "The cpus value must be positive."
  }
  validation {
    condition     = var.cpus % 2 == 0
    error_message = "The cpus value must be even."
  }
  validation {
    condition     = var.cpus <= 64
    error_message = "The cpus value must be at most 64."
  }
}

variable "min" {
  default = 1
}
variable "max" {
  default = 10
  validation {
    condition     = var.max > var.min
    error_message = "max must exceed min."
  }
}

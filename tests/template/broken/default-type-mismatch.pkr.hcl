variable "memory" {
  type    = number
  default = "lots"
}

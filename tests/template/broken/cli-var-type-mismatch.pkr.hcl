# ARGS: {"vars": {"memory": "2G"}}
variable "memory" {
  type    = number
  default = 1024
}

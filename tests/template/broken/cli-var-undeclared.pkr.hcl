# ARGS: {"vars": {"memroy": "2048"}}
variable "memory" {
  type    = number
  default = 1024
}

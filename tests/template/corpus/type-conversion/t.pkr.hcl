variable "count_str" {
  type    = number
  default = "42"
}
variable "flag_str" {
  type    = bool
  default = "true"
}
variable "num_as_string" {
  type    = string
  default = 3.5
}
variable "ports" {
  type    = list(number)
  default = ["22", 80, "443"]
}
variable "labels" {
  type    = map(string)
  default = { a = 1, b = true }
}
variable "uniq" {
  type    = set(string)
  default = ["b", "a", "b"]
}
variable "machine" {
  type = object({
    cpus   = number
    memory = number
    name   = string
  })
  default = { cpus = "2", memory = 2048, name = "vm", extra = "dropped" }
}
variable "pair" {
  type    = tuple([string, number])
  default = ["x", "7"]
}
variable "from_cli_list" {
  type    = list(string)
  default = []
}
variable "from_env_map" {
  type    = map(number)
  default = {}
}
variable "untyped_cli" {
  default = "x"
}

locals {
  total = var.count_str + var.machine.cpus
  half  = var.count_str / 4
  big   = pow(2, 10)
}

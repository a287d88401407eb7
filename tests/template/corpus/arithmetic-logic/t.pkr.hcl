variable "memory_gb" {
  type    = number
  default = 4
}
variable "cpus" {
  type    = number
  default = 3
}

locals {
  memory_mb   = var.memory_gb * 1024
  half_cpus   = var.cpus / 2
  int_div     = floor(var.cpus / 2)
  modulo      = 17 % 5
  neg_mod     = -7 % 3
  precedence  = 2 + 3 * 4 - 6 / 2
  parens      = (2 + 3) * 4
  negative    = -var.cpus + 1
  compare     = [1 < 2, 2 <= 2, 3 > 4, 4 >= 5, "a" == "a", 1 != 1, 1 == "1"]
  logic       = [true && false, true || false, !false, !(1 > 2) && "x" != "y"]
  float_math  = 0.1 + 0.2
  big_disk    = "${var.memory_gb * 10}G"
  ternary_num = var.cpus > 2 ? var.cpus * 2 : 1
  mixed_cond  = var.cpus > 2 ? "many" : 1
  null_eq     = null == null
  list_eq     = [1, "a"] == [1, "a"]
  map_eq      = { a = 1 } == { a = 1 }
}

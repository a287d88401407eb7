variable "a" {
  type = object({a = string, b = optional(number, "x")})
  default = {a = 1}
}

variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
variable "f" { default = "default" }
variable "from_env_only" { default = "default" }

source "null" "x" {
  communicator = "none"
}
build {
  sources = ["source.null.x"]
}

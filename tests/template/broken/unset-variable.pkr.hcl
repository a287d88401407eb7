variable "ssh_password" {
  type      = string
  sensitive = true
}

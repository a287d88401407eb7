data "amazon-ami" "base" {
  filters = { name = "rocky-9*" }
}
locals {
  ami = data.amazon-ami.base.id
}

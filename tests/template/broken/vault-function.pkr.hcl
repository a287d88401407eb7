locals {
  password = vault("/secret/data/packer", "password")
}

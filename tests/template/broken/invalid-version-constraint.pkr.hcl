packer {
  required_version = "newest please"
}

packer {
  required_version = "~> 1.10"
}

variables {
  region   = "RegionOne"
  flavors  = ["m1.small", "m1.large"]
  sizes    = { small = 10, large = 40 }
}

variable "home" {
  type    = string
  default = env("PYBUILD_TEST_HOME")
}
variable "missing_env" {
  default = env("PYBUILD_TEST_DOES_NOT_EXIST")
}

locals {
  version_tag = "packer-${packer.version}"
  root        = path.root
  cwd_is_abs  = abspath(path.cwd) == path.cwd
  first       = var.flavors[0]
  large       = var.sizes["large"]
  ks_path     = "${path.root}/http/ks.cfg"
}

locals {
  images = ["rocky-9", "rocky-8", "alma-9"]
  by_os  = { for i in local.images : split("-", i)[0] => i }
}

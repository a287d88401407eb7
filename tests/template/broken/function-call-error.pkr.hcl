locals {
  key = file("${path.root}/does-not-exist.pub")
}

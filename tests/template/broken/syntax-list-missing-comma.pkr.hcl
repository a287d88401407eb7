locals {
  a = [
    "x"
    "y"
  ]
}

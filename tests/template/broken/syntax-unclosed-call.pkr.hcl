locals {
  a = upper("x"
}

locals {
  path = "C:\windows"
}

locals {
  firmware = "uefi" ? "a" : "b"
}

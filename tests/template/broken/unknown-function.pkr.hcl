locals {
  name = uper("rocky")
}

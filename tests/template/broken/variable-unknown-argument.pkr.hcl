variable "region" {
  type     = string
  default  = "RegionOne"
  nullable = false
}

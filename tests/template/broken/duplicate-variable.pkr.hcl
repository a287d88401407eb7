variable "region" {
  default = "RegionOne"
}

variable "region" {
  default = "RegionTwo"
}

variable "disks" {
  type    = array(string)
  default = []
}

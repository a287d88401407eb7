variable "nodes" {
  type = list(object({ name = string, ip = string, disks = list(string) }))
  default = [
    { name = "a", ip = "10.0.0.1", disks = ["vda", "vdb"] },
    { name = "b", ip = "10.0.0.2", disks = ["vda"] },
  ]
}
variable "single" {
  type    = object({ name = string })
  default = { name = "solo" }
}

locals {
  names       = var.nodes[*].name
  ips         = var.nodes.*.ip
  first_disks = var.nodes[*].disks[0]
  second_name = var.nodes[1].name
  legacy_idx  = var.nodes.0.ip
  single_list = var.single[*].name
  null_splat  = length(null[*])
  by_key      = { for n in var.nodes : n.name => n }["b"].ip
  map_index   = { "x-y" = 1 }["x-y"]
  str_index   = ["p", "q"]["1"]
  nested      = [[1, 2], [3, 4]][1][0]
}

locals {
  ks = templatefile("${path.root}/ks.cfg.pkrtpl.hcl", { hostname = "rocky" })
}

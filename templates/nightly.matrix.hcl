# The shipped templates as one nightly matrix: pybuild matrix plan|validate|run templates/nightly.matrix.hcl
defaults {
  timeout = "3h"
}

cell "debian12-base" {
  template = "debian12-base.pkr.hcl" # mmdebstrap: no VM, no KVM needed
  disk_gb  = 10
}

cell "debian12-cloud" {
  template   = "debian12-cloud.pkr.hcl"
  depends_on = ["debian12-base"] # the base image of the same night
  # each cell builds in RUN/CELL/: the base's output is beside it (same host for now)
  vars   = { base_image = "../debian12-base/output-debian12-base/debian12-base.qcow2" }
  kvm    = true
  clouds = ["prod/RegionOne", "prod/RegionTwo"]
}

cell "debian12-cloud-8g" {
  template   = "debian12-cloud.pkr.hcl"
  depends_on = ["debian12-base"] # a second image from the same base, built in parallel
  vars = {
    base_image = "../debian12-base/output-debian12-base/debian12-base.qcow2"
    disk_size  = "8G"
    image_name = "debian12-cloud-8g"
  }
  kvm     = true
  disk_gb = 20
}

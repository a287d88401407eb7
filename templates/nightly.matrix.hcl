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

cell "rocky9" {
  template = "rocky9.pkr.hcl"
  only     = ["qemu.rocky9-bios"]
  vars     = { iso_url = "/srv/isos/rocky9-minimal.iso", iso_checksum = "file:/srv/isos/rocky9.sha256" }
  kvm      = true
  disk_gb  = 20
}

# Orchestration benchmark: the same template for pybuild and Packer 1.6.6 (HCL2 beta).
# Boots a copy of the cached Debian 12 base image with a NoCloud seed CD (cd_files:
# 1.6.6 has no cd_content; its use_backing_file fails with QEMU 7.2's qemu-img: "Backing
# file specified without backing format", so both copy the base image), types a short boot command (lower-case letters only: a held
# Shift would open extlinux's prompt), runs one shell provisioner, powers off.
variable "base_image" {
  type = string
}

variable "seed_dir" {
  type = string
}

variable "password" {
  type    = string
  default = "bench-Build-Pass-1"
}

variable "key_interval" {
  type    = string
  default = "100ms"
}

variable "vm_name" {
  type    = string
  default = "bench.qcow2"
}

variable "output_dir" {
  type    = string
  default = "output-bench"
}

source "qemu" "bench" {
  iso_url           = var.base_image
  iso_checksum      = "none"
  disk_image        = true
  skip_resize_disk  = true
  skip_compaction   = true
  format            = "qcow2"
  vm_name           = var.vm_name
  output_directory  = var.output_dir
  accelerator       = "tcg"
  headless          = true
  memory            = 1024
  cpus              = 2
  boot_wait         = "2s"
  boot_key_interval = var.key_interval
  boot_command      = ["pybuildbenchtyping"]
  cd_files          = ["${var.seed_dir}/meta-data", "${var.seed_dir}/user-data"]
  cd_label          = "cidata"
  ssh_username      = "debian"
  ssh_password      = var.password
  ssh_timeout       = "20m"
  shutdown_command  = "sudo /sbin/shutdown -P now"
  shutdown_timeout  = "5m"
}

build {
  sources = ["source.qemu.bench"]

  provisioner "shell" {
    inline = ["echo BENCH-PROVISIONER-RUNS"]
  }
}

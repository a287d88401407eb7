variable "cloudimg_url" {
  type    = string
  default = "https://ubuntu-cloud.mirror.invalid/noble/current/noble-server-cloudimg-amd64.img"
}
variable "architecture" {
  type    = string
  default = "amd64"
}
variable "kernel" {
  type    = string
  default = ""
}
variable "customize_script" {
  type    = string
  default = "scripts/customize.sh"
}

locals {
  qemu_arch = {
    "amd64" = "x86_64"
    "arm64" = "aarch64"
  }
  uefi_imp = {
    "amd64" = "OVMF"
    "arm64" = "AAVMF"
  }
  qemu_machine = {
    "amd64" = "accel=kvm"
    "arm64" = "virt"
  }
  qemu_cpu = {
    "amd64" = "host"
    "arm64" = "cortex-a57"
  }
  proxy_env = [
    "http_proxy=${var.kernel}",
  ]
  kernel_args = var.kernel == "" ? [] : ["KERNEL=${var.kernel}"]
}

source "qemu" "cloudimg" {
  boot_wait      = "2s"
  cpus           = 2
  disk_image     = true
  disk_size      = "6G"
  format         = "qcow2"
  headless       = true
  http_directory = var.kernel != "" ? "http" : null
  iso_checksum   = "file:https://ubuntu-cloud.mirror.invalid/noble/current/SHA256SUMS"
  iso_url        = var.cloudimg_url
  memory         = 2048
  qemu_binary    = "qemu-system-${lookup(local.qemu_arch, var.architecture, "")}"
  qemu_img_args {
    create = ["-F", "qcow2"]
  }
  qemuargs = [
    ["-machine", "${lookup(local.qemu_machine, var.architecture, "")}"],
    ["-cpu", "${lookup(local.qemu_cpu, var.architecture, "")}"],
    ["-device", "virtio-gpu-pci"],
    ["-drive", "if=pflash,format=raw,id=ovmf_code,readonly=on,file=/usr/share/${lookup(local.uefi_imp, var.architecture, "")}/${lookup(local.uefi_imp, var.architecture, "")}_CODE.fd"],
    ["-drive", "file=output-cloudimg/packer-cloudimg,format=qcow2"],
    ["-drive", "file=seeds-cloudimg.iso,format=raw"]
  ]
  shutdown_command       = "sudo -S shutdown -P now"
  ssh_handshake_attempts = 500
  ssh_password           = "ubuntu"
  ssh_timeout            = "45m"
  ssh_username           = "root"
  ssh_wait_timeout       = "45m"
  use_backing_file       = true
}

build {
  name    = "cloudimg.image"
  sources = ["source.qemu.cloudimg"]

  provisioner "shell" {
    environment_vars  = concat(local.proxy_env, ["DEBIAN_FRONTEND=noninteractive"], local.kernel_args)
    scripts           = ["${path.root}/scripts/cloudimg/setup-boot.sh", var.customize_script]
    expect_disconnect = true
  }

  post-processor "shell-local" {
    inline = [
      "IMG_FMT=qcow2",
      "SOURCE=${source.name}",
      "OUTPUT=output-${source.name}/packer-${source.name}",
    ]
    inline_shebang = "/bin/bash -e"
  }
}

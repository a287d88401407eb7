locals {
  # Source block provider specific
  qemu_accelerator = var.qemu_accelerator == null ? (
    var.os_arch == "aarch64" ? "hvf" : "kvm"
  ) : var.qemu_accelerator
  qemuargs = var.qemuargs == null ? (
    var.is_windows ? [
      ["-drive", "file=${path.root}/win_answer_files/virtio-win.iso,media=cdrom,index=3"],
      ["-drive", "file=${local.output_directory}/${var.os_name}-${var.os_version}-${var.os_arch},if=virtio,cache=writeback,discard=ignore,format=qcow2,index=1"],
    ] : (
      var.os_arch == "aarch64" ? [
        ["-boot", "strict=off"],
        ["-cpu", "host"],
        ["-monitor", "stdio"],
      ] : null
    )
  ) : var.qemuargs

  # Source block common
  default_boot_wait = var.is_windows ? "60s" : "5s"
  cd_files          = var.is_windows ? ["${path.root}/win_answer_files/*"] : null
  communicator      = var.is_windows ? "winrm" : "ssh"
  floppy_files      = var.is_windows ? null : []
  http_directory    = var.is_windows ? null : "${path.root}/http"
  memory            = var.memory == null ? (var.is_windows ? 4096 : 2048) : var.memory
  output_directory  = "${path.root}/../builds/build_files/packer-${var.os_name}-${var.os_version}-${var.os_arch}"
  shutdown_command  = var.is_windows ? "shutdown /s /t 10 /f /d p:4:1 /c \"Packer Shutdown\"" : "echo 'vagrant' | sudo -S /sbin/halt -h -p"
  vm_name           = var.vm_name == null ? "${var.os_name}-${var.os_version}-${var.os_arch}" : var.vm_name
  disk_size         = var.disk_size == null ? (var.is_windows ? 130000 : 65536) : var.disk_size
}

source "qemu" "vm" {
  accelerator      = local.qemu_accelerator
  qemuargs         = local.qemuargs
  boot_command     = var.boot_command
  boot_wait        = local.default_boot_wait
  cpus             = var.cpus
  communicator     = local.communicator
  disk_size        = local.disk_size
  floppy_files     = local.floppy_files
  headless         = var.headless
  http_directory   = local.http_directory
  iso_checksum     = var.iso_checksum
  iso_url          = var.iso_url
  memory           = local.memory
  output_directory = "${local.output_directory}-qemu"
  shutdown_command = local.shutdown_command
  ssh_password     = "vagrant"
  ssh_port         = 22
  ssh_timeout      = var.ssh_timeout
  ssh_username     = "vagrant"
  vm_name          = local.vm_name
}

source "virtualbox-iso" "vm" {
  cpus      = var.cpus
  memory    = local.memory
  disk_size = local.disk_size
}

source "qemu" "almalinux-9-gencloud-x86_64" {
  iso_url            = local.iso_url_9_x86_64
  iso_checksum       = "file:https://almalinux.mirror.invalid/almalinux/${var.os_ver_9}/isos/x86_64/CHECKSUM"
  shutdown_command   = "sudo -S /sbin/shutdown -hP now"
  ssh_username       = "root"
  ssh_password       = var.ssh_password
  ssh_timeout        = "3600s"
  cpus               = 2
  disk_interface     = "virtio-scsi"
  disk_size          = "10G"
  disk_cache         = "unsafe"
  disk_discard       = "unmap"
  disk_detect_zeroes = "unmap"
  format             = "qcow2"
  headless           = true
  memory             = 2048
  net_device         = "virtio-net"
  qemu_binary        = var.qemu_binary
  vm_name            = "AlmaLinux-${local.os_ver_major}-GenericCloud-${var.os_ver_9}-${formatdate("YYYYMMDD", timestamp())}.x86_64.qcow2"
  boot_wait          = "10s"
  firmware           = "/usr/share/OVMF/OVMF_CODE.fd"
  use_pflash         = false
  http_directory     = "http"
  boot_command       = local.gencloud_boot_command_9_x86_64
}

build {
  sources = ["qemu.almalinux-9-gencloud-x86_64"]

  provisioner "ansible" {
    playbook_file    = "./ansible/gencloud.yml"
    galaxy_file      = "./ansible/requirements.yml"
    roles_path       = "./ansible/roles"
    collections_path = "./ansible/collections"
    ansible_env_vars = [
      "ANSIBLE_PIPELINING=True",
      "ANSIBLE_REMOTE_TEMP=/tmp",
      "ANSIBLE_SSH_ARGS='-o ControlMaster=no -o ControlPersist=180s -o ServerAliveInterval=120s -o TCPKeepAlive=yes'",
    ]
    extra_arguments = ["--extra-vars", "packer_provider=${source.type}"]
  }
}

variable "ubuntu_release" {
  type    = string
  default = "24.04"
}
variable "ssh_username" {
  type    = string
  default = "ubuntu"
}
variable "ssh_password" {
  type      = string
  default   = "ubuntu"
  sensitive = true
}
variable "packages" {
  type    = set(string)
  default = ["qemu-guest-agent", "cloud-init", "openssh-server", "cloud-init"]
}

locals {
  user_data = {
    autoinstall = {
      version  = 1
      locale   = "en_US.UTF-8"
      identity = {
        hostname = "ubuntu-server"
        username = var.ssh_username
        password = "$6$rounds=4096$hash"
      }
      ssh      = { "install-server" = true, "allow-pw" = true }
      packages = var.packages
      storage  = { layout = { name = "lvm" } }
      "late-commands" = [
        "echo '${var.ssh_username} ALL=(ALL) NOPASSWD:ALL' > /target/etc/sudoers.d/${var.ssh_username}",
      ]
    }
  }
}

source "qemu" "ubuntu" {
  iso_url      = "https://ubuntu.mirror.invalid/${var.ubuntu_release}/ubuntu-${var.ubuntu_release}-live-server-amd64.iso"
  iso_checksum = "file:https://ubuntu.mirror.invalid/${var.ubuntu_release}/SHA256SUMS"
  cd_content = {
    "meta-data" = ""
    "user-data" = "#cloud-config\n${jsonencode(local.user_data)}"
  }
  cd_label = "cidata"
  boot_command = [
    "c<wait>",
    "linux /casper/vmlinuz --- autoinstall ds=\"nocloud\"",
    "<enter><wait>",
    "initrd /casper/initrd",
    "<enter><wait>",
    "boot<enter>",
  ]
  ssh_username           = var.ssh_username
  ssh_password           = var.ssh_password
  ssh_handshake_attempts = 200
  ssh_timeout            = "45m"
}

build {
  name = "ubuntu"
  sources = ["source.qemu.ubuntu"]
  provisioner "shell" {
    inline = ["while [ ! -f /var/lib/cloud/instance/boot-finished ]; do sleep 1; done"]
  }
  post-processor "shell-local" {
    inline = ["echo built ${build.name} for ${source.name}"]
  }
}

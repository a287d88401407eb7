# Ubuntu 24.04 image for OpenStack via subiquity autoinstall, then the shared scripts.
#
# The autoinstall config travels on a NoCloud seed CD (cd_content + cd_label "cidata");
# the boot command only adds "autoinstall" to the kernel line at the GRUB prompt.
# The live installer runs its own sshd: early-commands stop it so pybuild's SSH wait
# does not log in to the installer (and ssh_handshake_attempts is large because the
# wait spans the whole installation).
#
#   pybuild build templates/ubuntu2404.pkr.hcl
#   pybuild build -var mirror=http://mirror.example/ubuntu -var glance_cloud=mycloud templates/ubuntu2404.pkr.hcl
#
# Glance: skipped unless glance_cloud or glance_endpoint (auth_type none) is given.

variable "mirror" {
  type        = string
  default     = ""
  description = "Ubuntu archive mirror URL; \"\" = the installer's own default."
}

variable "root_password" {
  type        = string
  default     = ""
  sensitive   = true
  description = "Optional root password baked into the image; \"\" = root locked until admin_pass sets one."
}

variable "ssh_password" {
  type        = string
  default     = "pybuild-build"
  sensitive   = true
  description = "Password of the temporary build user (exists only while building)."
}

variable "disk_size" {
  type    = string
  default = "10G"
}

variable "image_name" {
  type    = string
  default = "Ubuntu-24.04-x86_64-OpenStack"
}

variable "iso_url" {
  type        = string
  description = "the Ubuntu 24.04 live-server ISO (path or URL): from the distribution's download page or a local mirror. Required: no public download host is named here."
}

variable "iso_checksum" {
  type        = string
  description = "The ISO's checksum: \"sha256:HEX\", \"file:URL-or-path-of-a-SHA256SUMS-file\" or \"none\". Required."
}

variable "boot_method" {
  type        = string
  default     = "keys"
  description = "pybuild-only. \"keys\": type boot_command into the boot menu, as Packer does. \"kernel\": boot the installer's own kernel from the ISO with the answers named on its command line: no key typed. \"remaster\": a copy of the ISO whose own boot menus boot the install with those answers: no key typed (README: Installs with zero typed keys)."
  validation {
    condition     = contains(["keys", "kernel", "remaster"], var.boot_method)
    error_message = "The boot_method variable must be \"keys\", \"kernel\" or \"remaster\"."
  }
}

variable "accelerator" {
  type        = string
  default     = ""
  description = "\"\" = kvm when /dev/kvm works, else tcg (PYBUILD_ACCELERATOR overrides)."
}

variable "root_ssh_password" {
  type    = string
  default = "yes"
}

variable "glance_cloud" {
  type    = string
  default = ""
}

variable "glance_endpoint" {
  type    = string
  default = ""
}

variable "glance_visibility" {
  type    = string
  default = "public"
}

locals {
  build_user = "pybuild"
  # no mirror: subiquity's own default archive
  ubuntu_apt    = var.mirror == "" ? {} : { primary = [{ arches = ["default"], uri = var.mirror }] }
  glance_except = var.glance_cloud == "" && var.glance_endpoint == "" ? ["qemu.ubuntu2404"] : []
}

source "qemu" "ubuntu2404" {
  iso_url          = var.iso_url
  iso_checksum     = var.iso_checksum
  vm_name          = "${var.image_name}.qcow2"
  output_directory = "output-ubuntu2404"
  format           = "qcow2"
  disk_size        = var.disk_size
  disk_interface   = "virtio"
  net_device       = "virtio-net"
  accelerator      = var.accelerator
  memory           = 4096
  cpus             = 2
  headless         = true

  cd_label = "cidata"
  cd_content = {
    "meta-data" = "instance-id: pybuild-autoinstall\n"
    "user-data" = <<-EOT
      #cloud-config
      autoinstall:
        version: 1
        early-commands:
          # the installer's own sshd would answer pybuild's SSH wait
          - systemctl stop ssh
          - systemctl stop ssh.socket || true
        locale: en_US.UTF-8
        keyboard:
          layout: us
        refresh-installer:
          update: false
        apt: ${jsonencode(local.ubuntu_apt)}
        storage:
          layout:
            name: direct
          swap:
            size: 0
        ssh:
          install-server: true
          allow-pw: true
        packages:
          - qemu-guest-agent
          - cloud-guest-utils
        user-data:
          ssh_pwauth: true
          users:
            - name: ${local.build_user}
              gecos: pybuild temporary build user
              sudo: "ALL=(ALL) NOPASSWD:ALL"
              shell: /bin/sh
              lock_passwd: false
              plain_text_passwd: ${jsonencode(var.ssh_password)}
        shutdown: reboot
    EOT
  }

  boot_wait = "5s"
  # GRUB command line: same keys for BIOS and UEFI boots of the live server ISO
  boot_method = var.boot_method
  boot_command = var.boot_method != "keys" ? [] : [
    "c<wait>",
    "linux /casper/vmlinuz autoinstall console=tty0 console=ttyS0,115200n8",
    "<enter><wait5s>",
    "initrd /casper/initrd",
    "<enter><wait5s>",
    "boot",
    "<enter>",
  ]

  ssh_username           = local.build_user
  ssh_password           = var.ssh_password
  ssh_timeout            = "90m"
  ssh_handshake_attempts = 1000
  shutdown_command       = "sudo sh -c 'userdel -f -r ${local.build_user}; rm -f /etc/sudoers.d/90-cloud-init-users; /sbin/shutdown -P now'"
  shutdown_timeout       = "10m"
}

build {
  sources = ["source.qemu.ubuntu2404"]

  provisioner "file" {
    source      = "${path.root}/../scripts/admin-pass-hook"
    destination = "/tmp/pybuild-admin-pass-hook"
  }

  provisioner "shell" {
    execute_command = "chmod +x {{ .Path }}; sudo env {{ .Vars }} {{ .Path }}"
    environment_vars = [
      "APT_MIRROR=${var.mirror}",
      "PACKAGES=qemu-guest-agent cloud-init cloud-guest-utils acpid chrony",
      "PERMIT_ROOT_LOGIN=${var.root_ssh_password == "yes" ? "yes" : "prohibit-password"}",
      "KERNEL_CMDLINE=console=tty0 console=ttyS0,115200n8",
      "CLOUD_DATASOURCES=ConfigDrive, OpenStack, NoCloud, None",
      "ROOT_PASSWORD_SSH=${var.root_ssh_password}",
      "LOCK_ROOT_PASSWORD=${var.root_password == "" ? "yes" : "no"}",
    ]
    scripts = [
      "${path.root}/../scripts/repos.sh",
      "${path.root}/../scripts/packages.sh",
      "${path.root}/../scripts/sshd.sh",
      "${path.root}/../scripts/serial-console.sh",
      "${path.root}/../scripts/qemu-ga.sh",
      "${path.root}/../scripts/cloud-init.sh",
      "${path.root}/../scripts/growpart.sh",
      "${path.root}/../scripts/install-admin-pass-hook.sh",
      "${path.root}/../scripts/cleanup.sh",
    ]
  }

  # an optional fixed root password; "" skips this step
  provisioner "shell" {
    execute_command  = "chmod +x {{ .Path }}; sudo env {{ .Vars }} {{ .Path }}"
    environment_vars = ["ROOT_PASSWORD=${var.root_password}"]
    inline           = ["[ -z \"$ROOT_PASSWORD\" ] || printf 'root:%s\\n' \"$ROOT_PASSWORD\" | chpasswd"]
  }

  post-processors {
    post-processor "virt-sysprep" {}

    post-processor "virt-sparsify" {
      compress = true
    }

    post-processor "glance" {
      except = local.glance_except
      cloud  = var.glance_cloud
      # a Glance without Keystone when glance_endpoint is set, else clouds.yaml/OS_* auth
      auth_type        = var.glance_endpoint != "" ? "none" : ""
      endpoint         = var.glance_endpoint
      image_name       = var.image_name
      disk_format      = "qcow2"
      container_format = "bare"
      visibility       = var.glance_visibility
      properties = {
        hw_qemu_guest_agent = "yes"
        os_distro           = "ubuntu"
        os_version          = "24.04"
        os_type             = "linux"
        hw_disk_bus         = "virtio"
      }
    }
  }
}

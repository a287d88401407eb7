# AlmaLinux 9 image for OpenStack: the CentOS 7 recipe on EL9, with the same shared
# scripts (scripts/*.sh) and the shared kickstart http/el9/ks.cfg.j2. Two sources:
# BIOS (pc) and UEFI (q35 + OVMF) — build one with `-only=qemu.almalinux9-uefi`.
#
#   pybuild build -only=qemu.almalinux9-bios templates/almalinux9.pkr.hcl
#   pybuild build -var mirror=http://mirror.example/almalinux -var glance_cloud=mycloud templates/almalinux9.pkr.hcl
#
# EL9 needs an x86-64-v2 CPU ("Fatal glibc error: CPU does not support x86-64-v2" with
# QEMU's default qemu64): cpu_model defaults to "max", which works under TCG and KVM.
# Glance: skipped unless glance_cloud or glance_endpoint (auth_type none) is given.

variable "distro" {
  type        = string
  default     = "almalinux"
  description = "The distribution (rocky or almalinux), for the kickstart (http/el9/ks.cfg.j2)."
}

variable "mirror" {
  type        = string
  default     = ""
  description = "Base URL of a local AlmaLinux 9 mirror (the directory holding 9/BaseOS, 9/AppStream); \"\" = the installer's own default repositories."
}

variable "repo_file_url" {
  type    = string
  default = ""
}

variable "root_password" {
  type        = string
  default     = "pybuild-build"
  sensitive   = true
  description = "root password while building; locked in the image (admin_pass sets a new one)."
}

variable "disk_size" {
  type    = string
  default = "10G"
}

variable "image_name" {
  type    = string
  default = "AlmaLinux-9-x86_64-OpenStack"
}

variable "iso_url" {
  type        = string
  description = "the AlmaLinux 9 boot ISO (path or URL): from the distribution's download page or a local mirror. Required: no public download host is named here."
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

variable "cpu_model" {
  type        = string
  default     = "max"
  description = "EL9 needs x86-64-v2: \"max\" works with TCG and KVM; \"host\" only with KVM."
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
  mirror_repos = var.mirror == "" ? "" : join(" ", [
    "baseos=${var.mirror}/9/BaseOS/x86_64/os/",
    "appstream=${var.mirror}/9/AppStream/x86_64/os/",
  ])
  glance_except = var.glance_cloud == "" && var.glance_endpoint == "" ? ["qemu.almalinux9-bios", "qemu.almalinux9-uefi"] : []
  ks_args       = " inst.text inst.ks=http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg net.ifnames=0 console=tty0 console=ttyS0,115200n8"
}

source "qemu" "almalinux9-bios" {
  iso_url          = var.iso_url
  iso_checksum     = var.iso_checksum
  vm_name          = "${var.image_name}.qcow2"
  output_directory = "output-almalinux9-bios"
  format           = "qcow2"
  disk_size        = var.disk_size
  disk_interface   = "virtio"
  net_device       = "virtio-net"
  accelerator      = var.accelerator
  cpu_model        = var.cpu_model
  memory           = 2048
  cpus             = 2
  headless         = true

  http_directory   = "${path.root}/../http/el9"
  boot_wait        = "10s"
  boot_method      = var.boot_method
  unattended_file  = var.boot_method != "keys" ? "ks.cfg" : ""
  installer_append = var.boot_method != "keys" ? "inst.text net.ifnames=0" : ""
  # isolinux: <up> selects "Install", <tab> edits its kernel line
  boot_command = var.boot_method != "keys" ? [] : ["<up><wait><tab><wait>", local.ks_args, "<enter>"]

  ssh_username     = "root"
  ssh_password     = var.root_password
  ssh_timeout      = "90m"
  shutdown_command = "/sbin/shutdown -h now"
  shutdown_timeout = "10m"
}

source "qemu" "almalinux9-uefi" {
  iso_url          = var.iso_url
  iso_checksum     = var.iso_checksum
  vm_name          = "${var.image_name}-uefi.qcow2"
  output_directory = "output-almalinux9-uefi"
  format           = "qcow2"
  disk_size        = var.disk_size
  disk_interface   = "virtio"
  net_device       = "virtio-net"
  accelerator      = var.accelerator
  cpu_model        = var.cpu_model
  machine_type     = "q35"
  efi_boot         = true
  efi_drop_efivars = true
  memory           = 2048
  cpus             = 2
  headless         = true

  http_directory   = "${path.root}/../http/el9"
  boot_wait        = "10s"
  boot_method      = var.boot_method
  unattended_file  = var.boot_method != "keys" ? "ks.cfg" : ""
  installer_append = var.boot_method != "keys" ? "inst.text net.ifnames=0" : ""
  # GRUB: <up> selects "Install", e edits, the kernel line is the third; Ctrl-x boots
  boot_command = var.boot_method != "keys" ? [] : ["<up><wait>e<wait><down><down><end>", local.ks_args, "<leftCtrlOn>x<leftCtrlOff>"]

  ssh_username     = "root"
  ssh_password     = var.root_password
  ssh_timeout      = "90m"
  shutdown_command = "/sbin/shutdown -h now"
  shutdown_timeout = "10m"
}

build {
  sources = ["source.qemu.almalinux9-bios", "source.qemu.almalinux9-uefi"]

  provisioner "file" {
    source      = "${path.root}/../scripts/admin-pass-hook"
    destination = "/tmp/pybuild-admin-pass-hook"
  }

  provisioner "shell" {
    environment_vars = [
      "REPOS=${local.mirror_repos}",
      "REPO_FILE_URL=${var.repo_file_url}",
      "PERMIT_ROOT_LOGIN=yes",
      "KERNEL_CMDLINE=console=tty0 console=ttyS0,115200n8 no_timer_check net.ifnames=0",
      "ROOT_PASSWORD_SSH=${var.root_ssh_password}",
    ]
    scripts = [
      "${path.root}/../scripts/repos.sh",
      "${path.root}/../scripts/packages.sh",
      "${path.root}/../scripts/sshd.sh",
      "${path.root}/../scripts/selinux.sh",
      "${path.root}/../scripts/network.sh",
      "${path.root}/../scripts/serial-console.sh",
      "${path.root}/../scripts/qemu-ga.sh",
      "${path.root}/../scripts/cloud-init.sh",
      "${path.root}/../scripts/growpart.sh",
      "${path.root}/../scripts/install-admin-pass-hook.sh",
      "${path.root}/../scripts/cleanup.sh",
    ]
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
      image_name       = "${var.image_name}-${source.name}"
      disk_format      = "qcow2"
      container_format = "bare"
      visibility       = var.glance_visibility
      properties = {
        hw_qemu_guest_agent = "yes"
        os_distro           = "almalinux"
        os_version          = "9"
        os_type             = "linux"
        hw_disk_bus         = "virtio"
      }
    }
  }
}

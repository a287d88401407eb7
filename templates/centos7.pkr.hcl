# CentOS 7 image for OpenStack, the classic recipe reproduced step by step:
#   10G qcow2 disk, Minimal Install, one ext4 root partition on virtio, no swap
#   (http/centos7/ks.cfg.j2), then the shared provisioner scripts (scripts/*.sh):
#   local or default repositories, acpid, network instead of NetworkManager, chrony,
#   root SSH + UseDNS no, SELinux off, serial console, qemu-guest-agent, NOZEROCONF,
#   cloud-init (users: default, disable_root 0, ssh_pwauth 1), growpart + dracut,
#   the admin_pass first-boot hook; power off; virt-sysprep, virt-sparsify --compress,
#   Glance upload (qcow2/bare, hw_qemu_guest_agent=yes).
#
#   pybuild build templates/centos7.pkr.hcl
#   pybuild build -var mirror=http://YOUR-MIRROR/centos -var glance_cloud=mycloud templates/centos7.pkr.hcl
#
# Glance: skipped unless glance_cloud (a clouds.yaml entry, or set OS_CLOUD/OS_* and
# pass glance_cloud=env) or glance_endpoint (a Glance without Keystone, auth_type none)
# is given.

variable "mirror" {
  type        = string
  description = "Base URL of a CentOS mirror (the directory holding 7.9.2009/, e.g. a vault mirror or your own). Required: CentOS 7 is end-of-life and its installer has no working default."
}

variable "repo_file_url" {
  type        = string
  default     = ""
  description = "URL of a ready .repo file for the installed system (the recipe's `curl -o local.repo`); wins over mirror."
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
  default = "CentOS-7-x86_64-OpenStack"
}

variable "iso_url" {
  type        = string
  description = "the CentOS 7 NetInstall ISO (path or URL): from a CentOS 7 vault mirror or your own copy. Required: no public download host is named here."
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
  type        = string
  default     = "yes"
  description = "yes: root may log in over SSH with its password (the recipe's PermitRootLogin yes)."
}

variable "glance_cloud" {
  type        = string
  default     = ""
  description = "clouds.yaml cloud name to upload to; \"\" and no glance_endpoint = no upload."
}

variable "glance_endpoint" {
  type        = string
  default     = ""
  description = "URL of a Glance without Keystone (auth_type none), e.g. http://127.0.0.1:9292."
}

variable "glance_visibility" {
  type    = string
  default = "public"
}

locals {
  mirror_repos = var.mirror == "" ? "" : join(" ", [
    "base=${var.mirror}/7.9.2009/os/x86_64/",
    "updates=${var.mirror}/7.9.2009/updates/x86_64/",
    "extras=${var.mirror}/7.9.2009/extras/x86_64/",
  ])
  # the glance post-processor runs only when a cloud is configured
  glance_except = var.glance_cloud == "" && var.glance_endpoint == "" ? ["qemu.centos7"] : []
}

source "qemu" "centos7" {
  iso_url      = var.iso_url
  iso_checksum = var.iso_checksum

  vm_name          = "${var.image_name}.qcow2"
  output_directory = "output-centos7"
  format           = "qcow2"
  disk_size        = var.disk_size
  disk_interface   = "virtio"
  net_device       = "virtio-net"
  accelerator      = var.accelerator
  memory           = 2048
  cpus             = 2
  headless         = true

  http_directory   = "${path.root}/../http/centos7"
  boot_wait        = "10s"
  boot_method      = var.boot_method
  unattended_file  = var.boot_method != "keys" ? "ks.cfg" : ""
  installer_append = var.boot_method != "keys" ? "text net.ifnames=0 biosdevname=0" : ""
  boot_command = var.boot_method != "keys" ? [] : [
    "<up><wait><tab><wait>",
    " text inst.ks=http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg net.ifnames=0 biosdevname=0",
    " console=tty0 console=ttyS0,115200n8<enter>",
  ]

  communicator     = "ssh"
  ssh_username     = "root"
  ssh_password     = var.root_password
  ssh_timeout      = "90m"
  shutdown_command = "/sbin/shutdown -h now"
  shutdown_timeout = "10m"
}

build {
  sources = ["source.qemu.centos7"]

  provisioner "file" {
    source      = "${path.root}/../scripts/admin-pass-hook"
    destination = "/tmp/pybuild-admin-pass-hook"
  }

  provisioner "shell" {
    environment_vars = [
      "REPOS=${local.mirror_repos}",
      "REPO_FILE_URL=${var.repo_file_url}",
      "PERMIT_ROOT_LOGIN=yes",
      "KERNEL_CMDLINE=crashkernel=auto console=tty0 console=ttyS0,115200n8",
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
      image_name       = var.image_name
      disk_format      = "qcow2"
      container_format = "bare"
      visibility       = var.glance_visibility
      properties = {
        hw_qemu_guest_agent = "yes"
        os_distro           = "centos"
        os_version          = "7"
        os_type             = "linux"
        hw_disk_bus         = "virtio"
      }
    }
  }
}

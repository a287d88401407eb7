# Debian 12 image for OpenStack from the Debian installer + preseed
# (http/debian12/preseed.cfg.j2), then the shared scripts (scripts/*.sh).
#
#   pybuild build templates/debian12.pkr.hcl
#   pybuild build -var mirror=http://mirror.example/debian -var iso_url=./debian-12-netinst.iso -var iso_checksum=none templates/debian12.pkr.hcl
#
# The boot command types, at the isolinux boot menu of a netinst/netboot ISO:
#   <esc>  (boot: prompt)  auto url=http://HTTPIP:HTTPPort/preseed.cfg priority=critical ...
# The installer needs a full Debian mirror (with the installer's .udeb files).
# For a faster image without the installer see debian12-cloud.pkr.hcl.
# Glance: skipped unless glance_cloud or glance_endpoint (auth_type none) is given.

variable "mirror" {
  type        = string
  default     = ""
  description = "Debian mirror URL (e.g. http://mirror.example/debian); \"\" = the installer's own default."
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
  default = "Debian-12-x86_64-OpenStack"
}

variable "iso_url" {
  type        = string
  description = "Debian 12 netinst ISO (path or URL); any isolinux ISO of the Debian installer works. Required: no public download host is named here."
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
  glance_except = var.glance_cloud == "" && var.glance_endpoint == "" ? ["qemu.debian12"] : []
}

source "qemu" "debian12" {
  iso_url          = var.iso_url
  iso_checksum     = var.iso_checksum
  vm_name          = "${var.image_name}.qcow2"
  output_directory = "output-debian12"
  format           = "qcow2"
  disk_size        = var.disk_size
  disk_interface   = "virtio"
  net_device       = "virtio-net"
  accelerator      = var.accelerator
  memory           = 1024
  cpus             = 2
  headless         = true

  http_directory   = "${path.root}/../http/debian12"
  boot_wait        = "5s"
  boot_method      = var.boot_method
  unattended_file  = var.boot_method != "keys" ? "preseed.cfg" : ""
  installer_append = var.boot_method != "keys" ? "locale=en_US.UTF-8 keymap=us hostname=debian domain= interface=auto" : ""
  boot_command = var.boot_method != "keys" ? [] : [
    "<esc><wait>",
    "auto url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/preseed.cfg priority=critical",
    " locale=en_US.UTF-8 keymap=us hostname=debian domain= interface=auto",
    " console=tty0 console=ttyS0,115200n8<enter>",
  ]

  ssh_username     = "root"
  ssh_password     = var.root_password
  ssh_timeout      = "90m"
  shutdown_command = "/sbin/shutdown -h now"
  shutdown_timeout = "10m"
}

build {
  sources = ["source.qemu.debian12"]

  provisioner "file" {
    source      = "${path.root}/../scripts/admin-pass-hook"
    destination = "/tmp/pybuild-admin-pass-hook"
  }

  provisioner "shell" {
    environment_vars = [
      "APT_MIRROR=${var.mirror}",
      "PACKAGES=acpid chrony qemu-guest-agent cloud-init cloud-guest-utils",
      "PERMIT_ROOT_LOGIN=yes",
      "KERNEL_CMDLINE=console=tty0 console=ttyS0,115200n8",
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
        os_distro           = "debian"
        os_version          = "12"
        os_type             = "linux"
        hw_disk_bus         = "virtio"
      }
    }
  }
}

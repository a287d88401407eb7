# Debian 12 cloud image for OpenStack — the README demo and the CI end-to-end build.
#
# Customizes an existing disk image (disk_image = true) instead of running an installer:
# by default the base image made by templates/debian12-base.pkr.hcl from Debian
# packages. QEMU boots a copy of it with a NoCloud seed CD (cidata) that creates a
# temporary build user; the shared scripts (scripts/*.sh) make it OpenStack-ready
# (admin_pass hook, qemu-guest-agent, growpart, serial console, cloud-init datasources,
# cleanup); the build user is removed at shutdown; virt-sysprep and virt-sparsify
# --compress clean and compact the disk.
#
#   pybuild build templates/debian12-base.pkr.hcl     # once: output-debian12-base/
#   pybuild build templates/debian12-cloud.pkr.hcl    # no OpenStack needed
#
# Upload to Glance as well (the glance post-processor runs only when one is set):
#   pybuild build -var glance_cloud=mycloud templates/debian12-cloud.pkr.hcl       # clouds.yaml / OS_CLOUD
#   pybuild build -var glance_endpoint=http://127.0.0.1:9292 templates/debian12-cloud.pkr.hcl  # no Keystone
#
# Speed under TCG (no KVM): 1 GiB, 2 vCPUs, no package downloads when the base image
# already has the packages, ed25519 host key only. PYBUILD_ACCELERATOR=tcg|kvm overrides
# the accelerator.

variable "base_image" {
  type        = string
  default     = "output-debian12-base/debian12-base.qcow2"
  description = "The disk image to customize (path or URL), e.g. the output of debian12-base.pkr.hcl."
}

variable "base_image_checksum" {
  type    = string
  default = "none"
}

variable "mirror" {
  type        = string
  default     = ""
  description = "Debian mirror URL for apt inside the image; \"\" = keep the base image's sources."
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
  default = "3G"
}

variable "image_name" {
  type    = string
  default = "debian-12-openstack"
}

variable "packages" {
  type        = string
  default     = "qemu-guest-agent cloud-init cloud-guest-utils"
  description = "Packages the image must have (downloaded only when missing)."
}

variable "accelerator" {
  type        = string
  default     = ""
  description = "\"\" = kvm when /dev/kvm works, else tcg (PYBUILD_ACCELERATOR overrides)."
}

variable "root_ssh_password" {
  type        = string
  default     = "yes"
  description = "yes: root may log in over SSH with the admin_pass password (the CentOS recipe's choice)."
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

variable "verify" {
  type        = bool
  default     = true
  description = "Boot the finished image like Nova (config drive, admin_pass, growpart, qemu-guest-agent) before upload."
}

locals {
  verify_except = var.verify ? [] : ["qemu.debian12-cloud"]
  build_user    = "pybuild"
  glance_except = var.glance_cloud == "" && var.glance_endpoint == "" ? ["qemu.debian12-cloud"] : []
}

source "qemu" "debian12-cloud" {
  disk_image       = true
  iso_url          = var.base_image
  iso_checksum     = var.base_image_checksum
  vm_name          = "${var.image_name}.qcow2"
  output_directory = "output-debian12-cloud"
  format           = "qcow2"
  disk_size        = var.disk_size
  disk_interface   = "virtio"
  net_device       = "virtio-net"
  accelerator      = var.accelerator
  memory           = 1024
  cpus             = 2
  headless         = true
  boot_wait        = "1s"

  # NoCloud seed: a build user that logs in with ssh_password (cd_content is not
  # Go-templated, so the temporary SSH key cannot go here; a password can)
  cd_label = "cidata"
  cd_content = {
    "meta-data" = "instance-id: pybuild-build\nlocal-hostname: debian12-cloud\n"
    "user-data" = <<-EOT
      #cloud-config
      ssh_pwauth: true
      ssh_genkeytypes: [ed25519]
      users:
        - name: ${local.build_user}
          gecos: pybuild temporary build user
          sudo: "ALL=(ALL) NOPASSWD:ALL"
          shell: /bin/sh
          lock_passwd: false
          plain_text_passwd: ${jsonencode(var.ssh_password)}
    EOT
  }

  ssh_username           = local.build_user
  ssh_password           = var.ssh_password
  ssh_timeout            = "20m"
  ssh_handshake_attempts = 100
  # the build user leaves with the VM: cloud-init creates the image's own default user
  shutdown_command = "sudo sh -c 'userdel -f -r ${local.build_user}; rm -f /etc/sudoers.d/90-cloud-init-users; /sbin/shutdown -P now'"
  shutdown_timeout = "5m"
}

build {
  sources = ["source.qemu.debian12-cloud"]

  provisioner "file" {
    source      = "${path.root}/../scripts/admin-pass-hook"
    destination = "/tmp/pybuild-admin-pass-hook"
  }

  provisioner "shell" {
    execute_command = "chmod +x {{ .Path }}; sudo env {{ .Vars }} {{ .Path }}"
    environment_vars = [
      "APT_MIRROR=${var.mirror}",
      "PACKAGES=${var.packages}",
      "PERMIT_ROOT_LOGIN=${var.root_ssh_password == "yes" ? "yes" : "prohibit-password"}",
      "KERNEL_CMDLINE=console=tty0 console=ttyS0,115200n8",
      "CLOUD_DATASOURCES=ConfigDrive, OpenStack, NoCloud, None",
      "REBUILD_INITRAMFS=no",
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

  # an optional fixed root password (the recipe's console login); "" skips this step
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

    # prove the OpenStack features before the image can reach Glance
    post-processor "verify" {
      except = local.verify_except
      user   = "debian"
      report = "output-debian12-cloud/verify-report.json"
    }

    post-processor "glance" {
      except              = local.glance_except
      keep_input_artifact = true
      cloud               = var.glance_cloud
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

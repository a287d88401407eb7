# guest-sysprep + discard: the guest cleans itself like virt-sysprep and trims its
# filesystems; the build disk passes the discards to the qcow2 (disk_discard and
# disk_detect_zeroes), and the final compressed convert is the only post-processing.
#
# The same guest built a second time as "plain" is left as the build made it (copied to
# dirty.qcow2 for the offline diff), then cleaned the virt-* way: virt-sysprep (default
# operations) and virt-sparsify, which pybuild runs in ONE appliance boot.
variable "base_image" {
  type = string
}

variable "password" {
  type      = string
  default   = "e2e-Secret-Canary-42"
  sensitive = true
}

source "qemu" "gs" {
  iso_url            = var.base_image
  iso_checksum       = "none"
  disk_image         = true
  disk_size          = "3G"
  disk_discard       = "unmap"
  disk_detect_zeroes = "unmap"
  disk_compression   = true
  headless           = true
  memory             = 1024
  cpus               = 2
  boot_wait          = "-1s"
  ssh_username       = "debian"
  ssh_password       = var.password
  ssh_timeout        = "15m"
  shutdown_command   = "sudo /sbin/shutdown -P now"
  shutdown_timeout   = "3m"
  cd_label           = "cidata"
  cd_content = {
    "meta-data" = "instance-id: gs-build\nlocal-hostname: gs\n"
    "user-data" = join("\n", [
      "#cloud-config",
      "ssh_pwauth: true",
      "password: ${var.password}",
      "chpasswd: {expire: false}",
      "ssh_genkeytypes: [ed25519]",
    ])
  }
  qemuargs = [["-nodefaults"], ["-vga", "std"]]
}

build {
  sources = ["source.qemu.gs"]

  source "source.qemu.gs" {
    name = "plain"
  }

  # what a real build leaves behind: incompressible data written then deleted (only a
  # trim frees its blocks), history, logs, temporary files, a package in apt's cache
  provisioner "shell" {
    execute_command = "sudo sh -c '{{ .Vars }} {{ .Path }}'"
    inline = [
      "head -c 64M /dev/urandom > /var/tmp/junk && sync && rm /var/tmp/junk",
      "head -c 16M /dev/urandom > /var/lib/pybuild-kept && sync",
      "echo 'secret-command --password x' > /root/.bash_history",
      "echo build-noise > /var/log/pybuild-build.log",
      "echo tmp > /tmp/left-over && mkdir -p /tmp/.hidden-dir",
      "echo deb > /var/cache/apt/archives/fake_1.0_all.deb",
      "mkdir -p /home/debian/.ssh && test -s /etc/machine-id && ls /etc/ssh/ssh_host_*",
    ]
  }

  provisioner "guest-sysprep" {
    only = ["qemu.gs"]
  }

  # virt-sysprep has no operation for cloud-init's instance state (verify's clean check
  # wants it gone): the plain build clears it as its last provisioner, as a template using
  # virt-sysprep on a cloud-init guest does
  provisioner "shell" {
    only   = ["qemu.plain"]
    inline = ["sudo cloud-init clean --seed"]
  }

  post-processors {
    post-processor "shell-local" {
      only   = ["qemu.plain"]
      inline = ["qemu-img convert -O qcow2 output-plain/packer-plain dirty.qcow2"]
    }
    post-processor "virt-sysprep" {
      only = ["qemu.plain"]
    }
    post-processor "virt-sparsify" {
      only     = ["qemu.plain"]
      compress = true
    }
  }
}

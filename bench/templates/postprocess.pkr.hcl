# Post-processing benchmark (part 3): one guest built twice from the cached Debian 12 base
# image, with the same provisioning (64 MiB of random data written then deleted, history,
# logs, temporary files, a package in apt's cache), one build after the other:
#   gs:    cleaned in the guest (guest-sysprep, fstrim through a discarding build disk)
#   plain: left as the build made it: the input of the virt-* variants
# Both outputs are flattened but not compressed: the benchmark times each compression.
variable "base_image" {
  type = string
}

variable "password" {
  type      = string
  default   = "bench-Build-Pass-1"
  sensitive = true
}

source "qemu" "gs" {
  iso_url            = var.base_image
  iso_checksum       = "none"
  disk_image         = true
  disk_size          = "3G"
  disk_discard       = "unmap"
  disk_detect_zeroes = "unmap"
  accelerator        = "tcg"
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
    "meta-data" = "instance-id: bench-pp\nlocal-hostname: benchpp\n"
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

  provisioner "shell" {
    execute_command = "sudo sh -c '{{ .Vars }} {{ .Path }}'"
    inline = [
      "head -c 64M /dev/urandom > /var/tmp/junk && sync && rm /var/tmp/junk",
      "echo 'secret-command --password x' > /root/.bash_history",
      "echo build-noise > /var/log/pybuild-build.log",
      "echo tmp > /tmp/left-over",
      "echo deb > /var/cache/apt/archives/fake_1.0_all.deb",
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
}

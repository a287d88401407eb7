# vtpm = true on a disk_image build of the test base image, whose guest proves it has a
# TPM 2.0 that answers, then the vagrant post-processor turns the disk into a libvirt box.
variable "base_image" {
  type = string
}

variable "password" {
  type      = string
  default   = "vtpm-Secret-Canary-7"
  sensitive = true
}

source "qemu" "vtpm" {
  iso_url          = var.base_image
  iso_checksum     = "none"
  disk_image       = true
  disk_size        = "3G"
  skip_compaction  = true
  headless         = true
  memory           = 1024
  cpus             = 2
  boot_wait        = "-1s"
  vtpm             = true
  ssh_username     = "debian"
  ssh_password     = var.password
  ssh_timeout      = "15m"
  shutdown_command = "sudo /sbin/shutdown -P now"
  shutdown_timeout = "3m"
  cd_label         = "cidata"
  cd_content = {
    "meta-data" = "instance-id: vtpm-build\nlocal-hostname: vtpm\n"
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
  sources = ["source.qemu.vtpm"]

  # TPM2_GetRandom(16) sent as raw bytes to /dev/tpm0 (the guest has no tpm2-tools)
  provisioner "file" {
    destination = "/tmp/tpm_getrandom.py"
    content     = <<-EOT
      import os, struct
      fd = os.open("/dev/tpm0", os.O_RDWR)
      os.write(fd, bytes.fromhex("80010000000c0000017b0010"))
      r = os.read(fd, 4096)
      tag, size, rc = struct.unpack(">HII", r[:10])
      n = struct.unpack(">H", r[10:12])[0] if rc == 0 else 0
      print("GETRANDOM tag=%#x rc=%d bytes=%d %s" % (tag, rc, n, r[12:12 + n].hex()))
    EOT
  }

  provisioner "shell" {
    inline = [
      "echo TPM_VERSION_MAJOR=$(cat /sys/class/tpm/tpm0/tpm_version_major)",
      "ls -l /dev/tpm0",
      "sudo python3 /tmp/tpm_getrandom.py",
    ]
  }

  post-processor "vagrant" {
    output            = "${path.cwd}/boxes/{{ .BuildName }}_{{ .Provider }}.box"
    compression_level = 1
  }
}

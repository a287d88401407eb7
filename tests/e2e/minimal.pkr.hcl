# A small disk_image template for the end-to-end tests: boots a copy of the test base
# image with a NoCloud seed (password login for the default user), runs shell + file
# provisioners and shuts down.
variable "base_image" {
  type = string
}

variable "password" {
  type      = string
  default   = "e2e-Secret-Canary-42"
  sensitive = true
}

variable "vm_name" {
  type    = string
  default = "packer-e2e"
}

variable "provision_sleep" {
  type    = number
  default = 0
}

variable "ssh_timeout" {
  type    = string
  default = "15m"
}

variable "seed_user_data" {
  type    = bool
  default = true
}

source "qemu" "e2e" {
  iso_url          = var.base_image
  iso_checksum     = "none"
  disk_image       = true
  vm_name          = var.vm_name
  disk_size        = "3G"
  headless         = true
  memory           = 1024
  cpus             = 2
  boot_wait        = "-1s"
  ssh_username     = "debian"
  ssh_password     = var.password
  ssh_timeout      = var.ssh_timeout
  shutdown_command = "sudo /sbin/shutdown -P now"
  shutdown_timeout = "3m"
  cd_label         = "cidata"
  cd_content = {
    "meta-data" = "instance-id: e2e-build\nlocal-hostname: e2e\n"
    "user-data" = var.seed_user_data ? join("\n", [
      "#cloud-config",
      "ssh_pwauth: true",
      "password: ${var.password}",
      "chpasswd: {expire: false}",
      "ssh_genkeytypes: [ed25519]",
    ]) : "#cloud-config\n"
  }
  qemuargs = [["-nodefaults"], ["-vga", "std"]]
}

build {
  sources = ["source.qemu.e2e"]

  provisioner "shell" {
    execute_command = "sudo sh -c '{{ .Vars }} {{ .Path }}'"
    environment_vars = ["MARKER=built-by-pybuild", "SECRET=${var.password}"]
    inline = [
      "echo PROVISIONING-STARTED on $(hostname)",
      "echo \"$MARKER\" > /etc/pybuild-marker",
      "echo secret is $SECRET",
      "sleep ${var.provision_sleep}",
    ]
  }

  provisioner "file" {
    content     = "file-provisioner-content\n"
    destination = "/tmp/from-file.txt"
  }

  provisioner "shell" {
    inline = ["sudo mv /tmp/from-file.txt /etc/from-file.txt"]
  }

  # a third-party plugin (examples/pybuild-announce, installed by dev/setup)
  post-processor "announce" {
    register = "${path.cwd}/register.jsonl"
    note     = "e2e"
  }
}

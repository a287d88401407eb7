# A machine with nothing to boot, for the nightly-operation tests: QEMU (TCG) starts,
# SeaBIOS finds no bootable disk and, after `reboot_timeout` ms, QEMU exits (-no-reboot),
# which is the guest "powering off" for communicator "none". Every phase of a qemu build
# runs for real (download, output dir, disks, HTTP server, ports, QEMU, QMP, VNC boot
# command, provisioners, shutdown, convert, post-processors) in a few seconds, and each
# can be held open with the *_wait / *_sleep variables to deliver a signal there.
variable "iso_url" {
  type = string
}

variable "secret" {
  type      = string
  default   = "Nightly-Canary-5521"
  sensitive = true
}

variable "boot_wait" {
  type    = string
  default = "-1s"
}

variable "reboot_timeout" {
  # ms SeaBIOS waits after "no bootable device" before QEMU exits; -1 = never
  type    = number
  default = 1000
}

variable "type_secret" {
  # type the secret at the (non-existent) login prompt; needs a longer reboot_timeout
  type    = bool
  default = false
}

variable "provision_sleep" {
  type    = number
  default = 0
}

variable "pp_sleep" {
  type    = number
  default = 0
}

variable "communicator" {
  # "ssh": the build waits for an sshd that never comes (holds the connect phase)
  type    = string
  default = "none"
}

variable "fail_provision" {
  type    = bool
  default = false
}

source "qemu" "tiny" {
  iso_url          = var.iso_url
  iso_checksum     = "none"
  disk_size        = "16M"
  memory           = 128
  cpus             = 1
  headless         = true
  communicator     = var.communicator
  ssh_username     = "nightly"
  ssh_password     = var.secret
  ssh_timeout      = "10m"
  boot_wait        = var.boot_wait
  boot_command     = [var.type_secret ? "<wait1>login ${var.secret}<enter>" : "<enter>"]
  shutdown_timeout = "10m"
  http_content = {
    "/ks.cfg" = "rootpw ${var.secret}\n"
  }
  qemuargs = [
    ["-boot", "order=c,strict=on,reboot-timeout=${var.reboot_timeout}"],
    ["-no-reboot"],
  ]
}

build {
  source "source.qemu.tiny" {
    name = "a"
  }
  source "source.qemu.tiny" {
    name = "b"
  }

  provisioner "shell-local" {
    environment_vars = ["SECRET=${var.secret}"]
    inline = [
      "echo PROVISIONING-STARTED secret=$SECRET",
      "sleep ${var.provision_sleep}",
      "test ${var.fail_provision} = false || { echo failing with ${var.secret} >&2; exit 3; }",
    ]
  }

  post-processor "shell-local" {
    inline = ["echo POST-PROCESSING-STARTED ${var.secret}", "sleep ${var.pp_sleep}"]
  }
  post-processor "manifest" {
    output     = "manifest.json"
    strip_path = true
    custom_data = {
      token = var.secret
    }
  }
}

variable "retries" {
  type    = number
  default = 3
}

source "qemu" "rocky" {
  communicator = "none"
}
source "qemu" "alma" {
  communicator = "none"
}

build {
  sources = ["source.qemu.rocky", "source.qemu.alma"]

  provisioner "shell" {
    name         = "update"
    pause_before = "10s"
    max_retries  = var.retries
    timeout      = "${var.retries * 10}m"
    inline       = ["dnf -y update"]
    override = {
      "qemu.alma" = {
        inline = ["dnf -y update --nobest"]
      }
    }
  }

  provisioner "breakpoint" {
    disable = true
    note    = "inspect ${source.name}"
  }

  error-cleanup-provisioner "shell-local" {
    inline = ["echo cleanup after ${source.name} failed"]
  }

  post-processor "checksum" {
    checksum_types      = ["sha256"]
    keep_input_artifact = true
    except              = ["qemu.alma"]
  }
}

source "qemu" "rocky" {
  iso_url      = "rocky.iso"
  communicator = "none"
  vm_name      = "${source.name}.qcow2"
}

build {
  name = "images"

  source "source.qemu.rocky" {
    name     = "rocky-bios"
    firmware = "bios"
  }

  source "source.qemu.rocky" {
    name      = "rocky-uefi"
    efi_boot  = true
    firmware  = "uefi"
  }

  provisioner "shell-local" {
    name   = "uefi-only"
    only   = ["qemu.rocky-uefi"]
    inline = ["echo uefi ${source.name}"]
  }

  provisioner "shell-local" {
    except = ["qemu.rocky-uefi"]
    inline = ["echo not uefi ${build.name}"]
  }

  post-processor "manifest" {
    only = ["qemu.rocky-bios"]
  }
}

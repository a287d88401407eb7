variable "image_name" {
  default = "ubuntu-noble"
}

source "null" "seed" {
  communicator = "none"
}

source "qemu" "image" {
  communicator = "none"
  vm_name      = var.image_name
}

build {
  name        = "seed"
  description = "Generate the cloud-init seed ISO"
  sources     = ["source.null.seed"]
  provisioner "shell-local" {
    inline = ["cloud-localds seeds-${source.name}.iso user-data meta-data"]
  }
}

build {
  name    = "cloudimg"
  sources = ["source.qemu.image"]

  post-processor "manifest" {
    output = "${build.name}-manifest.json"
  }

  post-processors {
    post-processor "shell-local" {
      name   = "convert"
      inline = ["qemu-img convert -O raw output-${source.name}/${var.image_name} ${var.image_name}.raw"]
    }
    post-processor "compress" {
      output              = "${var.image_name}.tar.gz"
      keep_input_artifact = true
    }
    post-processor "checksum" {
      checksum_types = ["sha256", "md5"]
      output         = "{{ .BuildName }}_{{ .ChecksumType }}.checksum"
    }
  }
}

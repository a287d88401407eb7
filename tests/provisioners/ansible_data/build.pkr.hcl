# One real guest for both Ansible provisioners: `ansible` from the build host over the
# build's SSH connection, then `ansible-local` on the guest (the image has ansible-core).
variable "base_image" {
  type = string
}

variable "key_file" {
  type = string
}

variable "public_key" {
  type = string
}

source "qemu" "ansible" {
  iso_url              = var.base_image
  iso_checksum         = "none"
  disk_image           = true
  vm_name              = "ansible-test"
  disk_size            = "3G"
  headless             = true
  memory               = 1024
  cpus                 = 2
  boot_wait            = "-1s"
  ssh_username         = "debian"
  ssh_private_key_file = var.key_file
  ssh_timeout          = "20m"
  shutdown_command     = "sudo /sbin/shutdown -P now"
  shutdown_timeout     = "3m"
  cd_label             = "cidata"
  cd_content = {
    "meta-data" = "instance-id: ansible-build\nlocal-hostname: ansibletest\n"
    "user-data" = join("\n", [
      "#cloud-config",
      "ssh_authorized_keys: ['${var.public_key}']",
      "ssh_genkeytypes: [ed25519]",
    ])
  }
  qemuargs = [["-nodefaults"], ["-vga", "std"]]
}

build {
  sources = ["source.qemu.ansible"]

  provisioner "ansible" {
    playbook_file    = "${path.root}/site.yml"
    groups           = ["web", "edge"]
    empty_groups     = ["db"]
    host_alias       = "guest1"
    extra_arguments  = ["--extra-vars", "greeting=hello-from-pybuild"]
    ansible_env_vars = ["ANSIBLE_NOCOLOR=1"]
    use_proxy        = false
  }

  provisioner "ansible-local" {
    playbook_file           = "${path.root}/local/local.yml"
    role_paths              = ["${path.root}/local/roles/stamp"]
    group_vars              = "${path.root}/local/group_vars"
    inventory_groups        = ["local"]
    staging_directory       = "/tmp/pybuild-ansible-staging"
    clean_staging_directory = true
  }
}

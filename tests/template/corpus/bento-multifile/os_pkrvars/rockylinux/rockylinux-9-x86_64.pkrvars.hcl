os_name                 = "rockylinux"
os_version              = "9.4"
os_arch                 = "x86_64"
iso_url                 = "https://rocky.mirror.invalid/pub/rocky/9/isos/x86_64/Rocky-9.4-x86_64-boot.iso"
iso_checksum            = "file:https://rocky.mirror.invalid/pub/rocky/9/isos/x86_64/CHECKSUM"
boot_command            = ["<wait><up><wait><tab> inst.text inst.ks=http://{{ .HTTPIP }}:{{ .HTTPPort }}/rhel/9ks.cfg<enter><wait>"]
sources_enabled         = ["source.qemu.vm"]

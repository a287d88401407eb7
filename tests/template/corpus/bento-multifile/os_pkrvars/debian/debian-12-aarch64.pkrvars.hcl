os_name      = "debian"
os_version   = "12.5"
os_arch      = "aarch64"
iso_url      = "https://debian-cd.mirror.invalid/cdimage/release/12.5.0/arm64/iso-cd/debian-12.5.0-arm64-netinst.iso"
iso_checksum = "file:https://debian-cd.mirror.invalid/cdimage/release/12.5.0/arm64/iso-cd/SHA256SUMS"
boot_command = ["<wait><up>e<wait><down><down><down><end> auto=true url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/debian/preseed.cfg<f10>"]
memory       = 4096

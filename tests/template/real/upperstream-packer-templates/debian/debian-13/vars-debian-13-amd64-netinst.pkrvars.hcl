iso_name = "debian-13.1.0-amd64-netinst.iso"
iso_path = "13.1.0/amd64/iso-cd"
iso_checksum = "file:https://cdimage.debian.org/debian-cd/13.1.0/amd64/iso-cd/SHA256SUMS"

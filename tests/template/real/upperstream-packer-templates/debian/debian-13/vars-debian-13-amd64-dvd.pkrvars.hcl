install_from_dvd = true
iso_name = "debian-13.1.0-amd64-DVD-1.iso"
iso_path = "13.1.0/amd64/iso-dvd"
iso_checksum = "file:https://cdimage.debian.org/debian-cd/13.1.0/amd64/iso-dvd/SHA256SUMS"

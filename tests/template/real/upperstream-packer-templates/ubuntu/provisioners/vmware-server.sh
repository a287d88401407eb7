apt-get -y install open-vm-tools

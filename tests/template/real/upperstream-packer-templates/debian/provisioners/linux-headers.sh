apt-get -y install linux-headers-`uname -r`

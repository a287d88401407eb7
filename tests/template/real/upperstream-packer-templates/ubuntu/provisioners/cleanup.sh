rm -f /home/${VAGRANT_USERNAME:-vagrant}/*

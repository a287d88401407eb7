text
lang en_US.UTF-8
keyboard us
timezone ${timezone} --utc
rootpw --plaintext ${root_password}
bootloader --location=mbr
clearpart --all --initlabel
autopart --type=lvm
reboot

%packages --ignoremissing
@^minimal-environment
%{ for pkg in packages ~}
${pkg}
%{ endfor ~}
%end

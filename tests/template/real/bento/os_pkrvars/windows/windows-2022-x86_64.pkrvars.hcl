os_name    = "windows"
os_version = "2022"
os_arch    = "x86_64"
is_windows = true
# Download url's found at https://www.microsoft.com/en-us/evalcenter/download-windows-server-2022
iso_url                 = "https://software-static.download.prss.microsoft.com/sg/download/888969d5-f34g-4e03-ac9d-1f9786c66749/SERVER_EVAL_x64FRE_en-us.iso"
iso_checksum            = "3e4fa6d8507b554856fc9ca6079cc402df11a8b79344871669f0251535255325"
parallels_guest_os_type = "win-2022"
vbox_guest_os_type      = "Windows2022_64"
vmware_guest_os_type    = "windows2019srvNext-64"
utm_vm_icon             = "windows"
default_boot_wait       = "1s"
vbox_boot_wait          = "10s"
boot_command            = ["<up><wait><up>"]

PowerShell ^
    -NoLogo ^
    -NoProfile ^
    -ExecutionPolicy Bypass ^
    -File provision-local-hyperv.ps1

variable "user" {
  default = "packer"
}

locals {
  script = <<-EOT
    #!/bin/bash
    set -euo pipefail
    echo "user: ${var.user}"
    echo "literal: $${HOME} and %%{ directive }"
      indented line
    EOT

  raw = <<EOF
no strip
  keeps indent ${upper(var.user)}
EOF

  stripped = <<-EOT
    %{~ if var.user == "packer" ~}
    packer user
    %{~ else ~}
    other user
    %{~ endif ~}
  EOT

  escapes    = "tab:\there\nquote:\" backslash:\\ unicode:\u00e9"
  go_tmpl    = "{{ .HTTPIP }}:{{ .HTTPPort }} {{user `name`}} {{ build_name }}"
  dollar     = "cost: $5 and 100% sure"
  literal_esc = "$${var.user} %%{ if }"
  only_interp = "${[1, 2]}"
  json_doc    = jsonencode({ user = var.user, "has space" = true })
  for_inline  = "%{ for i, x in ["a", "b"] }${i}=${x};%{ endfor }"
  strip_quoted = "[  ${~ var.user ~}  ]"
}

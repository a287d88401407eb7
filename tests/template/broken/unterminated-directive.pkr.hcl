locals {
  script = <<-EOT
    %{ if true }
    yes
    EOT
}

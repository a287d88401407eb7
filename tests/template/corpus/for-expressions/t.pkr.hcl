variable "images" {
  type = map(object({
    version = string
    arch    = string
    enabled = bool
  }))
  default = {
    rocky9  = { version = "9.4", arch = "x86_64", enabled = true }
    alma9   = { version = "9.4", arch = "aarch64", enabled = true }
    centos7 = { version = "7.9", arch = "x86_64", enabled = false }
  }
}

locals {
  enabled_names   = [for name, img in var.images : name if img.enabled]
  by_arch         = { for name, img in var.images : img.arch => name... }
  versions        = { for name, img in var.images : name => img.version }
  upper_names     = [for n in local.enabled_names : upper(n)]
  indexed         = [for i, n in local.enabled_names : "${i}:${n}"]
  nested          = [for a, names in local.by_arch : [for n in names : "${a}/${n}"]]
  flat            = flatten(local.nested)
  filtered_map    = { for k, v in local.versions : k => v if startswith(v, "9") }
  string_chars    = [for c in ["a", "b", "c"] : "${c}${c}"]
  boot_steps      = join("", [for s in ["<esc>", "<wait>", "linux"] : s])
  sum_of_squares  = sum([for x in range(1, 4) : x * x])
  tuple_of_obj    = [for k in ["x", "y"] : { name = k, len = length(k) }]
  inverted        = { for k, v in { a = "1", b = "2" } : v => k }
}

source "qemu" "x" {
  communicator = "none"
}

build {
  sources = ["source.qemu.x"]
}

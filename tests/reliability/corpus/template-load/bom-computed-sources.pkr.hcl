build {
  sources = [for s in ["x"]: "source.${s}"]
}

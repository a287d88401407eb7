source "q" "x" {
  communicator = "none"
}
}

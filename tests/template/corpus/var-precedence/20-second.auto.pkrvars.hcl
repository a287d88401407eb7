c = "auto2"

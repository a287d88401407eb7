d = "varfile"
e = "varfile"

e = "varfile2"
f = "varfile2"

b = "auto1"
c = "auto1"
d = "auto1"

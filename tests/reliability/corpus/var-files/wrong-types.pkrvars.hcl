l = {k = "v"}
m = ["x"]
n = "NaN"

network --hostname=${hostname}
rootpw ${root_password}

url ${KS_PROXY} --url="${KS_MIRROR}/BaseOS/x86_64/os"
%{ for name, path in repos ~}
repo --name="${name}" ${KS_PROXY} --baseurl="${KS_MIRROR}/${path}"
%{ endfor ~}
%{ for u in users ~}
user --name=${u.name}%{ if length(u.groups) > 0 } --groups=${join(",", u.groups)}%{ endif }
%{ if u.admin ~}
# ${u.name} is an administrator
%{ endif ~}
%{ endfor ~}
# literal: $${not_interpolated} and %%{ not_a_directive }

"""The Ansible provisioners, with the option names, defaults and checks of Packer's
ansible plugin.

- :mod:`.remote` — ``ansible``: runs ``ansible-playbook`` on the pybuild host against the
  machine, over the build's SSH address, user and key (:class:`AnsibleProvisioner`);
- :mod:`.local` — ``ansible-local``: uploads the playbooks and runs ``ansible-playbook``
  on the machine itself (:class:`AnsibleLocalProvisioner`);
- :mod:`._shared` — what both check and compose: path checks, the galaxy file's kind,
  ``KEY=value`` lists.
"""

from __future__ import annotations

"""Built-in provisioners: ``shell``, ``file``, ``shell-local``, ``breakpoint``.

Each module holds one component (a ``Config`` dataclass with Packer's option names and a
:class:`builder.plugins.Provisioner` subclass); they are listed in
:data:`builder.plugins.BUILTINS`. The common attributes (``pause_before``,
``max_retries``, ``timeout``, ``only``/``except``, ``override``) are applied by the build
orchestrator.
"""

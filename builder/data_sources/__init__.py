"""Built-in data sources (``data "TYPE" "NAME"`` blocks), one module each, listed in
``builder.plugins.BUILTINS["data-source"]``; more come through the ``pybuild.data_sources``
entry-point group. Each is a :class:`builder.plugins.DataSource`: a ``Config`` from the
settings table, the names of its ``outputs``, and ``execute(ctx) -> dict``.
"""

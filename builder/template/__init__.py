"""The HCL2 template engine: loads unchanged Packer HCL2 templates.

Modules:

* ``loader``    ``load(path, var_files=, vars=, env=, syntax_only=)`` → :class:`model.Template`;
                raises :class:`builder.errors.TemplateError` with every diagnostic at once.
                One module per stage (``files``, ``body``, ``packer``, ``variables``,
                ``varfiles``, ``locals``, ``sources``, ``components``, ``builds``,
                ``dynamic``, ``validate``) over a shared ``context.LoadState``.
* ``expr``      compiles python-hcl2's raw Lark parse tree into a small expression AST whose
                nodes carry file/line/column; scans heredoc and ``templatefile`` templates.
* ``evaluator`` evaluates that AST over Python native values (``try``/``can`` are special
                forms) with the functions its :class:`~evaluator.Scope` is given.
* ``typeexpr``  variable type constraints and cty-like conversions.
* ``cache``     on-disk cache of compiled ASTs (keeps ``pybuild validate`` fast).
* ``console``   ``console_eval`` with ``packer console`` output formatting.
* ``fmt``       ``format_hcl``, ``packer fmt``-compatible formatting.
* ``inspect``   ``inspect_text``, ``packer inspect``-style summary.
* ``functions`` the function library (``FUNCTIONS``, ``make_functions``, ``function_table``,
                ``render_template_string`` for ``templatefile``); it uses the evaluator,
                never the reverse.
* ``model``     the typed result consumed by the rest of pybuild.
"""

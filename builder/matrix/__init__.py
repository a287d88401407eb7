"""A nightly image matrix: many cells (template + variables + host needs + dependencies),
run on one host or fanned out to many build hosts through Celery.

    model.py       Cell and Matrix (typed, frozen), topological order, queue routing rule
    loader.py      matrix HCL file → Matrix, every problem at once with file:line:col
    validate.py    every cell's template loaded and prepared with its variables (``pybuild validate``)
    cell.py        one cell run as a ``pybuild build`` subprocess in its own directory → CellResult
    handoff.py     images between cells through Glance: hidden/tagged uploads, image_vars, release
    local.py       the one-host executor (``pybuild matrix run --parallel N``)
    details.py     what a cell's build left (steps, checks, Glance ids, size, failure screenshot), read on its host
    report.py      summary.json, JUnit XML and report.html (report.html.j2) of a matrix run, trends
    sweep.py       a dead worker's cell directories, QEMUs and run directories, swept when a worker starts
    runs.py        a run from start to files; ``rerun --failed RUN_ID``
    plan.py        the text of ``pybuild matrix plan``
    distributed.py the Celery app, the cell task, the canvas built from the graph, the worker argv

Entry points: :func:`builder.matrix.loader.load_matrix`, ``builder.cli`` (``pybuild matrix``,
``pybuild worker``). Nothing is imported here, so ``pybuild --help`` stays fast.
"""

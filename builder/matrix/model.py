"""The matrix model: cells, their host needs, the dependency graph and queue routing.

A cell is one ``pybuild build`` of one template with its variables. What a cell needs from a
host (CPU architecture, KVM) decides the Celery queue it is routed to (:attr:`Cell.queue`):
``x86_64``, ``aarch64``, ``x86_64-kvm``, ``aarch64-kvm``... unless the cell names a queue
itself. A build host's worker consumes the queues of what it offers
(``pybuild worker --queues x86_64,x86_64-kvm``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from builder.errors import Location

ARCHES = ("x86_64", "aarch64")
# seconds a Celery worker may hold a cell before Redis hands it to another worker: above the longest cell
DEFAULT_VISIBILITY_TIMEOUT = 12 * 3600.0


def default_queue(arch: str, kvm: bool) -> str:
    """The routing rule: the architecture, with ``-kvm`` when the cell needs hardware acceleration."""
    return f"{arch}-kvm" if kvm else arch


@dataclass(frozen=True)
class Cell:
    """One build of the matrix. Paths are absolute; ``vars`` hold non-sensitive values only
    (sensitive ones come from each worker's environment, ``PKR_VAR_*``)."""

    name: str
    template: str
    var_files: tuple[str, ...] = ()
    vars: dict[str, str] = field(default_factory=dict)
    only: tuple[str, ...] = ()
    except_: tuple[str, ...] = ()
    arch: str = "x86_64"
    kvm: bool = False
    disk_gb: int = 0
    clouds: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    timeout: float = 0.0  # seconds, 0 = none
    queue: str = ""
    image_vars: dict[str, str] = field(default_factory=dict)  # template variable -> dependency cell
    intermediate: bool = False  # its images stay hidden after the run (only derived images are for users)
    base: bool = False  # other cells depend on it: its images are uploaded hidden (set by the loader)
    loc: Location | None = None

    @property
    def route(self) -> str:
        return self.queue or default_queue(self.arch, self.kvm)

    def to_wire(self) -> dict[str, Any]:
        """The JSON form that travels in a task's arguments (no secrets: paths and plain vars)."""
        d = asdict(self)
        d.pop("loc")
        d["queue"] = self.route
        return d

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> Cell:
        kw = dict(d)
        for k in ("var_files", "only", "except_", "clouds", "depends_on"):
            kw[k] = tuple(kw.get(k, ()))
        return cls(**kw)


@dataclass(frozen=True)
class Matrix:
    path: str
    cells: dict[str, Cell]

    def order(self) -> list[str]:
        """Cell names in dependency order (a cell after all it depends on; file order otherwise).
        The loader has rejected cycles and unknown names."""
        done: list[str] = []
        seen: set[str] = set()

        def visit(n: str) -> None:
            if n in seen:
                return
            seen.add(n)
            for d in self.cells[n].depends_on:
                visit(d)
            done.append(n)

        for n in self.cells:
            visit(n)
        return done

    def levels(self) -> list[list[str]]:
        """Cells grouped by depth: level k depends only on levels < k."""
        depth: dict[str, int] = {}
        for n in self.order():
            deps = self.cells[n].depends_on
            depth[n] = 1 + max((depth[d] for d in deps), default=-1)
        out: list[list[str]] = [[] for _ in range(1 + max(depth.values(), default=-1))]
        for n in self.order():
            out[depth[n]].append(n)
        return out

    def dependants(self, name: str) -> list[str]:
        """Cells that depend on ``name`` directly."""
        return [n for n in self.order() if name in self.cells[n].depends_on]

    def is_forest(self) -> bool:
        """True when every cell depends on at most one other (base → derived trees)."""
        return all(len(c.depends_on) <= 1 for c in self.cells.values())

    def subset(self, names: list[str]) -> Matrix:
        """The named cells and everything they depend on."""
        keep: set[str] = set()

        def visit(n: str) -> None:
            if n not in keep:
                keep.add(n)
                for d in self.cells[n].depends_on:
                    visit(d)

        for n in names:
            visit(n)
        return Matrix(self.path, {n: c for n, c in self.cells.items() if n in keep})

    def rerun_subset(self, names: list[str]) -> Matrix:
        """Just the named cells; a dependency outside them counts as done (it succeeded in the
        run being repeated)."""
        keep = set(names)
        return Matrix(self.path, {n: replace(c, depends_on=tuple(d for d in c.depends_on if d in keep))
                                  for n, c in self.cells.items() if n in keep})

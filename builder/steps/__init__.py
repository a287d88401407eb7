"""Build steps: one class per module, ``run`` and ``cleanup`` side by side.

A builder is a readable list of steps. :func:`run_steps` runs them in order; after
success, failure or cancellation it runs the ``cleanup`` of every step that *started*
in reverse order, so a step must tolerate a ``run`` that stopped halfway.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from builder.errors import BuildError, Cancelled, PybuildError

S = TypeVar("S")
log = logging.getLogger("pybuild.steps")


class Step(Generic[S]):
    """Uses / produces: say so in the subclass docstring."""

    name: str = ""

    def run(self, state: S) -> None:
        raise NotImplementedError

    def cleanup(self, state: S) -> None:
        """Undo what run() did (idempotent; tolerates a half-done run)."""


def step_name(step: Step[S]) -> str:
    return step.name or type(step).__name__


def run_steps(
    steps: Sequence[Step[S]],
    state: S,
    *,
    on_event: Callable[..., None] | None = None,
    pause: Callable[[str], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_error_line: Callable[[str], None] | None = None,
    ask: Callable[[str, str], str] | None = None,
) -> None:
    """Run steps in order; always run cleanups of started steps in reverse order.

    ``on_failure`` is called before the cleanups when a step fails or is cancelled, so
    cleanups can tell a failed build (keep evidence, delete output) from a good one.
    A cleanup that raises does not stop the others: it is one line for the user
    (``on_error_line``), a ``cleanup_failed`` event, and its traceback in the log.
    A step that crashes with a non-pybuild exception becomes a :class:`BuildError`
    naming the step, the original as its ``__cause__``.
    ``ask`` (``-on-error=ask``) is called with the step's name and error when a step
    fails (not when cancelled); it answers "retry" (run the step again), "cleanup" or
    "abort" (both end the build with the error; the caller acts on "abort").
    """
    started: list[Step[S]] = []
    try:
        _run_all(steps, state, started, on_event, pause, ask)
    except BaseException as e:
        if on_failure is not None:
            on_failure(e)
        raise
    finally:
        for step in reversed(started):
            try:
                step.cleanup(state)
            except Exception as e:  # one failed cleanup must not stop the others
                name = step_name(step)
                log.error("cleanup of step %s failed", name, exc_info=e)
                if on_error_line is not None:
                    on_error_line(f"Cleanup of step {name} failed: {type(e).__name__}: {e}")
                if on_event is not None:
                    on_event("cleanup_failed", step=name, error=f"{type(e).__name__}: {e}")


def _run_all(
    steps: Sequence[Step[S]],
    state: S,
    started: list[Step[S]],
    on_event: Callable[..., None] | None,
    pause: Callable[[str], None] | None,
    ask: Callable[[str, str], str] | None = None,
) -> None:
    for step in steps:
        name = step_name(step)
        if pause is not None:
            pause(name)
        started.append(step)
        while True:
            try:
                _run_one(step, name, state, on_event)
                break
            except Cancelled:
                raise
            except PybuildError as e:
                if ask is None or ask(name, str(e)) != "retry":
                    raise


def _run_one(step: Step[S], name: str, state: S, on_event: Callable[..., None] | None) -> None:
    t0 = time.monotonic()
    if on_event:
        on_event("step_start", step=name)
    try:
        step.run(state)
    except (PybuildError, KeyboardInterrupt) as e:
        if on_event:
            on_event("step_end", step=name, ok=False, duration=round(time.monotonic() - t0, 3))
        err: BaseException = Cancelled() if isinstance(e, KeyboardInterrupt) else e
        if not getattr(err, "step", ""):
            # every error names its step (the "error" event, the failure evidence):
            # cancellations and communicator errors too, not only BuildError
            setattr(err, "step", name)  # noqa: B010
        if err is not e:
            raise err from None
        raise
    except Exception as e:  # an unexpected bug: keep the step name
        if on_event:
            on_event("step_end", step=name, ok=False, duration=round(time.monotonic() - t0, 3))
        log.exception("step %s crashed", name)
        raise BuildError(f"{type(e).__name__}: {e}", step=name) from e
    if on_event:
        on_event("step_end", step=name, ok=True, duration=round(time.monotonic() - t0, 3))

"""The step contract of :func:`builder.steps.run_steps`, with a recording fake step (fast):
steps run in order; the cleanups of the steps that started run in reverse order, after
success, after a failure in the middle, and after Ctrl-C (which becomes ``Cancelled``);
a cleanup that raises does not stop the other cleanups and is reported once. The real
steps meet real QEMU in the e2e and reliability tests."""

from __future__ import annotations

import inspect
import os
import stat
import tempfile
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from builder.bootcommand import drivers
from builder.errors import BuildError, Cancelled
from builder.steps import Step, run_steps
from builder.steps.run_dir import StepRunDir


@dataclass
class Journal:
    calls: list[str] = field(default_factory=list)
    events: list[tuple[str, dict]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)

    def run(self, steps: list[Step[Journal]]) -> None:
        run_steps(steps, self, on_event=lambda n, **f: self.events.append((n, f)),
                  on_failure=self.failures.append, on_error_line=self.lines.append)


class RecordingStep(Step[Journal]):
    """Records run/cleanup; ``fail`` makes run raise it, ``cleanup_fails`` makes cleanup raise."""

    def __init__(self, name: str, fail: BaseException | None = None, cleanup_fails: BaseException | None = None):
        self.name = name
        self.fail = fail
        self.cleanup_fails = cleanup_fails

    def run(self, state: Journal) -> None:
        state.calls.append(f"run {self.name}")
        if self.fail is not None:
            raise self.fail

    def cleanup(self, state: Journal) -> None:
        state.calls.append(f"cleanup {self.name}")
        if self.cleanup_fails is not None:
            raise self.cleanup_fails


def test_steps_run_in_order_and_clean_up_in_reverse() -> None:
    j = Journal()
    j.run([RecordingStep("a"), RecordingStep("b"), RecordingStep("c")])
    assert j.calls == ["run a", "run b", "run c", "cleanup c", "cleanup b", "cleanup a"]
    assert [(n, f["step"], f.get("ok")) for n, f in j.events] == [
        ("step_start", "a", None), ("step_end", "a", True), ("step_start", "b", None), ("step_end", "b", True),
        ("step_start", "c", None), ("step_end", "c", True),
    ]
    assert j.failures == [] and j.lines == []


def test_a_failure_in_the_middle_cleans_up_the_started_steps_only() -> None:
    j = Journal()
    with pytest.raises(BuildError, match="disk full") as e:
        j.run([RecordingStep("a"), RecordingStep("b", fail=BuildError("disk full")), RecordingStep("c")])
    assert j.calls == ["run a", "run b", "cleanup b", "cleanup a"]  # b started: its cleanup tolerates half a run
    assert e.value.step == "b"
    assert j.failures == [e.value]  # on_failure before the cleanups (they keep evidence)
    assert ("step_end", {"step": "b", "ok": False, "duration": j.events[-1][1]["duration"]}) == j.events[-1]


def test_ctrl_c_becomes_cancelled_and_still_cleans_up() -> None:
    j = Journal()
    with pytest.raises(Cancelled) as e:
        j.run([RecordingStep("a"), RecordingStep("b", fail=KeyboardInterrupt()), RecordingStep("c")])
    assert j.calls == ["run a", "run b", "cleanup b", "cleanup a"]
    assert getattr(e.value, "step", "") == "b"
    assert isinstance(j.failures[0], Cancelled)


def test_a_crashing_step_is_a_build_error_naming_it() -> None:
    j = Journal()
    with pytest.raises(BuildError) as e:
        j.run([RecordingStep("a"), RecordingStep("b", fail=KeyError("x"))])
    assert e.value.step == "b" and str(e.value) == "KeyError: 'x'"
    assert isinstance(e.value.__cause__, KeyError)  # the runner logs its traceback
    assert j.calls == ["run a", "run b", "cleanup b", "cleanup a"]


def test_a_failing_cleanup_does_not_stop_the_others() -> None:
    j = Journal()
    j.run([RecordingStep("a"), RecordingStep("b", cleanup_fails=OSError("busy")),
           RecordingStep("c", cleanup_fails=RuntimeError("stuck"))])
    assert j.calls == ["run a", "run b", "run c", "cleanup c", "cleanup b", "cleanup a"]
    assert j.lines == ["Cleanup of step c failed: RuntimeError: stuck", "Cleanup of step b failed: OSError: busy"]
    assert [(n, f) for n, f in j.events if n == "cleanup_failed"] == [
        ("cleanup_failed", {"step": "c", "error": "RuntimeError: stuck"}),
        ("cleanup_failed", {"step": "b", "error": "OSError: busy"}),
    ]


def test_a_failing_cleanup_after_a_failure_keeps_the_first_error() -> None:
    j = Journal()
    with pytest.raises(BuildError, match="boom"):
        j.run([RecordingStep("a", cleanup_fails=OSError("busy")), RecordingStep("b", fail=BuildError("boom"))])
    assert j.calls == ["run a", "run b", "cleanup b", "cleanup a"]
    assert j.lines == ["Cleanup of step a failed: OSError: busy"]


def test_pause_is_called_before_each_step() -> None:
    j = Journal()
    paused: list[str] = []
    run_steps([RecordingStep("a"), RecordingStep("b")], j, pause=lambda name: paused.append(name))
    assert paused == ["a", "b"]


@pytest.mark.parametrize("driver", [drivers.VNCKeyboard, drivers.QMPKeyboard, drivers.SerialKeyboard,
                                    drivers.RecordingKeyboard])
def test_every_keyboard_driver_and_the_fake_have_the_drivers_calls(driver: type) -> None:
    """The fake keyboard the typer's fast tests use answers the same calls as the real ones."""
    for name in ("key_down", "key_up", "press", "type_char", "flush", "close"):
        proto = inspect.signature(getattr(drivers.KeyboardDriver, name))
        mine = inspect.signature(getattr(driver, name))
        assert list(mine.parameters) == list(proto.parameters), (driver.__name__, name)


def test_the_run_dir_step_makes_and_removes_a_private_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    state = SimpleNamespace(private_dir=None, ui=SimpleNamespace(say=print, message=print))
    step = StepRunDir()
    step.run(state)  # type: ignore[arg-type]
    d = state.private_dir
    assert d is not None and d.parent == tmp_path
    assert stat.S_IMODE(d.stat().st_mode) == 0o700 and (d / "pid").read_text() == str(os.getpid())
    step.cleanup(state)  # type: ignore[arg-type]
    assert not d.exists() and state.private_dir is None
    step.cleanup(state)  # type: ignore[arg-type]  # idempotent


# --------------------------------------------------------------------------- resource ownership


class _Comm:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def run(self, command: str, **_: object) -> int:
        self.calls.append(f"run {command}")
        return 0

    def close(self) -> None:
        self.calls.append("close")


class _Qemu:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def wait(self, timeout: float) -> int:
        self.calls.append("wait")
        return 0

    def stop(self, grace: float = 0.0) -> None:
        self.calls.append("stop")


def _ui() -> SimpleNamespace:
    return SimpleNamespace(say=lambda *a, **k: None, message=lambda *a, **k: None)


def test_shutdown_leaves_the_ssh_connection_to_the_connect_step() -> None:
    """The shutdown step uses the connection and QEMU; the connect step's cleanup closes the
    connection it opened, the qemu_run step's cleanup reaps QEMU."""
    from builder.steps.connect import StepConnect
    from builder.steps.shutdown import StepShutdown

    comm, qemu = _Comm(), _Qemu()
    cfg = SimpleNamespace(communicator="ssh", shutdown_timeout=5.0, ssh_clear_authorized_keys=False,
                          shutdown_command="poweroff")
    state = SimpleNamespace(cfg=cfg, qemu=qemu, qmp=None, comm=comm, keypair=None, ui=_ui(),
                            ctx=SimpleNamespace(hook=lambda *a, **k: None))
    run_steps([StepShutdown()], state)  # type: ignore[arg-type]
    assert comm.calls == ["run poweroff"] and qemu.calls == ["wait"]  # nothing closed or killed
    StepConnect().cleanup(state)  # type: ignore[arg-type]
    assert comm.calls == ["run poweroff", "close"] and state.comm is None


def test_the_output_dir_step_holds_its_lock_until_its_cleanup(tmp_path) -> None:
    from builder.errors import BuildError as _BuildError
    from builder.leftovers import OutputLock
    from builder.steps.output_dir import StepOutputDir

    out = tmp_path / "output-a"
    state = SimpleNamespace(output_dir=out, output_lock=None, output_dir_created=False, failed=False, iso_path=None,
                            ctx=SimpleNamespace(force=False, keeps_output=False, evidence=lambda p: None),
                            ui=_ui(), serial_log=tmp_path / "serial.log", cfg=SimpleNamespace(
                                disk_size="1M", disk_additional_size=[], disk_image=False, format="qcow2"))
    step = StepOutputDir()
    step.run(state)  # type: ignore[arg-type]
    assert isinstance(state.output_lock, OutputLock) and out.is_dir()
    with pytest.raises(_BuildError, match="being built by another pybuild process"):
        OutputLock(out).acquire()  # a second run cannot take it
    step.cleanup(state)  # type: ignore[arg-type]
    assert state.output_lock is None
    second = OutputLock(out)
    second.acquire()  # released
    second.release()

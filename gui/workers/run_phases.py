"""The run's state in the window's model, from the worker's typed signals (never from the
words it shows in the status bar)."""

from __future__ import annotations

from gui.model import Phase, RunState, WindowModel
from gui.workers.base import model_loaded
from gui.workers.run_worker import RunOutcome, RunWorker


def run_started(model: WindowModel) -> None:
    # The first run loads TensorFlow and the weights (the worker says so in words too).
    first = model.value("method") != "instant" and not model_loaded()
    model.set_run_state(RunState(Phase.LOADING_MODEL if first else Phase.STARTING))


def follow_run(model: WindowModel, worker: RunWorker) -> None:
    total = worker.settings.iterations
    worker.ready.connect(lambda *_: model.set_run_state(RunState(Phase.RUNNING, 0, total)))
    worker.progress.connect(lambda p: model.set_run_state(RunState(Phase.RUNNING, p.step, p.total)))
    worker.finished.connect(lambda outcome: run_ended(model, outcome))
    worker.failed.connect(lambda _message: set_phase(model, Phase.FAILED))


def run_ended(model: WindowModel, outcome: RunOutcome | None) -> None:
    """The run's end (``outcome`` None: its thread ended without saying how)."""
    if outcome is None:
        if model.run_state.active:
            set_phase(model, Phase.STOPPED)
        return
    set_phase(model, Phase.STOPPED if outcome.stopped else Phase.FINISHED)


def set_phase(model: WindowModel, phase: Phase) -> None:
    state = model.run_state
    model.set_run_state(RunState(phase, state.step, state.total))

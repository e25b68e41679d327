"""The run's state in the window's model, from the worker's typed signals (never from the
words it shows): the phase, each step's progress and losses, the live image, where the
engine runs and how the run ended. The status bar and the result view draw from it."""

from __future__ import annotations

import dataclasses
from typing import Any

from gui.labels import change_words
from gui.model import Ending, Engine, Phase, RunState, WindowModel
from gui.workers.base import model_loaded
from gui.workers.run_worker import RunOutcome, RunWorker


class RunPhases:
    """Writes one run after another into ``model.run_state``."""

    def __init__(self, model: WindowModel) -> None:
        self.model = model
        self._before: RunState | None = None  # the state a run that never started restores
        self._admitted = False
        self._runs = 0

    def started(self) -> None:
        """Run was pressed: the worker's thread starts (its memory check first)."""
        model = self.model
        self._before, self._admitted = model.run_state, False
        # The first run loads TensorFlow and the weights: the view says why it waits.
        first = model.value("method") != "instant" and not model_loaded()
        phase = Phase.LOADING_MODEL if first else Phase.STARTING
        model.set_run_state(dataclasses.replace(model.run_state, phase=phase, ending=None))

    def follow(self, worker: RunWorker) -> None:
        worker.admitted.connect(lambda: self._admit(worker))
        worker.phase.connect(lambda phase: self._set(phase=self._unless_stopping(phase)))
        worker.ready.connect(lambda *args: self._ready(worker, *args))
        worker.progress.connect(self._progress)
        worker.preview.connect(self._preview)
        worker.finished.connect(self.finished)
        worker.failed.connect(
            lambda message: self._set(phase=Phase.FAILED, ending=Ending(error=message))
        )

    def _admit(self, worker: RunWorker) -> None:
        """The memory check passed: a new run, which clears the views."""
        self._runs += 1
        self._admitted = True
        settings = worker.settings
        self.model.set_run_state(
            RunState(
                Phase.PREPARING,
                total=0 if settings.method == "instant" else settings.iterations,
                method=settings.method,
                engine=self.model.run_state.engine,
                run=self._runs,
            )
        )

    def _ready(self, worker: RunWorker, device: str, weights: str, precision: Any) -> None:
        before = self.model.run_state.engine
        if not weights and before is not None:
            weights = before.weights  # the instant network reads no VGG19 weights
        changes: dict[str, Any] = {"engine": Engine(device, weights, precision)}
        if worker.settings.method != "instant":
            changes["phase"] = self._unless_stopping(Phase.RUNNING)
        self._set(**changes)

    def _progress(self, progress: Any) -> None:
        marks = self.model.run_state.marks + tuple(
            (step, change_words(name, value)) for step, name, value in progress.changes
        )
        self._set(
            marks=marks,
            phase=self._unless_stopping(Phase.RUNNING),
            step=progress.step,
            total=progress.total,
            elapsed=progress.elapsed,
            eta=progress.eta,
            where=progress.stage_words(),
            losses=dict(progress.losses),
        )

    def _preview(self, image: Any) -> None:
        state = self.model.run_state
        self._set(image=image, frames=state.frames + 1)

    def finished(self, outcome: RunOutcome) -> None:
        """The run's outcome: its Ending, which brings the result to the view."""
        result = outcome.result
        ending = Ending(
            steps=result.steps if result is not None else 0,
            duration=result.duration if result is not None else 0.0,
            saved_path=outcome.saved_path,
            save_error=outcome.save_error,
            has_result=result is not None,
            outcome=outcome,
        )
        self._set(phase=Phase.STOPPED if outcome.stopped else Phase.FINISHED, ending=ending)

    def stopping(self) -> None:
        if self.model.run_state.active:
            self._set(phase=Phase.STOPPING)

    def ended(self) -> None:
        """The worker's thread ended. A run refused before it started leaves the window as
        it was; one that ended without saying how is stopped."""
        if self.model.run_state.active:
            if self._admitted:
                self._set(phase=Phase.STOPPED)
            else:
                self.model.set_run_state(self._before or RunState())
        self._before = None

    def _unless_stopping(self, phase: Phase) -> Phase:
        """Asked to stop: the phase says so until the run ends."""
        return Phase.STOPPING if self.model.run_state.phase is Phase.STOPPING else phase

    def _set(self, **changes: Any) -> None:
        self.model.update_run(**changes)

"""Steering the run going on from the window: while an optimization runs, the controls of
the weights stay editable (the table's ``steered`` fields), and each edit the model takes
goes to the run as changes, made before its next step (nst/settings/changes.py). The
engine records them in the run's recipe; the loss curve marks them (RunState.marks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gui.labels import describe_settings_error
from gui.model import Change, SettingsChanged, WindowModel
from nst.settings import Settings, SettingsError
from nst.settings.changes import steered_differences


class RunSteering:
    """Sends the model's edits of the weights to the run that ``follow`` names."""

    def __init__(self, model: WindowModel, say: Callable[[str, int], None]) -> None:
        self.model = model
        self.say = say
        self.worker: Any = None  # gui.workers.run_worker.RunWorker of the run going on
        self._objective: Settings | None = None  # the settings the run's weights are at
        model.subscribe(self._model_changed)

    def follow(self, worker: Any) -> None:
        """A run starts: its objective is the model's settings as they are now."""
        optimized = worker.settings.method != "instant"
        self.worker = worker if optimized else None
        self._objective = self.model.settings if optimized else None

    def end(self) -> None:
        self.worker, self._objective = None, None

    def _model_changed(self, change: Change) -> None:
        if not isinstance(change, SettingsChanged) or self.worker is None:
            return
        settings = self.model.settings  # the last valid one: an edit being typed waits
        changes = steered_differences(self._objective, settings)
        if not changes:
            return
        try:
            for name, value in changes:
                self.worker.steer(name, value)
        except SettingsError as exc:  # the model checked it; the run's own limits did not
            self.say(f"Not changed in the run: {describe_settings_error(exc)}", 15000)
            return
        self._objective = settings

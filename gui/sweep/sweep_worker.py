"""The sweep worker: drives one nst.sweep SweepRun on a QThread (gui/workers/base.py).

TensorFlow is imported inside ``work``, on the worker thread, never on the GUI thread.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from PyQt5.QtCore import pyqtSignal

from gui.workers.base import PREVIEW_INTERVAL_S, Worker, _weights_for, model_loaded
from nst.sweep.grid import Sweep
from nst.sweep.runner import CellDone, CellStep, SweepRun


class SweepWorker(Worker):
    """Drives one nst.sweep SweepRun and reports by signals."""

    # progress: a CellStep without its image; finished: the SweepRun (folder, sheet_path,
    # stopped).
    preview = pyqtSignal(int, object)  # cell index, the cell's current image (uint8)
    cell_done = pyqtSignal(object)  # CellDone
    what = "sweep"
    memory_advice = "choose a smaller cell size"

    def __init__(self, sweep: Sweep, output_folder: str) -> None:
        super().__init__()
        self.sweep = sweep
        self.output_folder = output_folder

    @property
    def step(self) -> Any:
        """The progress signal by its older name (each cell's step)."""
        return self.progress

    def work(self) -> Any:
        if not model_loaded():
            self.status.emit("Loading the model…")
        # The heavy imports, on this thread: TensorFlow takes seconds to load.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        run = SweepRun(self.sweep, self.output_folder, preview_interval=PREVIEW_INTERVAL_S)
        if self.attach(run):
            run.stop()
        # The command line's check, here on the worker's thread (on a GPU machine it asks
        # TensorFlow): a cell too big refuses the sweep before any cell runs (`refused`).
        run.check_memory()
        self.admitted.emit()
        run.weights = _weights_for(self.sweep.base.weights)
        self.status.emit("Preparing the images…")
        run.prepare()
        from nst.precision import resolve
        from nst.run.result import device_description

        # The precision every cell computes in (each cell's session resolves it the same
        # way); None only when the sweep varies it, and the cells differ.
        chosen = {cell.settings.precision for cell in self.sweep.cells}
        precision = resolve(chosen.pop()) if len(chosen) == 1 else None
        self.ready.emit(device_description(), run.weights.describe(), precision)
        for event in run.events():
            if isinstance(event, CellDone):
                self.cell_done.emit(event)
                continue
            if event.progress.image is not None:  # at the engine's rate
                self.preview.emit(event.index, event.progress.image)
            self.progress.emit(_without_image(event))
        return run


def _without_image(event: CellStep) -> CellStep:
    return dataclasses.replace(event, progress=dataclasses.replace(event.progress, image=None))

"""The sweep worker: drives one nst.sweep SweepRun on a QThread (gui/workers/base.py),
or, placed on a Ray cluster, an nst.cluster RaySweepRun whose cells are Ray tasks.

TensorFlow and Ray are imported inside ``work``, on the worker thread, never on the GUI
thread; so is the connection to a cluster made (a few seconds at worst, never a hang).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from PyQt5.QtCore import pyqtSignal

from gui.model.where_runs import THIS_COMPUTER, Placement, cluster_device
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

    def __init__(
        self, sweep: Sweep, output_folder: str, placement: Placement = THIS_COMPUTER
    ) -> None:
        super().__init__()
        self.sweep = sweep
        self.output_folder = output_folder
        self.placement = placement

    @property
    def step(self) -> Any:
        """The progress signal by its older name (each cell's step)."""
        return self.progress

    def work(self) -> Any:
        if self.placement.ray:
            return self._on_cluster()
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

    def _on_cluster(self) -> Any:
        """The cells as Ray tasks: CellDone events only, in the order the cells finish.
        Each worker checks its own memory, so a cell too big there fails alone."""
        from nst.cluster.connect import connect
        from nst.cluster.sweep import RaySweepRun

        self.status.emit("Connecting to the Ray cluster…")
        with connect(self.placement.cluster_address) as cluster:
            run = RaySweepRun(self.sweep, self.output_folder, cluster)
            if self.attach(run):
                run.stop()
            self.admitted.emit()
            self.status.emit("Preparing the images…")
            run.prepare()
            self.ready.emit(cluster_device(cluster.describe()), "", None)
            self.status.emit(f"Sending {len(self.sweep.cells)} cells to the Ray cluster…")
            for event in run.events():
                self.cell_done.emit(event)
        return run


def _without_image(event: CellStep) -> CellStep:
    return dataclasses.replace(event, progress=dataclasses.replace(event.progress, image=None))

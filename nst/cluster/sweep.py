"""A sweep whose cells are Ray tasks: the content and style go to the cluster once, and
the driver saves each cell, sweep.json and the contact sheet as the tasks finish."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from nst.sweep.grid import Sweep
from nst.sweep.runner import CellDone, CellStep, SweepRun


class RaySweepRun(SweepRun):
    """SweepRun's cells on ``cluster`` (an entered nst.cluster.connect.Cluster). Events
    are CellDone only, in the order the cells finish; the sheet is rewritten after each.
    ``stop`` cancels the cells not finished (the sheet says "not run")."""

    def __init__(
        self, sweep: Sweep, output_dir: str | os.PathLike[str], cluster: Any, **images: Any
    ) -> None:
        super().__init__(sweep, output_dir, **images)
        self.cluster = cluster

    def load_weights(self) -> None:
        """Nothing: each worker reads its own weights, and the driver needs none."""

    def _cells(self) -> Iterator[CellStep | CellDone]:
        pool = self.cluster.pool()
        content = pool.share("content", self.content_image)
        style = pool.share("style", self.style_image)
        cells = self.sweep.cells
        for index, cell in enumerate(cells):
            pool.submit(index, cell.settings, content, style)
        for index, outcome in pool.finished(lambda: self._series.stopped):
            cell = cells[index]
            if outcome.error:
                done = self.failed_cell(cell, index, outcome.error)
            else:
                done = self._save(outcome, cell, index, len(cells))
            yield self.record(done)
            self.write_sheet()

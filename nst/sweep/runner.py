"""Rendering a sweep: each cell a normal Gatys run saved through save_outcome in a new
folder, then the contact sheet and sweep.json (the axes, each cell's files and losses).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nst.cluster.item import transfer_for
from nst.errors import RunError
from nst.imaging.export import new_numbered_folder, write_atomic, write_text_atomic
from nst.imaging.load import load_image
from nst.imaging.save import check_output_dir, result_stem
from nst.memory import require_fit
from nst.memory_model import work_dims
from nst.run.child import plan_for_run
from nst.run.outcome import save_outcome
from nst.run.series import SessionSeries
from nst.sweep.grid import Cell, Sweep
from nst.sweep.sheet import contact_sheet

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CellStep:
    """A step of the cell in progress (``progress`` is a nst.run.result.Progress)."""

    cell: Cell
    index: int  # 0-based, in the order cells are rendered (row by row)
    count: int
    progress: Any


@dataclass(frozen=True)
class CellDone:
    """A finished cell: its image and files, or the one sentence why it failed."""

    cell: Cell
    index: int
    count: int
    image: np.ndarray | None
    path: Path | None
    losses: dict[str, float]
    steps: int
    duration: float
    error: str = ""


class SweepRun:
    """Renders a Sweep's cells one after another into a new folder.

    ``stop`` may be called from any thread: the cell in progress ends after its current
    step and is not kept (a half-optimized cell would misrepresent its values); the
    contact sheet and sweep.json then hold the cells finished so far.
    """

    def __init__(
        self,
        sweep: Sweep,
        output_dir: str | os.PathLike[str],
        *,
        content_image: np.ndarray | None = None,
        style_image: np.ndarray | None = None,
        weights: Any = None,
        preview_interval: float = 0.0,
    ) -> None:
        """``preview_interval``: at most one cell preview image per that many seconds
        (Transfer's), for a window that repaints at its own rate."""
        self.sweep = sweep
        self.preview_interval = preview_interval
        self.output_dir = output_dir
        self.content_image = content_image
        self.style_image = style_image
        self.weights = weights
        self.folder: Path | None = None
        self.sheet_path: Path | None = None
        self.index_path: Path | None = None
        self.done: dict[int, CellDone] = {}
        self.stopped = False
        self.finished = False  # the sheet and sweep.json written for the last time
        self._series = SessionSeries()
        self.created = time.strftime("%Y-%m-%dT%H:%M:%S%z")

    def stop(self) -> None:
        self._series.stop()

    def load_images(self) -> None:
        """Read the content and style images (once for every cell), unless given."""
        base = self.sweep.base
        if self.content_image is None:
            self.content_image = load_image(base.content, role="content image")
        if self.style_image is None:
            self.style_image = load_image(base.style, role="style image")

    def check_memory(self) -> None:
        """Refuse the sweep before any cell runs when a cell would not fit in the free
        memory (memory.NotEnoughMemory, naming the cell). On a GPU machine this imports
        TensorFlow (memory.gpu_memory): a window calls it on its worker's thread."""
        self.load_images()
        content, style = self.content_image, self.style_image
        assert content is not None and style is not None
        dims = content.shape[1::-1], style.shape[1::-1]
        for cell in self.sweep.cells:
            # as the cell will run (transfer_for): in tiles, in a process of its own
            own = plan_for_run(cell.settings, *dims)[1]
            require_fit(cell.settings, *dims, cell=cell, own_process=own)

    def prepare(self) -> None:
        """Read the images and weights (once for every cell), then make the folder."""
        if self.folder is not None:
            return
        base = self.sweep.base
        target = check_output_dir(self.output_dir)
        self.load_images()
        self.load_weights()
        self.folder = new_sweep_folder(target, result_stem(base.content, base.style))

    def load_weights(self) -> None:
        """The VGG19 weights, read once for every cell (WeightsError before any runs)."""
        if self.weights is None:
            from nst.vgg.weights import load_weights

            self.weights = load_weights(self.sweep.base.weights)

    @property
    def cell_dims(self) -> tuple[int, int]:
        """(width, height) of a cell, from the content image's proportions."""
        assert self.content_image is not None
        height, width = self.content_image.shape[:2]
        return work_dims(width, height, self.sweep.cell_size)

    def events(self) -> Iterator[CellStep | CellDone]:
        """Render every cell; the contact sheet and sweep.json are written at the end,
        also when stopped or interrupted."""
        self.prepare()
        try:
            yield from self._cells()
        finally:
            self.finish()

    def _cells(self) -> Iterator[CellStep | CellDone]:
        count = len(self.sweep.cells)
        assert self.style_image is not None
        for index, cell in enumerate(self.sweep.cells):
            if self._series.stopped:
                break
            # A cell with a stage in tiles goes in a process of its own, as a batch's item
            # does (transfer_for): there its tiles get the system's allocator.
            session = transfer_for(
                cell.settings,
                self.content_image,
                self.style_image,
                weights=self.weights,
                preview_interval=self.preview_interval,
            )
            with closing(session):
                try:
                    for progress in self._series.steps(session):
                        yield CellStep(cell, index, count, progress)
                except RunError as exc:
                    # One cell's NaN (too high a learning rate, say) is a finding of the
                    # sweep, not the end of it: the sheet shows it, the other cells run.
                    done = self.failed_cell(cell, index, str(exc))
                else:
                    if self._series.stopped:
                        break
                    done = self._save(session.result(), cell, index, count)
            yield self.record(done)

    def record(self, done: CellDone) -> CellDone:
        """Keep a finished (or failed) cell and rewrite sweep.json."""
        self.done[done.index] = done
        self._write_index()
        return done

    def failed_cell(self, cell: Cell, index: int, reason: str) -> CellDone:
        log.info("cell %s failed: %s", cell.describe(), reason)
        return CellDone(cell, index, len(self.sweep.cells), None, None, {}, 0, 0.0, reason)

    def _save(self, result: Any, cell: Cell, index: int, count: int) -> CellDone:
        assert self.folder is not None
        recipe = result.recipe()
        recipe["sweep"] = {
            "index_file": INDEX_NAME,
            "row": cell.row + 1,
            "column": cell.column + 1,
            "values": {name: value for name, value in cell.values},
        }
        # The sweep's own folder was checked and made in prepare(): a failure to save here
        # is raised, not hidden in the temporary folder, so the sweep stops and says why.
        saved = save_outcome(
            result.image, cell.settings, self.folder, recipe, stem=cell.stem, keep_elsewhere=False
        )
        path = saved.path
        return CellDone(
            cell,
            index,
            count,
            result.image,
            path,
            dict(result.losses),
            result.steps,
            result.duration,
        )

    def finish(self) -> None:
        """Write the contact sheet and sweep.json (idempotent)."""
        if self.folder is None or self.finished:
            return
        self.finished = True
        # Stopped, interrupted or failed part-way: the sheet holds fewer cells than the grid.
        self.stopped = len(self.done) < len(self.sweep.cells)
        self.write_sheet()
        self._write_index()

    def write_sheet(self) -> None:
        """The contact sheet of the cells finished so far (the others "not run")."""
        assert self.folder is not None
        pictures = {i: d.image for i, d in self.done.items() if d.image is not None}
        notes = {i: "failed" for i, d in self.done.items() if d.error}
        sheet = contact_sheet(self.sweep, pictures, self.cell_dims, notes)
        path = self.folder / SHEET_NAME
        write_atomic(path, lambda fh: sheet.save(fh, format="PNG"))
        self.sheet_path = path

    def _write_index(self) -> None:
        assert self.folder is not None
        data = sweep_index(self)
        text = json.dumps(data, indent=2, default=str) + "\n"
        path = self.folder / INDEX_NAME
        write_text_atomic(path, text)
        self.index_path = path


SHEET_NAME = "contact_sheet.png"
INDEX_NAME = "sweep.json"


def new_sweep_folder(parent: Path, stem: str) -> Path:
    """A new folder ``sweep_<stem>_NNN`` in ``parent`` (nst.imaging.export's rule)."""
    return new_numbered_folder(parent, "sweep", stem, "sweeps")


def sweep_index(run: SweepRun) -> dict[str, Any]:
    """sweep.json: the axes, the base, and per cell its values, files and final losses."""
    sweep = run.sweep
    cells = []
    for index, cell in enumerate(sweep.cells):
        done = run.done.get(index)
        entry: dict[str, Any] = {
            "row": cell.row + 1,
            "column": cell.column + 1,
            "values": {name: value for name, value in cell.values},
            "file": done.path.name if done and done.path else None,
            "recipe": done.path.with_suffix(".json").name if done and done.path else None,
            "final_losses": done.losses if done else None,
            "steps": done.steps if done else None,
            "duration_s": round(done.duration, 3) if done else None,
        }
        if done and done.error:
            entry["error"] = done.error
        cells.append(entry)
    return {
        "axes": [
            {
                "name": a.name,
                "label": a.label,
                "values": list(a.values),
                "direction": "across" if i == 0 else "down",
            }
            for i, a in enumerate(sweep.axes)
        ],
        "cell_size": sweep.cell_size,
        "full_size": sweep.base.size,
        "base_settings": sweep.base.to_dict(),
        "contact_sheet": run.sheet_path.name if run.sheet_path else None,
        "stopped": run.stopped,
        "created": run.created,
        "cells": cells,
    }

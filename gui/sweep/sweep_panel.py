"""The Sweep tab: render a grid of small runs that differ in one or two settings.

The panel builds an nst.sweep Sweep from the window's current settings (the base) and one or two
axes, runs it on a QThread (sweep_worker.py) and fills a grid of thumbnails (grid.py) as each
cell finishes, with the values on the row and column headers. A selected cell can be rendered at
full size: the panel emits ``full_size_requested`` with the cell's settings at the window's
size, and the window runs them as a normal run. The engine writes the files (nst/sweep/).

The panel is a view of the window's model (SweepModel, what it uses of gui.model.WindowModel):
its base settings and folder are the model's, a run going on (the model's RunState) blocks it,
and it writes back whether it is rendering and where the engine runs (for the status bar). Where
the cells run (here, or as Ray tasks) is a WhereRuns value it shares with the Queue tab.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from PyQt5.QtCore import QThread, QUrl, pyqtSignal
from PyQt5.QtGui import QDesktopServices
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from gui.error_words import memory_words
from gui.model import Change, Engine, JobsChanged, RunStateChanged
from gui.model.where_runs import WhereRuns
from gui.sweep.form import NOTHING, SweepForm
from gui.sweep.grid import SheetGrid, content_dims
from gui.sweep.model import SweepModel
from gui.sweep.sweep_worker import SweepWorker
from gui.sweep.words import cell_words, done_words, step_words
from gui.workers.base import start_worker, stop_and_wait
from nst.errors import NstError
from nst.imaging.save import check_output_dir
from nst.memory import NotEnoughMemory
from nst.memory_model import work_dims
from nst.run.clock import clock_text
from nst.settings import Settings, SettingsError
from nst.sweep.axes import Axis, SweepError, example_values, make_axis, value_text
from nst.sweep.grid import Cell, Sweep
from nst.sweep.runner import CellDone, CellStep, SweepRun

_BLOCKED_BY_RUN = "A run is in progress; a sweep can start when it ends."
_BLOCKED_BY_QUEUE = "The queue is running its jobs; a sweep can start when it ends."


class SweepPanel(QWidget):
    """Axes, cell size and iterations, Render/Stop, progress, and the grid of cells."""

    full_size_requested = pyqtSignal(object)  # Settings of the chosen cell at full size
    finished = pyqtSignal(object)  # the SweepRun, or None when it failed

    def __init__(
        self, model: SweepModel, where: WhereRuns | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.where = where if where is not None else WhereRuns()  # shared with the Queue tab
        self._thread: QThread | None = None
        self._worker: SweepWorker | None = None
        self._sweep: Sweep | None = None
        self._run: SweepRun | None = None
        self._done: dict[int, CellDone] = {}
        self._selected: int | None = None
        # What is going on that a sweep waits for (a run's words first), and whether it is.
        self._busy = {_BLOCKED_BY_RUN: False, _BLOCKED_BY_QUEUE: False}
        self._blocked = ""
        self._started = 0.0
        self.last_error = ""
        self._showing_problem = False
        # The sweep's own last words ("Done: … contact sheet saved as …"): a problem shown
        # meanwhile (a run going on) gives the line back to them when it goes.
        self._report = ("", False)
        self._build()
        self.axis_boxes[0].setCurrentIndex(self.axis_boxes[0].findData("style_weight"))
        self._axis_changed(0)
        self._axis_changed(1)
        self._update()
        model.subscribe(self._model_changed)

    def _model_changed(self, change: Change) -> None:
        if isinstance(change, RunStateChanged):
            self._busy[_BLOCKED_BY_RUN] = change.state.active
        elif isinstance(change, JobsChanged):
            self._busy[_BLOCKED_BY_QUEUE] = change.running
        blocked = next((words for words, busy in self._busy.items() if busy), "")
        if blocked != self._blocked:
            self.set_blocked(blocked)

    def _base(self) -> Settings:
        """The window's Settings; SettingsError when a value shown is not allowed."""
        for problem in self.model.problems.values():
            raise problem
        return self.model.settings

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        box = SweepForm(self.where)
        self.axis_boxes, self.value_edits = box.axis_boxes, box.value_edits
        self.cell_size_box, self.iterations_box = box.cell_size_box, box.iterations_box
        self.render_button = box.render_button
        for index, combo in enumerate(self.axis_boxes):
            combo.currentIndexChanged.connect(lambda _i, n=index: self._axis_changed(n))
        for edit in self.value_edits:
            edit.textChanged.connect(self._update)
        self.render_button.clicked.connect(self._render_or_stop)
        layout.addWidget(box)
        self.where_box, self._inputs = box.where_box, box.inputs

        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.progress_label.setToolTip(
            "The cell being rendered, its step and the time left; or why a sweep cannot start."
        )
        layout.addWidget(self.progress_label)

        self.grid = SheetGrid()
        self.grid.selected.connect(self._select)
        scroll = QScrollArea()
        scroll.setWidget(self.grid)
        scroll.setWidgetResizable(True)
        self.scroll = scroll
        layout.addWidget(scroll, 1)

        actions = QHBoxLayout()
        self.selection_label = QLabel("")
        self.selection_label.setToolTip("The cell chosen for a full-size render.")
        self.full_size_button = QPushButton("Render at full size")
        self.full_size_button.setToolTip(
            "Run the selected cell's settings as a normal run, at the window's output size "
            "and iterations (the values the sweep varied are the cell's)."
        )
        self.full_size_button.clicked.connect(self.request_full_size)
        self.open_button = QPushButton("Open sweep folder")
        self.open_button.setToolTip(
            "Show the sweep's folder: each cell's PNG and recipe, contact_sheet.png and sweep.json."
        )
        self.open_button.clicked.connect(self.open_folder)
        actions.addWidget(self.selection_label, 1)
        actions.addWidget(self.open_button)
        actions.addWidget(self.full_size_button)
        layout.addLayout(actions)

    # ------------------------------------------------------------------ axes

    def _current_base(self) -> Settings:
        """The window's settings with the sweep's iterations, or the defaults while the
        window's are not valid (for the prefill)."""
        try:
            base = self._base()
        except SettingsError:
            base = Settings()
        return base.replace(iterations=self.iterations_box.value())

    def _axis_changed(self, index: int) -> None:
        """Prefill the values with ones worth trying around the window's own."""
        name = self.axis_boxes[index].currentData()
        edit = self.value_edits[index]
        edit.setEnabled(bool(name))
        if not name:
            edit.clear()
            edit.setPlaceholderText("nothing varies down: one row")
        else:
            edit.setPlaceholderText("values, separated by commas")
            values = example_values(name, self._current_base())
            edit.setText(", ".join(value_text(v) for v in values))
        self._update()

    def axes(self) -> list[Axis]:
        """The axes as entered; SweepError naming the setting if one is bad."""
        result = []
        for combo, edit in zip(self.axis_boxes, self.value_edits):
            name = combo.currentData()
            if name:
                result.append(make_axis(name, edit.text()))
        return result

    def problem(self) -> str:
        """Why a sweep cannot start now ("" when it can), from the axes alone; the
        window's settings and folder are checked when Render is pressed."""
        if self._blocked:
            return self._blocked
        try:
            axes = self.axes()
        except SweepError as exc:
            return str(exc)
        if len({axis.name for axis in axes}) < len(axes):
            return "The same setting is chosen twice; choose two different ones."
        return ""

    # ------------------------------------------------------------------ running

    @property
    def is_running(self) -> bool:
        return self._thread is not None

    def set_blocked(self, reason: str) -> None:
        """While a normal run or the queue goes on, no sweep can start."""
        self._blocked = reason
        self._update()

    def _render_or_stop(self) -> None:
        if self.is_running:
            self.stop()
        else:
            self.start()

    def build_sweep(self) -> Sweep:
        """The sweep the panel and the window describe; SweepError with one sentence."""
        try:
            base = self._base()
        except SettingsError as exc:
            raise SweepError(f"Fix the run's settings first ({exc}).") from None
        base = base.replace(iterations=self.iterations_box.value())
        return Sweep(base, self.axes(), self.cell_size_box.value())

    def start(self) -> bool:
        """Start a sweep; False (and why, in the progress label) if it cannot."""
        if self.is_running or self.problem():
            return False
        try:
            sweep = self.build_sweep()
            folder = check_output_dir(self.model.folder)
        except NstError as exc:
            self._say(str(exc), error=True)
            return False
        self._sweep, self._run, self._done, self._selected = sweep, None, {}, None
        self.last_error = ""
        content = content_dims(sweep.base.content)
        self.grid.show_sweep(sweep, work_dims(*content, sweep.cell_size))
        worker = SweepWorker(sweep, str(folder), self.where.placement)
        worker.status.connect(self._say)
        worker.ready.connect(self._on_ready)
        worker.progress.connect(self._on_step)
        worker.preview.connect(self._on_preview)
        worker.cell_done.connect(self._on_cell_done)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.refused.connect(self._on_refused)
        self._worker = worker
        self._started = time.perf_counter()
        self._say(f"Starting a sweep of {len(sweep.cells)} cells…")
        self._thread = start_worker(worker, self, self._on_thread_finished)
        self._update()
        self.model.set_sweep_running(True)
        return True

    def stop(self) -> None:
        if self._worker is None:
            return
        self._worker.stop()
        self.render_button.setText("Stopping…")
        self.render_button.setEnabled(False)

    def shutdown(self, timeout_ms: int = 120_000) -> None:
        """Stop a sweep in progress and wait for its thread (on quit; blocks)."""
        stop_and_wait(self._worker, self._thread, timeout_ms)

    # ------------------------------------------------------------------ worker signals

    def _on_ready(self, device: str, weights: str, precision: Any) -> None:
        """Where the cells run, for the status bar (the model's engine)."""
        self.model.update_run(engine=Engine(device, weights, precision))

    def _on_step(self, event: CellStep) -> None:
        assert self._sweep is not None
        p = event.progress
        self.grid.show_step(event.index, f"step {p.step}\nof {p.total}")
        self._say(step_words(self._sweep, event, time.perf_counter() - self._started))

    def _on_preview(self, index: int, array: np.ndarray) -> None:
        if index not in self._done:
            self.grid.set_image(index, array, final=False)

    def _on_cell_done(self, done: CellDone) -> None:
        self._done[done.index] = done
        # On a Ray cluster no step is reported: the cells done are the progress.
        self._say(done_words(len(self._done), done.count, time.perf_counter() - self._started))
        if done.image is None:
            self.grid.set_text(done.index, "failed", f"{cell_words(done.cell)}: {done.error}")
            return
        tip = (
            f"{cell_words(done.cell)}: loss {done.losses['total']:.4g} after {done.steps} "
            f"steps ({done.duration:.1f} s). Click to select it, then Render at full size."
        )
        self.grid.set_image(done.index, done.image, tip)
        if self._selected is None:
            self._select(done.index)

    def _on_finished(self, run: SweepRun) -> None:
        self._run = run
        done = sum(1 for d in self._done.values() if d.image is not None)
        count = len(run.sweep.cells)
        for index in range(count):
            if index not in self._done:
                self.grid.set_text(index, "not run", "Not rendered: the sweep was stopped.")
        what = "Stopped" if run.stopped else "Done"
        self._say(
            f"{what}: {done} of {count} cells in {clock_text(time.perf_counter() - self._started)}"
            f" · contact sheet saved as {run.sheet_path}"
        )
        self.finished.emit(run)

    def _on_failed(self, message: str) -> None:
        self.last_error = message
        self._say(f"The sweep failed: {message}", error=True)
        self.finished.emit(None)

    def _on_refused(self, refusal: NotEnoughMemory) -> None:
        """A cell would not fit in memory: no cell ran (the command line checks the same)."""
        cells = self._sweep.cells if self._sweep is not None else []
        for index in range(len(cells)):
            self.grid.set_text(index, "not run", "Not rendered: too big for the free memory.")
        self.last_error = memory_words(refusal)
        self._say(self.last_error, error=True)
        self.finished.emit(None)

    def _on_thread_finished(self) -> None:
        thread = self._thread
        self._thread = None
        self._worker = None
        if thread is not None:
            thread.deleteLater()
        self._update()
        self.model.set_sweep_running(False)

    # ------------------------------------------------------------------ cells

    def _select(self, index: int) -> None:
        self._selected = index
        button = self.grid.buttons[index]
        button.setChecked(True)
        if self._sweep is not None:
            self.selection_label.setText(f"Selected: {cell_words(self._sweep.cells[index])}")
        self._update()

    def selected_cell(self) -> Cell | None:
        if self._sweep is None or self._selected is None or self._selected not in self._done:
            return None
        if self._done[self._selected].image is None:
            return None
        return self._sweep.cells[self._selected]

    def full_size_settings(self) -> Settings | None:
        """The selected cell's settings at the window's size and iterations."""
        cell = self.selected_cell()
        if cell is None or self._sweep is None:
            return None
        try:
            target = self._base()
        except SettingsError:
            target = self._sweep.base  # the window's values are mid-edit: the sweep's own
        return self._sweep.full_size(cell, target)

    def request_full_size(self) -> None:
        settings = self.full_size_settings()
        if settings is not None:
            self.full_size_requested.emit(settings)

    def open_folder(self) -> None:
        if self._run is not None and self._run.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._run.folder)))

    # ------------------------------------------------------------------ state

    def _say(self, text: str, error: bool = False) -> None:
        """The sweep's own words: kept, and shown again when a problem goes."""
        self._report = (text, error)
        self._show(text, error)

    def _show(self, text: str, error: bool = False) -> None:
        self._showing_problem = False
        self.progress_label.setText(text)
        self.progress_label.setStyleSheet("color: #b3261e;" if error else "")

    def _update(self) -> None:
        running = self.is_running
        problem = "" if running else self.problem()
        self.render_button.setText("Stop" if running else "Render sweep")
        self.render_button.setEnabled(running or not problem)
        for widget in self._inputs:
            widget.setEnabled(not running)
        # The queue runs where it started too: the choice (shared) waits for it.
        self.where_box.setEnabled(not running and not self._busy[_BLOCKED_BY_QUEUE])
        if not running and self.axis_boxes[1].currentData() == NOTHING:
            self.value_edits[1].setEnabled(False)
        if problem:
            self._show(problem, error=True)
            self._showing_problem = True
        elif self._showing_problem:
            self._show(*self._report)  # the problem is gone: the sweep's words again
        busy = running or bool(self._blocked)
        self.full_size_button.setEnabled(not busy and self.selected_cell() is not None)
        self.open_button.setEnabled(self._run is not None)

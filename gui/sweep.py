"""The Sweep tab: render a grid of small runs that differ in one or two settings.

The panel builds an nst.sweep.sweep.Sweep from the window's current settings (the base) and
one or two axes, runs it on a QThread (SweepWorker, the pattern of gui/worker.py:
TensorFlow is imported on that thread, never on the GUI thread; ``stop`` is a
thread-safe flag) and fills a grid of thumbnails as each cell finishes, with the values
on the row and column headers. A selected cell can be rendered at full size: the panel
emits ``full_size_requested`` with the cell's settings at the window's size, and the
window runs them as a normal run. The engine writes the files (nst/sweep.py).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PyQt5.QtCore import QObject, QSize, Qt, QThread, QUrl, pyqtSignal, pyqtSlot
from PyQt5.QtGui import QDesktopServices, QIcon, QPixmap
from PyQt5.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.widgets import int_box, numpy_to_qimage
from gui.worker import PREVIEW_INTERVAL_S, _weights_for, model_loaded, unexpected_error_message
from nst.errors import NstError
from nst.imaging import images
from nst.settings import MAX_ITERATIONS, MIN_SIZE, Settings, SettingsError
from nst.sweep.sweep import (
    CELL_SIZE,
    SWEEP_ITERATIONS,
    Axis,
    Cell,
    CellDone,
    CellStep,
    Sweep,
    SweepError,
    axis_label,
    example_values,
    make_axis,
    scaled_dims,
    sweepable_names,
    value_text,
)

log = logging.getLogger(__name__)

# The largest cell the panel offers: a sweep is a quick comparison; a chosen cell is then
# rendered at full size. 512 px cells already cost a full default run each.
MAX_CELL_SIZE = 512
# Thumbnails are shown with their longest side in this range whatever the cell size: a
# 32 px cell would be a speck, a 512 px one would push the grid off the screen.
THUMB_MIN, THUMB_MAX = 128, 256
# The chosen cell must stand out at a glance: the style's default "checked" look is a
# slightly darker grey.
CELL_STYLE = "QToolButton:checked { border: 3px solid palette(highlight); }"
NOTHING = ""  # the second axis's "(nothing)" entry

_BLOCKED_BY_RUN = "A run is in progress; a sweep can start when it ends."


class SweepWorker(QObject):
    """Drives one nst.sweep.sweep.SweepRun on a QThread and reports by signals."""

    status = pyqtSignal(str)  # what it is doing, in words
    ready = pyqtSignal(str, str)  # device, weights description; once prepared
    step = pyqtSignal(object)  # CellStep, its progress without the image
    preview = pyqtSignal(int, object)  # cell index, the cell's current image (uint8)
    cell_done = pyqtSignal(object)  # CellDone
    finished = pyqtSignal(object)  # the SweepRun: folder, sheet_path, stopped
    failed = pyqtSignal(str)  # one sentence

    def __init__(self, sweep: Sweep, output_folder: str) -> None:
        super().__init__()
        self.sweep = sweep
        self.output_folder = output_folder
        self._lock = threading.Lock()
        self._stop_requested = False
        self._run: Any = None

    def stop(self) -> None:
        """Stop after the step in progress; safe from any thread (see gui/worker.py)."""
        with self._lock:
            self._stop_requested = True
            run = self._run
        if run is not None:
            run.stop()

    @pyqtSlot()
    def run(self) -> None:
        """The whole sweep; ends with exactly one of ``finished`` or ``failed``."""
        try:
            result = self._sweep()
        except NstError as exc:
            log.info("sweep failed: %s", exc)
            self.failed.emit(str(exc))
        except MemoryError:
            log.exception("out of memory")
            self.failed.emit("The sweep ran out of memory; choose a smaller cell size.")
        except Exception as exc:
            log.exception("unexpected error in the sweep")
            self.failed.emit(unexpected_error_message(exc).replace("The run", "The sweep"))
        else:
            self.finished.emit(result)
        finally:
            with self._lock:
                self._run = None

    def _sweep(self) -> Any:
        if not model_loaded():
            self.status.emit("Loading the model…")
        # The heavy imports, on this thread: TensorFlow takes seconds to load.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from nst.sweep.sweep import SweepRun

        weights = _weights_for(self.sweep.base.weights)
        run = SweepRun(self.sweep, self.output_folder, weights=weights)
        with self._lock:
            self._run = run
            if self._stop_requested:
                run.stop()
        self.status.emit("Preparing the images…")
        run.prepare()
        from nst.run.session import device_description

        self.ready.emit(device_description(), run.weights.describe())
        last_preview = 0.0
        for event in run.events():
            if isinstance(event, CellDone):
                self.cell_done.emit(event)
                continue
            image = event.progress.image
            now = time.perf_counter()
            if image is not None and now - last_preview >= PREVIEW_INTERVAL_S:
                last_preview = now
                self.preview.emit(event.index, image)
            self.step.emit(_without_image(event))
        return run


def _without_image(event: CellStep) -> CellStep:
    return dataclasses.replace(event, progress=dataclasses.replace(event.progress, image=None))


def name_label(name: str) -> str:
    """How the axis combo lists a name: 'Style weight', 'Style weight of conv3_1'."""
    text = axis_label(name)
    return text[:1].upper() + text[1:]


class SheetGrid(QWidget):
    """The contact sheet as it fills: headers with the values, a thumbnail button per cell."""

    selected = pyqtSignal(int)  # cell index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setSpacing(6)
        self.grid.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QToolButton] = []
        self.headers: list[QLabel] = []
        self.thumb = QSize(THUMB_MAX, THUMB_MAX)
        self.placeholder = QLabel(
            "The sweep's cells appear here as they finish, labelled with their values.\n"
            "Choose what to vary above and press Render sweep."
        )
        self.placeholder.setAlignment(Qt.AlignCenter)
        self.placeholder.setEnabled(False)  # drawn muted: a hint, not content
        self.grid.addWidget(self.placeholder, 0, 0)

    def clear(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget()
            if widget is not None and widget is not self.placeholder:
                widget.deleteLater()
        for button in self.buttons:
            self.group.removeButton(button)
        self.buttons, self.headers = [], []
        self.placeholder.hide()

    def show_sweep(self, sweep: Sweep, cell_dims: tuple[int, int]) -> None:
        """Headers and an empty button per cell: across on top, down on the left."""
        self.clear()
        longest = min(THUMB_MAX, max(THUMB_MIN, sweep.cell_size))
        self.thumb = QSize(*scaled_dims(*cell_dims, longest))
        across = sweep.axes[0]
        self.grid.addWidget(self._header(across.label, axis=True), 0, 1, 1, sweep.columns)
        for column, text in enumerate(across.texts()):
            self.grid.addWidget(self._header(text, tip=f"{across.label} = {text}"), 1, column + 1)
        if len(sweep.axes) > 1:
            down = sweep.axes[1]
            self.grid.addWidget(self._header(down.label, axis=True), 1, 0)
            for row, text in enumerate(down.texts()):
                self.grid.addWidget(self._header(text, tip=f"{down.label} = {text}"), row + 2, 0)
        for index, cell in enumerate(sweep.cells):
            button = self._cell_button(cell)
            button.clicked.connect(lambda _checked, i=index: self.selected.emit(i))
            self.group.addButton(button, index)
            self.buttons.append(button)
            self.grid.addWidget(button, cell.row + 2, cell.column + 1)

    def _header(self, text: str, *, axis: bool = False, tip: str = "") -> QLabel:
        label = QLabel(text)
        label.setAlignment(Qt.AlignCenter if not axis else Qt.AlignLeft | Qt.AlignVCenter)
        if axis:
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            label.setToolTip("The setting the sweep varies in this direction.")
        else:
            label.setToolTip(tip)
        self.headers.append(label)
        return label

    def _cell_button(self, cell: Cell) -> QToolButton:
        button = QToolButton()
        button.setCheckable(True)
        button.setStyleSheet(CELL_STYLE)
        button.setIconSize(self.thumb)
        button.setFixedSize(self.thumb + QSize(10, 10))
        button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        button.setText("waiting")
        button.setEnabled(False)
        button.setToolTip(f"{cell.describe()}: not rendered yet.")
        return button

    def show_step(self, index: int, text: str) -> None:
        """The step of a cell in progress, until its first live image replaces it."""
        if self.buttons[index].icon().isNull():
            self.buttons[index].setText(text)

    def set_text(self, index: int, text: str, tip: str = "") -> None:
        button = self.buttons[index]
        button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        button.setText(text)
        if tip:
            button.setToolTip(tip)

    def set_image(self, index: int, array: np.ndarray, tip: str = "", final: bool = True) -> None:
        button = self.buttons[index]
        pixmap = QPixmap.fromImage(numpy_to_qimage(array)).scaled(
            self.thumb, Qt.KeepAspectRatio, Qt.SmoothTransformation
        )
        button.setIcon(QIcon(pixmap))
        button.setToolButtonStyle(Qt.ToolButtonIconOnly)
        button.setEnabled(final)
        if tip:
            button.setToolTip(tip)


class SweepPanel(QWidget):
    """Axes, cell size and iterations, Render/Stop, progress, and the grid of cells."""

    full_size_requested = pyqtSignal(object)  # Settings of the chosen cell at full size
    running_changed = pyqtSignal(bool)
    ready = pyqtSignal(str, str)  # device, weights: for the window's status bar
    finished = pyqtSignal(object)  # the SweepRun, or None when it failed

    def __init__(
        self,
        base_settings: Callable[[], Settings],
        output_folder: Callable[[], str],
        parent: QWidget | None = None,
    ) -> None:
        """``base_settings`` returns the window's current Settings (may raise
        SettingsError); ``output_folder`` the folder sweeps go into."""
        super().__init__(parent)
        self._base = base_settings
        self._output_folder = output_folder
        self._thread: QThread | None = None
        self._worker: SweepWorker | None = None
        self._sweep: Sweep | None = None
        self._run: Any = None
        self._done: dict[int, CellDone] = {}
        self._selected: int | None = None
        self._blocked = ""
        self._started = 0.0
        self.last_error = ""
        self._showing_problem = False
        self._build()
        self.axis_boxes[0].setCurrentIndex(self.axis_boxes[0].findData("style_weight"))
        self._axis_changed(0)
        self._axis_changed(1)
        self._update()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        box = QGroupBox("Vary one or two settings")
        form = QGridLayout(box)
        self.axis_boxes: list[QComboBox] = []
        self.value_edits: list[QLineEdit] = []
        for index, title in enumerate(("Across:", "Down:")):
            combo = self._names_combo(optional=index == 1)
            edit = QLineEdit()
            edit.setToolTip(
                "The values to try, separated by commas. Numbers for weights and rates; "
                "names for the optimizer, start image and layer sets; 'default' for the "
                "optimizer's own learning rate."
            )
            combo.currentIndexChanged.connect(lambda _i, n=index: self._axis_changed(n))
            edit.textChanged.connect(self._update)
            form.addWidget(QLabel(title), index, 0)
            form.addWidget(combo, index, 1)
            form.addWidget(edit, index, 2)
            self.axis_boxes.append(combo)
            self.value_edits.append(edit)
        form.setColumnStretch(2, 1)

        row = QHBoxLayout()
        self.cell_size_box = int_box(
            MIN_SIZE, MAX_CELL_SIZE, CELL_SIZE,
            "Longest side of each cell in pixels. Small cells render fast; render the one "
            "you like at full size afterwards.",
        )  # fmt: skip
        self.cell_size_box.setSuffix(" px")
        self.iterations_box = int_box(
            1, MAX_ITERATIONS, SWEEP_ITERATIONS,
            "Optimizer steps for each cell (unless the sweep varies the iterations).",
        )  # fmt: skip
        self.render_button = QPushButton("Render sweep")
        self.render_button.setToolTip(
            "Render every cell with the window's settings and the values above; while it "
            "renders, stop it (the cells finished so far are kept)."
        )
        self.render_button.clicked.connect(self._render_or_stop)
        row.addWidget(QLabel("Cell size:"))
        row.addWidget(self.cell_size_box)
        row.addSpacing(12)
        row.addWidget(QLabel("Iterations:"))
        row.addWidget(self.iterations_box)
        row.addStretch(1)
        row.addWidget(self.render_button)
        form.addLayout(row, 2, 0, 1, 3)
        layout.addWidget(box)

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

    def _names_combo(self, *, optional: bool) -> QComboBox:
        combo = QComboBox()
        combo.setToolTip(
            "The setting to vary: a loss weight, the style : content ratio, the optimizer "
            "or its learning rate, a set of style layers, one layer's weight, ..."
        )
        if optional:
            combo.addItem("(nothing)", NOTHING)
        previous_group = ""
        for name in sweepable_names():
            group = name.split(".")[0] if "." in name else "settings"
            if previous_group and group != previous_group:
                combo.insertSeparator(combo.count())
            previous_group = group
            combo.addItem(name_label(name), name)
        combo.setMaxVisibleItems(20)
        return combo

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
        """Called by the window: while a normal run goes on, no sweep can start."""
        self._blocked = reason
        self._update()

    def block_for_run(self, running: bool) -> None:
        self.set_blocked(_BLOCKED_BY_RUN if running else "")

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
            folder = images.check_output_dir(self._output_folder())
        except NstError as exc:
            self._say(str(exc), error=True)
            return False
        self._sweep, self._run, self._done, self._selected = sweep, None, {}, None
        self.last_error = ""
        content = _content_dims(sweep.base.content)
        self.grid.show_sweep(sweep, scaled_dims(*content, sweep.cell_size))
        thread = QThread(self)
        worker = SweepWorker(sweep, str(folder))
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.status.connect(self._say)
        worker.ready.connect(self.ready)
        worker.step.connect(self._on_step)
        worker.preview.connect(self._on_preview)
        worker.cell_done.connect(self._on_cell_done)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(thread.quit)
        worker.failed.connect(thread.quit)
        thread.finished.connect(worker.deleteLater, Qt.DirectConnection)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        self._started = time.perf_counter()
        self._say(f"Starting a sweep of {len(sweep.cells)} cells…")
        self._update()
        self.running_changed.emit(True)
        thread.start()
        return True

    def stop(self) -> None:
        if self._worker is None:
            return
        self._worker.stop()
        self.render_button.setText("Stopping…")
        self.render_button.setEnabled(False)

    def shutdown(self, timeout_ms: int = 120_000) -> None:
        """Stop a sweep in progress and wait for its thread (on quit; blocks)."""
        if self._thread is None:
            return
        if self._worker is not None:
            self._worker.stop()
        thread = self._thread
        thread.quit()
        if not thread.wait(timeout_ms):
            log.error("the sweep did not stop within %d s", timeout_ms // 1000)

    # ------------------------------------------------------------------ worker signals

    def _on_step(self, event: CellStep) -> None:
        assert self._sweep is not None
        p = event.progress
        cell = event.cell
        self.grid.show_step(event.index, f"step {p.step}\nof {p.total}")
        done_steps = sum(c.settings.iterations for c in self._sweep.cells[: event.index])
        total_steps = sum(c.settings.iterations for c in self._sweep.cells)
        steps = done_steps + p.step
        elapsed = time.perf_counter() - self._started
        left = elapsed / steps * (total_steps - steps) if steps else 0.0
        self._say(
            f"Cell {event.index + 1} of {event.count} ({cell.describe()}) · step {p.step} of "
            f"{p.total} · {_clock(left)} left"
        )

    def _on_preview(self, index: int, array: np.ndarray) -> None:
        if index not in self._done:
            self.grid.set_image(index, array, final=False)

    def _on_cell_done(self, done: CellDone) -> None:
        self._done[done.index] = done
        if done.image is None:
            self.grid.set_text(done.index, "failed", f"{done.cell.describe()}: {done.error}")
            return
        tip = (
            f"{done.cell.describe()}: loss {done.losses['total']:.4g} after {done.steps} "
            f"steps ({done.duration:.1f} s). Click to select it, then Render at full size."
        )
        self.grid.set_image(done.index, done.image, tip)
        if self._selected is None:
            self._select(done.index)

    def _on_finished(self, run: Any) -> None:
        self._run = run
        done = sum(1 for d in self._done.values() if d.image is not None)
        count = len(run.sweep.cells)
        for index in range(count):
            if index not in self._done:
                self.grid.set_text(index, "not run", "Not rendered: the sweep was stopped.")
        what = "Stopped" if run.stopped else "Done"
        self._say(
            f"{what}: {done} of {count} cells in {_clock(time.perf_counter() - self._started)}"
            f" · contact sheet saved as {run.sheet_path}"
        )
        self.finished.emit(run)

    def _on_failed(self, message: str) -> None:
        self.last_error = message
        self._say(f"The sweep failed: {message}", error=True)
        self.finished.emit(None)

    def _on_thread_finished(self) -> None:
        thread = self._thread
        self._thread = None
        self._worker = None
        if thread is not None:
            thread.deleteLater()
        self._update()
        self.running_changed.emit(False)

    # ------------------------------------------------------------------ cells

    def _select(self, index: int) -> None:
        self._selected = index
        button = self.grid.buttons[index]
        button.setChecked(True)
        if self._sweep is not None:
            self.selection_label.setText(f"Selected: {self._sweep.cells[index].describe()}")
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
        self._showing_problem = False
        self.progress_label.setText(text)
        self.progress_label.setStyleSheet("color: #b3261e;" if error else "")

    def _update(self) -> None:
        running = self.is_running
        problem = "" if running else self.problem()
        self.render_button.setText("Stop" if running else "Render sweep")
        self.render_button.setEnabled(running or not problem)
        for widget in (
            self.axis_boxes + self.value_edits + [self.cell_size_box, self.iterations_box]
        ):
            widget.setEnabled(not running)
        if not running and self.axis_boxes[1].currentData() == NOTHING:
            self.value_edits[1].setEnabled(False)
        if problem:
            self._say(problem, error=True)
            self._showing_problem = True
        elif self._showing_problem:
            self._say("")  # the problem is fixed
        busy = running or bool(self._blocked)
        self.full_size_button.setEnabled(not busy and self.selected_cell() is not None)
        self.open_button.setEnabled(self._run is not None)


def _content_dims(path: str) -> tuple[int, int]:
    """The content image's (width, height), upright, from its header (no decoding)."""
    from PIL import ExifTags, Image

    try:
        with Image.open(path) as im:
            width, height = im.size
            orientation = im.getexif().get(ExifTags.Base.Orientation, 1)
    except (OSError, ValueError):
        return CELL_SIZE, CELL_SIZE  # the worker will say what is wrong with the file
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"

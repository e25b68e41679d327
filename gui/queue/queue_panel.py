"""The Queue tab: a view of the queue's model (gui/model/queue.py).

A table lists the jobs in order: position, the result's thumbnail once done, the photo
and style, the state, the time and what became of the job (its step while it runs, its
file, or why it failed). The buttons act on the selected job through the model and are
enabled only where they apply; Run all and Stop are asked of the window (``run_requested``,
``stop_requested``), which owns the controller that runs the jobs.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from PyQt5.QtCore import QSize, Qt, pyqtSignal
from PyQt5.QtGui import QBrush, QColor, QIcon, QPalette, QPixmap
from PyQt5.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.history.thumbnails import request_thumbnail, thumbnail_signals
from gui.model import Change, JobsChanged, JobStep, QueueModel, RunStateChanged, SweepChanged
from gui.model.where_runs import WhereRuns
from gui.queue import words
from gui.widgets.image_view import numpy_to_qimage
from gui.widgets.where_runs import WhereRunsBox
from nst.batch.store import DONE, FAILED, STOPPED, Job

COLUMNS = ("#", "Result", "Photo", "Style", "State", "Time", "Details")
RESULT, STATE, DETAILS = 1, 4, 6
FAILED_COLOUR = QColor("#b3261e")  # the window's colour for what went wrong (Run's problem line)
ICON = 64  # the thumbnail's longest side in the table


class QueuePanel(QWidget):
    run_requested = pyqtSignal()
    stop_requested = pyqtSignal()
    add_folder_requested = pyqtSignal()

    def __init__(
        self, queue: QueueModel, where: WhereRuns | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.queue = queue
        self.where = where if where is not None else WhereRuns()  # shared with the Sweep tab
        self._steps: dict[int, tuple[int, int]] = {}  # the running job's last step
        self._icons: dict[str, QIcon] = {}  # result path -> thumbnail
        self._queued: set[str] = set()
        thumbnail_signals().done.connect(self._on_thumbnail)
        self._build()
        queue.model.subscribe(self._changed)
        self.where.subscribe(self._where_changed)
        self._fill()

    def _build(self) -> None:
        table = QTableWidget(0, len(COLUMNS))
        table.setHorizontalHeaderLabels(COLUMNS)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.SingleSelection)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setIconSize(QSize(ICON, ICON))
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(ICON + 8)
        header = table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(DETAILS, QHeaderView.Stretch)
        table.setWordWrap(False)
        table.setCornerButtonEnabled(False)  # one job at a time is selected
        for corner in table.findChildren(QAbstractButton):  # Qt's corner button, unused
            corner.setToolTip("The queue's jobs, in the order they run.")
        table.itemSelectionChanged.connect(self._update_buttons)
        self.table = table

        self.up_button = self._button("Move up", "Run the selected job earlier.", -1)
        self.down_button = self._button("Move down", "Run the selected job later.", 1)
        self.remove_button = self._button(
            "Remove", "Take the selected job off the queue (its saved result stays).", None
        )
        self.remove_button.clicked.connect(lambda: self._act(self.queue.remove))
        self.retry_button = self._button(
            "Retry", "Run the selected job again; a new result is saved beside the old.", None
        )
        self.retry_button.clicked.connect(lambda: self._act(self.queue.retry))
        self.folder_button = QPushButton("Add a folder…")
        self.folder_button.setToolTip(
            "Add one job per photo in a folder, with the current styles and settings."
        )
        self.folder_button.clicked.connect(self.add_folder_requested)
        self.run_button = QPushButton("Run all")
        self.run_button.clicked.connect(self._run_or_stop)
        self.summary = QLabel()
        self.summary.setWordWrap(True)  # its width is the list's, not the tab's minimum
        self.where_box = WhereRunsBox(self.where)
        self.problem_label = QLabel()  # why the queue could not start on a Ray cluster
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(f"color: {FAILED_COLOUR.name()};")
        self.problem_label.setVisible(False)

        # Two rows, so that the tab is no wider than the Sweep tab: the whole queue's
        # buttons above the list, the selected job's below it.
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.folder_button)
        top.addWidget(self.run_button)
        buttons = QHBoxLayout()
        for button in (self.up_button, self.down_button, self.remove_button, self.retry_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.where_box)
        layout.addWidget(self.problem_label)
        layout.addLayout(top)
        layout.addWidget(table, 1)
        layout.addLayout(buttons)

    def _button(self, text: str, tip: str, by: int | None) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        if by is not None:
            button.clicked.connect(lambda: self._act(lambda job_id: self.queue.move(job_id, by)))
        return button

    # ------------------------------------------------------------------ the model

    def _changed(self, change: Change) -> None:
        if isinstance(change, JobsChanged):
            self._fill()
        elif isinstance(change, JobStep):
            self._steps = {change.job_id: (change.step, change.total)}
            row = self._row_of(change.job_id)
            job = self.queue.job(change.job_id)
            if row is not None and job is not None:
                self._cell(row, DETAILS, words.details(job, self._steps[job.id]))
        elif isinstance(change, (RunStateChanged, SweepChanged)):
            self._update_buttons()

    def _fill(self) -> None:
        selected = self.selected_id()
        jobs = self.queue.jobs
        self.table.setRowCount(len(jobs))
        for row, job in enumerate(jobs):
            self._show(row, job)
        if selected is not None:
            self.select(selected)
        self._summarize(jobs)
        self._update_buttons()

    def _show(self, row: int, job: Job) -> None:
        texts = (
            str(row + 1),
            "",
            words.photo_name(job),
            words.style_name(job),
            words.STATE_WORDS.get(job.state, job.state),
            words.time_text(job),
            words.details(job, self._steps.get(job.id), self.where.placement.ray),
        )
        tip = words.tip(job)
        for column, text in enumerate(texts):
            item = self._cell(row, column, text)
            item.setToolTip(tip)
            item.setData(Qt.UserRole, job.id)
        self.table.item(row, RESULT).setIcon(self._icon(job))
        colour = FAILED_COLOUR if job.state == FAILED else self.palette().color(QPalette.Text)
        for column in (STATE, DETAILS):
            self.table.item(row, column).setForeground(QBrush(colour))

    def _cell(self, row: int, column: int, text: str) -> QTableWidgetItem:
        item = self.table.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            self.table.setItem(row, column, item)
        item.setText(text)
        return item

    def _summarize(self, jobs: tuple[Job, ...]) -> None:
        counts: dict[str, int] = {}
        for job in jobs:
            counts[job.state] = counts.get(job.state, 0) + 1
        parts = [f"{n} {words.STATE_WORDS.get(s, s)}" for s, n in counts.items()]
        self.summary.setText(" · ".join(parts) if parts else words.NOTHING_TIP)

    # ------------------------------------------------------------------ selection, buttons

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return None if item is None else item.data(Qt.UserRole)

    def select(self, job_id: int) -> None:
        row = self._row_of(job_id)
        if row is not None:
            self.table.selectRow(row)

    def _row_of(self, job_id: int) -> int | None:
        return next((i for i, j in enumerate(self.queue.jobs) if j.id == job_id), None)

    def _act(self, action: Callable[[int], object]) -> None:
        job_id = self.selected_id()
        if job_id is not None:
            action(job_id)

    def _update_buttons(self) -> None:
        queue, job_id = self.queue, self.selected_id()
        chosen = job_id is not None
        self.up_button.setEnabled(chosen and queue.can_move(job_id, -1))
        self.down_button.setEnabled(chosen and queue.can_move(job_id, 1))
        self.remove_button.setEnabled(chosen and queue.can_remove(job_id))
        self.retry_button.setEnabled(chosen and queue.can_retry(job_id))
        model = queue.model
        # The queue and a sweep run where they started: the choice waits for both.
        self.where_box.setEnabled(not queue.running and not model.sweep_running)
        ray = self.where.placement.ray
        if queue.running:
            self.run_button.setText("Stopping…" if queue.stopping else "Stop")
            self.run_button.setEnabled(not queue.stopping)
            self.run_button.setToolTip(words.RAY_STOP_TIP if ray else words.STOP_TIP)
            return
        busy = model.run_state.active or model.sweep_running
        self.run_button.setText("Run all")
        self.run_button.setEnabled(bool(queue.waiting()) and not busy)
        tip = words.BUSY_TIP if busy else words.RAY_RUN_ALL_TIP if ray else words.RUN_ALL_TIP
        self.run_button.setToolTip(tip if queue.waiting() else words.NOTHING_TIP)

    def _where_changed(self, _placement: object) -> None:
        self.show_problem("")  # it was about the cluster chosen before
        self._fill()  # the tips and the running rows' words

    def show_problem(self, text: str) -> None:
        """One sentence why the queue did not run ("": none)."""
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))

    def _run_or_stop(self) -> None:
        if self.queue.running:
            self.stop_requested.emit()
        else:
            self.run_requested.emit()

    # ------------------------------------------------------------------ thumbnails

    def _icon(self, job: Job) -> QIcon:
        if job.state not in (DONE, STOPPED) or not job.files:
            return QIcon()
        path = os.path.join(job.folder, job.files[0])
        if path in self._icons:
            return self._icons[path]
        if path not in self._queued and os.path.isfile(path):
            self._queued.add(path)
            request_thumbnail(path, 0.0)
        return QIcon()

    def _on_thumbnail(self, path: str, _modified: float, array: np.ndarray | None) -> None:
        if path not in self._queued:
            return  # another panel's
        self._queued.discard(path)
        if array is None:
            return
        self._icons[path] = QIcon(QPixmap.fromImage(numpy_to_qimage(array)))
        for row, job in enumerate(self.queue.jobs):
            if job.files and os.path.join(job.folder, job.files[0]) == path:
                self.table.item(row, RESULT).setIcon(self._icons[path])

    def thumbnails_pending(self) -> int:
        return len(self._queued)

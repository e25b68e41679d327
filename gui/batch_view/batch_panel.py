"""The Batch tab: a view of a watched batch (gui/model/batch_watch.py), read again each
second while the command line runs it.

Above: the batch's name, how far it is (done, failed, left, the time to go) with a bar,
and its buttons. Below: its items in order (photo, style, state, time, what became of
each: its file or why it failed) beside its contact sheet, redrawn when the command line
rewrites it. Double-clicking an item with a result opens the image. A look reads a few
rows of SQLite on this thread and never waits on the writer (the store is read-only with
a short lock timeout), so the window stays responsive.
"""

from __future__ import annotations

from PyQt5.QtCore import Qt, QTimer, QUrl, pyqtSignal
from PyQt5.QtGui import QBrush, QColor, QDesktopServices, QImage, QPalette
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.batch_view import words
from gui.model.batch_watch import BatchWatch
from gui.queue.words import STATE_WORDS, photo_name, style_name
from gui.widgets.image_view import ImageView
from nst.batch.store import FAILED, RUNNING, Job

COLUMNS = ("#", "Photo", "Style", "State", "Time", "Details")
STATE, TIME, DETAILS = 3, 4, 5
FAILED_COLOUR = QColor("#b3261e")  # the window's colour for what went wrong (Run's problem line)
POLL_MS = 1000  # a look each second: an item takes seconds to minutes


class BatchPanel(QWidget):
    close_requested = pyqtSignal()

    def __init__(self, watch: BatchWatch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.watch = watch
        self.looks = 0  # how many times the store was read (for tests)
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.look)
        self.look()
        self.timer.start()

    def _build(self) -> None:
        self.title = QLabel(f"<b>{self.watch.name}</b>")
        self.title.setToolTip(str(self.watch.folder))
        self.summary = QLabel()
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip(words.OPEN_TIP)
        self.open_button.clicked.connect(self.open_folder)
        self.stop_button = QPushButton("Stop watching")
        self.stop_button.setToolTip(words.STOP_TIP)
        self.stop_button.clicked.connect(self.close_requested)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.summary, 1)
        top.addWidget(self.open_button)
        top.addWidget(self.stop_button)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.note = QLabel()
        self.note.setWordWrap(True)

        table = QTableWidget(0, len(COLUMNS))
        table.setHorizontalHeaderLabels(COLUMNS)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.SingleSelection)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(DETAILS, QHeaderView.Stretch)
        table.cellDoubleClicked.connect(self._open_result)
        table.itemSelectionChanged.connect(self._show_selected)
        self.table = table
        # The selected item whole: a failure's reason is longer than its cell.
        self.item_line = QLabel()
        self.item_line.setWordWrap(True)
        self.item_line.setTextInteractionFlags(Qt.TextSelectableByMouse)
        items = QWidget()
        column = QVBoxLayout(items)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(table, 1)
        column.addWidget(self.item_line)
        self.sheet = ImageView(words.NO_SHEET)
        self.sheet.setToolTip(words.SHEET_TIP)
        splitter = QSplitter(Qt.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(items)
        splitter.addWidget(self.sheet)
        splitter.setSizes([600, 400])  # the list's text needs more room than the sheet

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.note)

    # ------------------------------------------------------------------ looking

    def look(self) -> None:
        """Read the batch again and redraw what changed."""
        self.looks += 1
        seen = self.watch.refresh()
        if seen.items:
            self._fill()
        else:
            self._tick()  # a running item's time goes on
        if seen.sheet:
            self._show_sheet()
        self._describe(seen.unreadable)

    def stop(self) -> None:
        """No more looks; the store is closed (the batch itself goes on)."""
        self.timer.stop()
        self.watch.close()

    def _fill(self) -> None:
        jobs = self.watch.jobs
        self._rows(len(jobs))
        for row, job in enumerate(jobs):
            self._show(row, job)
        counts = self.watch.counts()
        self.progress.setRange(0, max(1, counts.total))
        self.progress.setValue(counts.done + counts.failed)
        self.progress.setFormat(words.progress_format(counts))
        self._show_selected()

    def _show(self, row: int, job: Job) -> None:
        texts = (
            str(job.position + 1),
            photo_name(job),
            style_name(job),
            STATE_WORDS.get(job.state, job.state),
            words.item_time(job, self.watch.running_for(job)),
            words.details(job),
        )
        tip = "\n".join(t for t in (words.details(job), job.content, job.style) if t)
        for column, text in enumerate(texts):
            self._cell(row, column, text).setToolTip(tip)
        colour = FAILED_COLOUR if job.state == FAILED else self.palette().color(QPalette.Text)
        for column in (STATE, DETAILS):
            self.table.item(row, column).setForeground(QBrush(colour))
        font = self.table.item(row, 0).font()
        font.setBold(job.state == RUNNING)  # the item in progress stands out
        for column in range(len(COLUMNS)):
            self.table.item(row, column).setFont(font)

    def _show_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        jobs = self.watch.jobs
        job = jobs[rows[0].row()] if rows and rows[0].row() < len(jobs) else None
        self.item_line.setText(words.item_line(job) if job is not None else words.NO_ITEM)
        colour = FAILED_COLOUR if job is not None and job.state == FAILED else None
        self.item_line.setStyleSheet(f"color: {colour.name()};" if colour else "")

    def _tick(self) -> None:
        for row, job in enumerate(self.watch.jobs):
            if job.state == RUNNING:
                self._cell(row, TIME, words.item_time(job, self.watch.running_for(job)))

    def _cell(self, row: int, column: int, text: str) -> QTableWidgetItem:
        item = self.table.item(row, column)
        item.setText(text)
        return item

    def _rows(self, count: int) -> None:
        """``count`` rows, their cells made once (a look only sets their texts)."""
        before = self.table.rowCount()
        self.table.setRowCount(count)
        for row in range(before, count):
            for column in range(len(COLUMNS)):
                self.table.setItem(row, column, QTableWidgetItem())

    def _show_sheet(self) -> None:
        image = QImage(str(self.watch.sheet_path))
        if not image.isNull():  # a sheet being replaced right now: the next look has it
            self.sheet.set_image(image, "Contact sheet")

    def _describe(self, unreadable: str) -> None:
        counts = self.watch.counts()
        self.summary.setText(words.summary(counts, self.watch.eta()))
        running = self.watch.running_lately()
        ended = self.watch.runner_ended()
        note = words.how_it_runs(counts, running and not ended, self.watch.folder, ended)
        self.note.setText(words.unreadable_note(unreadable) if unreadable else note)

    # ------------------------------------------------------------------ opening

    def open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.watch.folder)))

    def _open_result(self, row: int, _column: int) -> None:
        jobs = self.watch.jobs
        path = self.watch.result_path(jobs[row]) if row < len(jobs) else None
        if path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

"""What the window gets for its queue: the queue's model on its store file, the controller
that runs the jobs, the Queue tab, the Add to queue button (beside Run) and the folder
chooser, and where the queue and sweeps run (``where``, which the Sweep tab shares). The
window places the tab and the button and connects the rest.

The store is a file in the app's data folder (AppSettings.queue_path); when it cannot be
opened the queue is kept in memory for this session and the status bar says so.
"""

from __future__ import annotations

import logging
from typing import Protocol

from PyQt5.QtCore import QObject
from PyQt5.QtWidgets import QAction, QFileDialog, QPushButton, QWidget

from gui.app_settings import AppSettings
from gui.model import Change, JobStep, QueueModel, RunStateChanged, WindowModel
from gui.model.where_runs import WhereRuns
from gui.queue import words
from gui.queue.queue_panel import QueuePanel
from gui.workers.queue_control import QueueController
from nst.batch.store import StoreError

log = logging.getLogger(__name__)

ADD_TIP = "Keep these settings as a job in the queue, to run after the others (Ctrl+Shift+Enter)."
IN_MEMORY = ":memory:"  # SQLite's store that lives as long as the window


class QueueHost(Protocol):
    """What the queue uses of the window (gui/main_window.py's MainWindow)."""

    model: WindowModel
    store: AppSettings
    act_add_to_queue: QAction

    def say(self, text: str, timeout_ms: int = 0) -> None: ...


class WindowQueue(QObject):
    def __init__(self, host: QueueHost, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = host
        self.parent_widget = parent
        self.unsaved = ""  # why the queue is not kept on disk ("" when it is)
        try:
            self.queue = QueueModel(host.model, host.store.queue_path())
        except (StoreError, OSError) as exc:
            log.warning("the queue is kept in memory: %s", exc)
            self.unsaved = str(exc)
            self.queue = QueueModel(host.model, IN_MEMORY)
        # Where the queue and sweeps run: one value for both tabs, kept with the settings.
        self.where = WhereRuns(host.store.placement())
        self.where.subscribe(host.store.store_placement)
        self.controller = QueueController(self.queue, self.where, self)
        self.panel = QueuePanel(self.queue, self.where)
        self.add_button = QPushButton("Add to queue")
        self.add_button.setToolTip(ADD_TIP)
        self.add_button.clicked.connect(self.add_current)
        self.panel.run_requested.connect(self.run_all)
        self.controller.problem.connect(self._problem)
        self.panel.stop_requested.connect(self.controller.stop)
        self.panel.add_folder_requested.connect(self.add_folder_dialog)
        host.model.subscribe(self._changed)
        self._update()

    def _changed(self, change: Change) -> None:
        # A step changes nothing a job needs (and comes many times a second).
        if not isinstance(change, (JobStep, RunStateChanged)):
            self._update()

    def _update(self) -> None:
        """Add to queue waits for what a run needs, but not for a run, sweep or queue."""
        not_ready = self.host.model.readiness(busy=False)
        self.add_button.setEnabled(not_ready is None)
        self.host.act_add_to_queue.setEnabled(not_ready is None)
        why = "" if not_ready is None else words.not_added(not_ready)
        self.add_button.setToolTip(f"{ADD_TIP}\n{why}" if why else ADD_TIP)

    # ------------------------------------------------------------------ adding

    def add_current(self) -> bool:
        added = self.queue.add_current()
        if not isinstance(added, int):
            self.host.say(words.not_added(added), 8000)
            return False
        self.panel.select(added)
        self.host.say(words.added(1, self.queue.waiting()), 8000)
        return True

    def add_folder_dialog(self) -> None:
        start = self.host.store.get("dialogs/image_folder")
        folder = QFileDialog.getExistingDirectory(
            self.parent_widget, "Add a folder of photos to the queue", start
        )
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str) -> bool:
        added = self.queue.add_folder(folder)
        if not isinstance(added, list):
            self.host.say(words.not_added(added), 10000)
            return False
        self.host.say(words.added(len(added), self.queue.waiting()), 8000)
        return True

    # ------------------------------------------------------------------ running

    def run_all(self) -> bool:
        self.panel.show_problem("")  # the last try's words go with a new one
        if self.controller.run_all():
            return True
        if self.queue.held_by is not None:
            self._problem(words.HELD_BY.format(pid=self.queue.held_by.pid))
        elif self.controller.busy:
            self.host.say(words.BUSY_TIP, 8000)
        return False

    def _problem(self, text: str) -> None:
        self.panel.show_problem(text)
        self.host.say(text, 15000)

    def shutdown(self) -> None:
        self.controller.shutdown()

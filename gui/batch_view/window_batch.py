"""What the window gets for watching a batch: the folder chooser (Watch a batch…), and the
Batch tab that appears beside Queue while a batch is watched and goes when the user stops
watching. One batch at a time: watching another replaces it.
"""

from __future__ import annotations

from typing import Any, Protocol

from PyQt5.QtCore import QObject
from PyQt5.QtWidgets import QFileDialog, QTabWidget, QWidget

from gui.batch_view import words
from gui.batch_view.batch_panel import BatchPanel
from gui.model import WindowModel
from gui.model.batch_watch import BatchWatch
from nst.batch.plan import BatchError
from nst.batch.store import StoreError


class BatchHost(Protocol):
    """What watching uses of the window (gui/main_window.py's MainWindow)."""

    model: WindowModel
    result_tabs: QTabWidget

    def show_message(self, title: str, text: str) -> Any: ...


class BatchWatching(QObject):
    def __init__(self, host: BatchHost, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = host
        self.parent_widget = parent
        self.panel: BatchPanel | None = None

    def watch_dialog(self) -> None:
        # Batches are made in the output folder unless --output-dir says otherwise.
        folder = QFileDialog.getExistingDirectory(
            self.parent_widget, "Watch a batch", self.host.model.folder
        )
        if folder:
            self.watch(folder)

    def watch(self, folder: str) -> bool:
        """Show the batch in ``folder`` in the Batch tab; a folder without one is refused
        in one sentence."""
        try:
            watch = BatchWatch(folder)
        except (BatchError, StoreError) as exc:
            self.host.show_message(words.NOT_A_BATCH, str(exc))
            return False
        self.stop()
        self.panel = BatchPanel(watch)
        self.panel.close_requested.connect(self.stop)
        tabs = self.host.result_tabs
        index = tabs.addTab(self.panel, "Batch")
        tabs.setTabToolTip(index, f"{words.TAB_TIP}\n{watch.folder}")
        tabs.setCurrentIndex(index)
        return True

    def stop(self) -> None:
        """Stop watching: the tab goes, the store is closed; the batch goes on."""
        panel, self.panel = self.panel, None
        if panel is None:
            return
        panel.stop()
        tabs = self.host.result_tabs
        tabs.removeTab(tabs.indexOf(panel))
        panel.deleteLater()

"""The History tab: every result in the output folder as a thumbnail, with its recipe.

Select one to read how it was made, then Re-run it or Load its settings into the window;
select two and Compare shows them side by side at the same scale with the settings in
which they differ. The listing and the recipes come from the engine (nst.history);
thumbnails are decoded on a pool thread of our own, and only the GUI thread makes
QImages. The panel follows the folder on disk (QFileSystemWatcher), but only lists it
again while it is visible: a hidden tab costs nothing while a run saves its result.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from PyQt5.QtCore import (
    QFileSystemWatcher,
    QSize,
    Qt,
    QTimer,
    pyqtSignal,
)
from PyQt5.QtGui import QIcon, QPalette, QPixmap
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.history.compare import CompareDialog
from gui.history.details import details_html, summary
from gui.history.thumbnails import (
    THUMBNAIL_SIZE,
    placeholder_icon,
    request_thumbnail,
    thumbnail_signals,
)
from gui.widgets.image_view import numpy_to_qimage
from gui.widgets.path_label import muted_color
from nst import history
from nst.history import Entry
from nst.settings import Settings

log = logging.getLogger(__name__)

# A grid cell: the thumbnail, and below it two lines (the name, the summary).
GRID_SIZE = QSize(THUMBNAIL_SIZE + 72, THUMBNAIL_SIZE + 48)
# Changes on disk come in bursts (save_result writes two temporary files, links them and
# removes them); list the folder once, after the burst.
REFRESH_DELAY_MS = 400

# --------------------------------------------------------------------------- the panel


class HistoryPanel(QWidget):
    """The output folder's results as a thumbnail grid, with details and actions."""

    rerun_requested = pyqtSignal(object)  # Settings: show them and run
    load_requested = pyqtSignal(object)  # Settings: show them, do not run

    def __init__(
        self, parent: QWidget | None = None, *, field_labels: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(parent)
        self.labels = dict(field_labels or {})
        self.folder = ""
        self.entries: list[Entry] = []
        self._by_path: dict[str, Entry] = {}
        self._items: dict[str, QListWidgetItem] = {}
        self._icons: dict[tuple[str, float], QIcon] = {}  # (path, modified) -> thumbnail
        self._queued: set[tuple[str, float]] = set()
        self._stale = True  # the folder changed while the panel was hidden
        self.compare_dialog: CompareDialog | None = None
        thumbnail_signals().done.connect(self._on_thumbnail)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._folder_changed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self._refresh_if_shown)
        self._placeholder = placeholder_icon(self.palette())
        self._build()
        self._update_buttons()

    # --- layout ---

    def _build(self) -> None:
        self.folder_label = QLabel()
        self.folder_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.folder_label.setToolTip(
            "The output folder whose results are listed here (set on the Run tab)."
        )
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip(
            "List the output folder again (it is also followed as files change)."
        )
        self.refresh_button.clicked.connect(self.refresh)
        header = QHBoxLayout()
        header.addWidget(self.folder_label, 1)
        header.addWidget(self.refresh_button)

        self.list_widget = QListWidget()
        self.list_widget.setViewMode(QListView.IconMode)
        self.list_widget.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        self.list_widget.setGridSize(GRID_SIZE)
        self.list_widget.setResizeMode(QListView.Adjust)
        self.list_widget.setMovement(QListView.Static)
        self.list_widget.setUniformItemSizes(True)
        # One line each for name and summary, cut in the middle: the counter at the end
        # of a name ("_002") is what tells results of one pair apart.
        self.list_widget.setWordWrap(False)
        self.list_widget.setTextElideMode(Qt.ElideMiddle)
        self.list_widget.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.list_widget.setToolTip(
            "Results, newest first. Click one to see its recipe; "
            "Ctrl+click a second to compare the two."
        )
        self.list_widget.itemSelectionChanged.connect(self._selection_changed)

        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setContentsMargins(24, 24, 24, 24)
        palette = self.empty_label.palette()
        palette.setColor(QPalette.WindowText, muted_color(self))
        self.empty_label.setPalette(palette)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_label)
        self.stack.addWidget(self.list_widget)

        self.details_label = QLabel()
        self.details_label.setWordWrap(True)
        self.details_label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.details_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.details_label.setTextFormat(Qt.RichText)
        self.details_label.setContentsMargins(8, 8, 8, 8)
        self.details_label.setToolTip("How the selected result was made: its recipe.")
        details = QScrollArea()
        details.setWidgetResizable(True)
        details.setWidget(self.details_label)
        details.setMinimumWidth(260)

        splitter = QSplitter(Qt.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.stack)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter

        self.rerun_button = QPushButton("Re-run")
        self.rerun_button.setToolTip(
            "Run the selected result's recipe again, with its images "
            "and settings (shown on the Run tab)."
        )
        self.rerun_button.clicked.connect(self._rerun)
        self.load_button = QPushButton("Load settings")
        self.load_button.setToolTip(
            "Put the selected result's images and settings into the "
            "window, to change them before a run."
        )
        self.load_button.clicked.connect(self._load)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip(
            "Show the two selected results side by side at the "
            "same scale, with the settings that differ."
        )
        self.compare_button.clicked.connect(self.open_compare)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.load_button, self.rerun_button, self.compare_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    # --- the folder ---

    def set_folder(self, path: str) -> None:
        """Follow ``path`` from now on; listed at once if shown, else when next shown."""
        path = path.strip()
        folder = os.path.abspath(os.path.expanduser(path)) if path else ""
        if folder == self.folder:
            return
        self.folder = folder
        self._stale = True
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
        # The folder line changes on every keystroke: wait for the typing to rest.
        self._timer.start()

    def refresh(self) -> None:
        """List the folder now, keeping the selection and the scroll position."""
        self._timer.stop()
        self._stale = False
        self._watch()
        selected = set(self.selected_paths())
        scroll = self.list_widget.verticalScrollBar().value()
        known = self._by_path  # unchanged results are not read again
        self.entries = history.list_results(self.folder, known=known) if self.folder else []
        self._by_path = {e.path: e for e in self.entries}
        self._fill(selected)
        self.list_widget.verticalScrollBar().setValue(scroll)
        self._show_folder()
        self._selection_changed()

    def _watch(self) -> None:
        if (
            self.folder
            and os.path.isdir(self.folder)
            and self.folder not in self._watcher.directories()
        ):
            self._watcher.addPath(self.folder)

    def _folder_changed(self, _path: str) -> None:
        self._stale = True
        self._timer.start()

    def _refresh_if_shown(self) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _fill(self, selected: set[str]) -> None:
        listed = self.list_widget
        listed.blockSignals(True)
        try:
            listed.clear()
            self._items = {}
            for entry in self.entries:
                text = f"{os.path.splitext(entry.name)[0]}\n{summary(entry, with_size=False)}"
                item = QListWidgetItem(self._icon_for(entry), text)
                item.setData(Qt.UserRole, entry.path)
                item.setToolTip(f"{entry.name}\n{summary(entry)}")
                item.setSizeHint(GRID_SIZE)
                listed.addItem(item)
                self._items[entry.path] = item
                item.setSelected(entry.path in selected)
        finally:
            listed.blockSignals(False)
        # Forget the thumbnails of files no longer here (another folder, deleted ones).
        keep = {(e.path, e.modified) for e in self.entries}
        self._icons = {key: icon for key, icon in self._icons.items() if key in keep}

    def _show_folder(self) -> None:
        count = len(self.entries)
        if not self.folder:
            self.folder_label.setText("No output folder")
            self.empty_label.setText(
                "Choose an output folder on the Run tab: its results appear here."
            )
        else:
            noun = "result" if count == 1 else "results"
            self.folder_label.setText(f"{count} {noun} in {self.folder}")
            self.empty_label.setText(
                f"No results in {self.folder} yet: press Run, and each "
                "finished result appears here with its recipe."
            )
        self.stack.setCurrentWidget(self.list_widget if count else self.empty_label)

    # --- thumbnails ---

    def _icon_for(self, entry: Entry) -> QIcon:
        key = (entry.path, entry.modified)
        if key in self._icons:
            return self._icons[key]
        if key not in self._queued:
            self._queued.add(key)
            request_thumbnail(entry.path, entry.modified)
        return self._placeholder

    def _on_thumbnail(self, path: str, modified: float, array: np.ndarray | None) -> None:
        key = (path, modified)
        if key not in self._queued:
            return  # another panel's
        self._queued.discard(key)
        if array is None:
            icon = placeholder_icon(self.palette(), "?")
        else:
            icon = QIcon(QPixmap.fromImage(numpy_to_qimage(array)))
        self._icons[key] = icon
        item = self._items.get(path)
        entry = self._by_path.get(path)
        if item is not None and entry is not None and entry.modified == modified:
            item.setIcon(icon)

    def thumbnails_pending(self) -> int:
        """Thumbnails still being decoded (for tests and the busy cursor)."""
        return len(self._queued)

    # --- selection and actions ---

    def selected_paths(self) -> list[str]:
        """The selected results' paths, in the grid's order (newest first)."""
        rows = sorted(self.list_widget.row(i) for i in self.list_widget.selectedItems())
        return [self.list_widget.item(r).data(Qt.UserRole) for r in rows]

    def selected_entries(self) -> list[Entry]:
        return [self._by_path[p] for p in self.selected_paths() if p in self._by_path]

    def select_paths(self, paths: Sequence[str]) -> None:
        wanted = set(paths)
        for row in range(self.list_widget.count()):
            item = self.list_widget.item(row)
            item.setSelected(item.data(Qt.UserRole) in wanted)

    def _selection_changed(self) -> None:
        chosen = self.selected_entries()
        if len(chosen) == 1:
            self.details_label.setText(details_html(chosen[0], self.labels))
        elif len(chosen) == 2:
            self.details_label.setText(
                "Two results selected: press Compare to see them side "
                "by side with the settings that differ."
            )
        elif chosen:
            self.details_label.setText(
                f"{len(chosen)} results selected. Select one to see its "
                "recipe, or two to compare them."
            )
        elif self.entries:
            self.details_label.setText("Select a result to see how it was made.")
        else:
            self.details_label.setText("")
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.selected_entries()
        one_with_recipe = len(chosen) == 1 and chosen[0].has_recipe
        self.rerun_button.setEnabled(one_with_recipe)
        self.load_button.setEnabled(one_with_recipe)
        self.compare_button.setEnabled(len(chosen) == 2)

    def _chosen_settings(self) -> Settings | None:
        chosen = self.selected_entries()
        return chosen[0].settings if len(chosen) == 1 else None

    def _rerun(self) -> None:
        settings = self._chosen_settings()
        if settings is not None:
            self.rerun_requested.emit(settings)

    def _load(self) -> None:
        settings = self._chosen_settings()
        if settings is not None:
            self.load_requested.emit(settings)

    def open_compare(self) -> CompareDialog | None:
        chosen = self.selected_entries()
        if len(chosen) != 2:
            return None
        if self.compare_dialog is not None:
            self.compare_dialog.close()
        self.compare_dialog = CompareDialog(chosen[0], chosen[1], self.labels, self)
        self.compare_dialog.setAttribute(Qt.WA_DeleteOnClose)
        self.compare_dialog.destroyed.connect(self._compare_closed)
        self.compare_dialog.show()
        return self.compare_dialog

    def _compare_closed(self) -> None:
        self.compare_dialog = None

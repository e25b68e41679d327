"""The History tab: every result in the output folder as a thumbnail, with its recipe.

Select one to read how it was made, then Re-run it or Load its settings into the window;
select two and Compare shows them side by side at the same scale with the settings in
which they differ. The listing and the recipes come from the engine (nst.history);
thumbnails are decoded on a pool thread of our own, and only the GUI thread makes
QImages. The panel follows the folder on disk (QFileSystemWatcher), but only lists it
again while it is visible: a hidden tab costs nothing while a run saves its result.
"""

from __future__ import annotations

import html
import logging
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from PyQt5.QtCore import (
    QFileSystemWatcher,
    QObject,
    QRect,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    pyqtSignal,
)
from PyQt5.QtGui import QIcon, QImage, QPainter, QPaintEvent, QPalette, QPixmap
from PyQt5.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui import recipes
from gui.widgets import muted_color, numpy_to_qimage
from nst import history
from nst.errors import NstError
from nst.history import Entry
from nst.imaging import images
from nst.settings import Settings, field_names

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = 128  # longest side of a thumbnail, in pixels
# A grid cell: the thumbnail, and below it two lines (the name, the summary).
GRID_SIZE = QSize(THUMBNAIL_SIZE + 72, THUMBNAIL_SIZE + 48)
# Changes on disk come in bursts (save_result writes two temporary files, links them and
# removes them); list the folder once, after the burst.
REFRESH_DELAY_MS = 400

# Fields that only one method uses, left out of the other's details.
_INSTANT_ONLY = frozenset({"style_strength", "extra_styles", "style_image_weight"})
_GATYS_ONLY = frozenset({
    "content_layers", "style_layers", "content_weight", "style_weight", "tv_weight",
    "optimizer", "learning_rate", "iterations", "work_size", "style_size", "init", "seed",
    "precision", "stages", "weights",
})  # fmt: skip
_NOT_SHOWN = frozenset({"preview_every"})  # how often the run sent previews: not the picture's


def thumbnail_pool() -> QThreadPool:
    """The pool that decodes thumbnails: our own, never Qt's global one (see picker.py's
    load_pool for the deadlock that avoids). One thread: a run may be using the other
    core, and thumbnails can arrive one by one."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
    return _pool


_pool: QThreadPool | None = None


class _ThumbnailSignals(QObject):
    done = pyqtSignal(str, float, object)  # path, modified time, H x W x 3 array or None


class _ThumbnailTask(QRunnable):
    """Decodes one thumbnail on a pool thread; never touches a QImage or a widget."""

    def __init__(self, path: str, modified: float, signals: _ThumbnailSignals) -> None:
        super().__init__()
        self.path, self.modified, self.signals = path, modified, signals

    def run(self) -> None:
        try:
            array = history.thumbnail(self.path, THUMBNAIL_SIZE)
        except NstError as exc:
            log.debug("no thumbnail: %s", exc)
            array = None
        except Exception:  # a bug must not kill the pool thread silently
            log.exception("thumbnail of %s failed", self.path)
            array = None
        try:
            self.signals.done.emit(self.path, self.modified, array)
        except RuntimeError:
            pass  # the panel was deleted while we decoded (the window closed)


# --------------------------------------------------------------------------- words


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s"


def losses_text(losses: Mapping[str, float]) -> str:
    """ "0.75 (content 0.3, style 0.4, tv 0.05)"; "" without losses."""
    if "total" not in losses:
        return ""
    parts = [f"{name} {value:.3g}" for name, value in losses.items() if name != "total"]
    return f"{losses['total']:.3g}" + (f" ({', '.join(parts)})" if parts else "")


def setting_rows(settings: Settings, labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, value) for each setting that matters to this method, in field order."""
    data = settings.to_dict()
    if settings.method == "gatys":
        data["learning_rate"] = settings.resolved_learning_rate
    skip = _NOT_SHOWN | (_INSTANT_ONLY if settings.method == "gatys" else _GATYS_ONLY)
    rows = []
    for name in field_names():
        if name in skip:
            continue
        rows.append((labels.get(name, name), history.format_value(name, data[name])))
    return rows


def details_html(entry: Entry, labels: Mapping[str, str]) -> str:
    """The details pane's text for one result: what it is, how it went, its settings."""
    esc = html.escape
    lines = [f"<b>{esc(entry.name)}</b>", esc(entry.summary)]
    if entry.problem:
        lines.append(f"<span style='color:#b35900'>{esc(entry.problem)}</span>")
    rows: list[tuple[str, str]] = []
    recipe = entry.recipe or {}
    if entry.losses:
        rows.append(("Loss", losses_text(entry.losses)))
    if entry.steps is not None and entry.settings is not None:
        stopped = " (stopped)" if recipe.get("stopped") else ""
        rows.append(("Steps", f"{entry.steps} of {entry.settings.iterations}{stopped}"))
    if entry.duration is not None:
        rows.append(("Time", duration_text(entry.duration)))
    if isinstance(recipe.get("device"), str):
        rows.append(("Device", recipe["device"]))
    rows.append(("Saved", time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.modified))))
    if entry.settings is not None:
        rows += setting_rows(entry.settings, labels)
    table = "".join(
        f"<tr><td style='padding-right:10px'>{esc(label)}</td><td>{esc(value)}</td></tr>"
        for label, value in rows
    )
    return "<br>".join(lines) + f"<table style='margin-top:6px'>{table}</table>"


def settings_for_window(entry: Entry) -> Settings | None:
    """The entry's settings with image paths taken relative to its folder where they are
    relative (a recipe moved together with its images), as File > Load recipe reads them."""
    if entry.recipe is None:
        return None
    try:
        return recipes.settings_from_recipe(entry.recipe, os.path.dirname(entry.path)).settings
    except NstError:
        return None


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
        self._signals = _ThumbnailSignals(self)
        self._signals.done.connect(self._on_thumbnail)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._folder_changed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self._refresh_if_shown)
        self._placeholder = _placeholder_icon(self.palette())
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
                text = f"{os.path.splitext(entry.name)[0]}\n{entry.brief}"
                item = QListWidgetItem(self._icon_for(entry), text)
                item.setData(Qt.UserRole, entry.path)
                item.setToolTip(f"{entry.name}\n{entry.summary}")
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
            thumbnail_pool().start(_ThumbnailTask(entry.path, entry.modified, self._signals))
        return self._placeholder

    def _on_thumbnail(self, path: str, modified: float, array: np.ndarray | None) -> None:
        key = (path, modified)
        self._queued.discard(key)
        if array is None:
            icon = _placeholder_icon(self.palette(), "?")
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
        return settings_for_window(chosen[0]) if len(chosen) == 1 else None

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


def _placeholder_icon(palette: QPalette, text: str = "") -> QIcon:
    """A blank tile while the thumbnail loads ("?" when it cannot be shown)."""
    pixmap = QPixmap(THUMBNAIL_SIZE, THUMBNAIL_SIZE)
    pixmap.fill(palette.color(QPalette.Base).darker(110))
    if text:
        painter = QPainter(pixmap)
        painter.setPen(palette.color(QPalette.Disabled, QPalette.WindowText))
        font = painter.font()
        font.setPointSize(24)
        painter.setFont(font)
        painter.drawText(pixmap.rect(), Qt.AlignCenter, text)
        painter.end()
    return QIcon(pixmap)


# --------------------------------------------------------------------------- compare


class SideBySide(QWidget):
    """Two images side by side at one common scale, so that sizes compare truly: the
    larger result looks larger. Each has a caption below it."""

    GAP = 12
    MAX_SCALE = 4.0  # past 4x a small result only shows blur

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.images: list[QImage | None] = [None, None]
        self.captions = ["", ""]
        self.problems = ["", ""]
        self._cache: tuple[float, list[QPixmap | None]] | None = None
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_side(self, index: int, image: QImage | None, caption: str, problem: str = "") -> None:
        self.images[index] = image
        self.captions[index] = caption
        self.problems[index] = problem
        self._cache = None
        self.update()

    def _caption_height(self) -> int:
        return 3 * self.fontMetrics().height() + 8

    def _half(self) -> QSize:
        return QSize((self.width() - self.GAP) // 2, self.height() - self._caption_height())

    def scale(self) -> float:
        """The one scale both images are drawn at: the largest at which both fit."""
        half = self._half()
        scale = self.MAX_SCALE
        for image in self.images:
            if image is not None and not image.isNull():
                scale = min(scale, half.width() / image.width(), half.height() / image.height())
        return max(scale, 0.01)

    def _pixmaps(self, scale: float) -> list[QPixmap | None]:
        if self._cache is None or self._cache[0] != scale:
            scaled: list[QPixmap | None] = []
            for image in self.images:
                if image is None or image.isNull():
                    scaled.append(None)
                    continue
                size = QSize(
                    max(1, round(image.width() * scale)), max(1, round(image.height() * scale))
                )
                scaled.append(
                    QPixmap.fromImage(
                        image.scaled(size, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)
                    )
                )
            self._cache = (scale, scaled)
        return self._cache[1]

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        half = self._half()
        scale = self.scale()
        pixmaps = self._pixmaps(scale)
        # The pair is centred as a group, each image on the group's base line, so that
        # images of different heights stand side by side and the captions line up.
        tallest = max((p.height() for p in pixmaps if p is not None), default=half.height())
        base = (half.height() - tallest) // 2 + tallest
        muted = self.palette().color(QPalette.Disabled, QPalette.WindowText)
        for index, pixmap in enumerate(pixmaps):
            left = index * (half.width() + self.GAP)
            if pixmap is None:
                painter.setPen(muted)
                area = QRect(left, base - tallest, half.width(), tallest)
                painter.drawText(
                    area, Qt.AlignCenter | Qt.TextWordWrap, self.problems[index] or "No image"
                )
            else:
                painter.drawPixmap(
                    left + (half.width() - pixmap.width()) // 2, base - pixmap.height(), pixmap
                )
            painter.setPen(self.palette().color(QPalette.WindowText))
            box = QRect(left, base + 4, half.width(), self._caption_height() - 4)
            caption = self.captions[index]
            if pixmap is not None:
                caption += f"\nshown at {scale:.0%}"
            painter.drawText(box, Qt.AlignHCenter | Qt.AlignTop | Qt.TextWordWrap, caption)
        painter.end()


class CompareDialog(QDialog):
    """Two results side by side at the same scale, and the settings that differ."""

    def __init__(
        self, left: Entry, right: Entry, labels: Mapping[str, str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.entries = (left, right)
        self.labels = labels
        self.setWindowTitle(f"Compare {left.name} and {right.name}")
        self.view = SideBySide()
        for index, entry in enumerate(self.entries):
            self._load_side(index, entry)
        self.differences = self._differences()
        self.note_label = QLabel(self._note())
        self.note_label.setWordWrap(True)
        self.table = self._table()

        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        close = buttons.button(QDialogButtonBox.Close)
        close.setToolTip("Close this comparison.")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note_label)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(1100, 760)

    def _load_side(self, index: int, entry: Entry) -> None:
        try:
            array = images.load_image(entry.path, role="result")
        except NstError as exc:
            self.view.set_side(index, None, entry.name, str(exc))
            return
        height, width = array.shape[:2]
        caption = f"{entry.name} · {width} × {height}\n{entry.summary}"
        self.view.set_side(index, numpy_to_qimage(array), caption)

    def _differences(self) -> list[tuple[str, Any, Any]]:
        left, right = self.entries
        if left.recipe is None or right.recipe is None:
            return []
        return history.recipe_differences(left.recipe, right.recipe)

    def _note(self) -> str:
        missing = [e.name for e in self.entries if e.recipe is None]
        if missing:
            return (
                f"{' and '.join(missing)} {'has' if len(missing) == 1 else 'have'} no "
                "recipe, so the settings cannot be compared."
            )
        if not self.differences:
            return "Both were made with the same settings."
        count = len(self.differences)
        return f"{count} setting{'s' if count != 1 else ''} differ (both shown at the same scale):"

    def _table(self) -> QTableWidget:
        left, right = self.entries
        table = QTableWidget(len(self.differences), 3)
        table.setHorizontalHeaderLabels(["Setting", left.name, right.name])
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        table.setToolTip("The settings in which the two recipes differ.")
        corner = table.findChild(QAbstractButton)  # Qt's select-all button at the top left
        if corner is not None:
            corner.setToolTip("Select the whole table.")
        for row, (name, a, b) in enumerate(self.differences):
            cells = (
                self.labels.get(name, name),
                history.format_value(name, a),
                history.format_value(name, b),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
        table.setVisible(bool(self.differences))
        # Tall enough for every row up to ten; the images take the rest of the dialog.
        table.resizeRowsToContents()
        shown = min(table.rowCount(), 10)
        height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        height += sum(table.rowHeight(row) for row in range(shown))
        table.setFixedHeight(height)
        return table

"""The content and style image pickers: file dialog, drag and drop, samples, thumbnail.

An image is decoded off the GUI thread (a 24-megapixel photo takes a good fraction of a
second) with the engine's own loader, nst.imaging.load.load_image, so the picker accepts
exactly the files a run accepts and reports a bad one with the engine's one-sentence
message. The loader thread hands back a NumPy array; the QImage is made on the GUI thread.
"""

from __future__ import annotations

import itertools
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QObject, QRunnable, QSize, QStandardPaths, Qt, QThreadPool, pyqtSignal
from PyQt5.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QPixmap,
)
from PyQt5.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.pool_signals import pool_signals
from gui.widgets.image_view import numpy_to_qimage
from gui.widgets.samples import SAMPLES_DIR, choose_image, samples_menu
from nst.errors import NstError
from nst.imaging.load import SUPPORTED_SUFFIXES, load_image
from nst.imaging.resize import resize_longest

log = logging.getLogger(__name__)

# The copy of a picked image kept for display (thumbnail, and the content image shown
# beside the result): big enough for a full-screen view, small enough to scale quickly.
DISPLAY_SIZE = 1024
THUMBNAIL = QSize(168, 120)


def file_dialog_filter() -> str:
    patterns = " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES)
    return f"Images ({patterns});;All files (*)"


def is_sample(path: str) -> bool:
    """A bundled sample: its folder is not one the user keeps images in."""
    return bool(path) and Path(path).resolve().parent == SAMPLES_DIR


def pictures_folder() -> str:
    """Where an image dialog opens before the user has picked an image anywhere: their
    Pictures folder, else home (an empty start would open Qt's last dialog folder or the
    working folder: the results, or the project's own folder under `make run`)."""
    pictures = QStandardPaths.writableLocation(QStandardPaths.PicturesLocation)
    return pictures if pictures and os.path.isdir(pictures) else str(Path.home())


def is_supported_image(path: str) -> bool:
    return Path(path).suffix.lower() in SUPPORTED_SUFFIXES


def local_image_from_drop(event: QDragEnterEvent | QDropEvent) -> str | None:
    """The one local image file being dragged, or None if it is anything else."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return None
    urls = [u for u in mime.urls() if u.isLocalFile()]
    if len(urls) != 1:
        return None
    path = urls[0].toLocalFile()
    return path if is_supported_image(path) else None


@dataclass(frozen=True)
class LoadedImage:
    """A picked image: where it is, its size in pixels, and a display copy."""

    path: str
    width: int
    height: int
    display: QImage


def load_pool() -> QThreadPool:
    """The pool that decodes picked images: our own, never Qt's global one.

    Qt 5.15 splits a large smooth QImage.scaled() into parts that it runs on
    QThreadPool.globalInstance() and waits for. PyQt5 keeps the GIL during that call, so
    if a Python loader task sat on a global pool thread waiting for the GIL, scaling a
    thumbnail on the GUI thread would wait for that task forever (seen in the tests).
    """
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(2)  # content and style load side by side
    return _pool


_pool: QThreadPool | None = None


class _LoaderSignals(QObject):
    loaded = pyqtSignal(int, str, object, int, int)  # request, path, display array, w, h
    failed = pyqtSignal(int, str, str)  # request, path, message


def _loader_signals() -> _LoaderSignals:
    """The object every load is announced on (gui.pool_signals: never deleted); each
    picker takes its own requests', whose numbers are unique in the process."""
    return pool_signals(_LoaderSignals)


_requests = itertools.count(1)  # every picker's load requests, numbered once


class _LoadTask(QRunnable):
    """Decodes one image on a pool thread; never touches a QImage or a widget."""

    def __init__(self, request: int, path: str, role: str, signals: _LoaderSignals) -> None:
        super().__init__()
        self.request, self.path, self.role, self.signals = request, path, role, signals

    def run(self) -> None:
        try:
            array = load_image(self.path, role=self.role)
            height, width = array.shape[:2]
            if max(height, width) > DISPLAY_SIZE:
                array = resize_longest(array, DISPLAY_SIZE)
            result = ("loaded", array, width, height)
        except NstError as exc:
            result = ("failed", str(exc))
        except Exception as exc:  # a loader bug must not kill the pool thread silently
            log.exception("loading %s failed", self.path)
            result = (
                "failed",
                f"The {self.role} '{os.path.basename(self.path)}' could not "
                f"be loaded ({type(exc).__name__}: {exc}).",
            )
        if result[0] == "loaded":
            self.signals.loaded.emit(self.request, self.path, *result[1:])
        else:
            self.signals.failed.emit(self.request, self.path, result[1])


class ImagePicker(QFrame):
    """Picks one image: Open…, a Samples menu, or a file dropped onto it.

    ``changed`` is emitted with the path once the image has loaded (or with "" when
    cleared); ``failed`` with a one-sentence message when a chosen file cannot be used, in
    which case the previous image stays.
    """

    changed = pyqtSignal(str)
    failed = pyqtSignal(str)
    busy = pyqtSignal(bool)

    def __init__(self, role: str, title: str, samples_first: str, parent: QWidget | None = None):
        """``role``: "content image" or "style image", used in messages; ``samples_first``:
        "photos" or "paintings", which samples the menu lists first."""
        super().__init__(parent)
        self.role = role
        self._loaded: LoadedImage | None = None
        self._request = 0
        self._pending: str | None = None
        _loader_signals().loaded.connect(self._on_loaded)
        _loader_signals().failed.connect(self._on_failed)
        self.dialog_folder = ""
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.StyledPanel)
        self.setObjectName("picker")
        self._build(title, samples_first)
        self._show_empty()

    # --- layout ---

    def _build(self, title: str, samples_first: str) -> None:
        self.title_label = QLabel(f"<b>{title}</b>")
        self.title_label.setAlignment(Qt.AlignCenter)
        self.thumbnail = QLabel()
        self.thumbnail.setAlignment(Qt.AlignCenter)
        self.thumbnail.setFixedSize(THUMBNAIL)
        self.thumbnail.setStyleSheet(
            "QLabel { border: 1px dashed palette(mid); border-radius: 4px; color: palette(mid); }"
        )
        self.thumbnail.setWordWrap(True)
        # Name and size on lines of their own: a rich-text label with a line break is
        # given one line's height by some layouts, which clips the second line.
        self.info_label = QLabel()
        self.info_label.setAlignment(Qt.AlignCenter)
        self.info_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.size_label = QLabel()
        self.size_label.setAlignment(Qt.AlignCenter)
        self.size_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        small = self.size_label.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.size_label.setFont(small)
        self.open_button = QPushButton("Open…")
        self.open_button.setToolTip(
            f"Choose the {self.role} from a file (JPEG, PNG, BMP, TIFF or WebP)."
        )
        self.open_button.clicked.connect(self.open_dialog)
        self.samples_button = QToolButton()
        self.samples_button.setText("Samples")
        self.samples_button.setPopupMode(QToolButton.InstantPopup)
        self.samples_button.setToolTip(f"Use one of the bundled sample images as the {self.role}.")
        self.samples_menu = samples_menu(self, samples_first, self.set_path)
        self.samples_button.setMenu(self.samples_menu)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.samples_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.title_label)
        layout.addWidget(self.thumbnail, 0, Qt.AlignHCenter)
        layout.addWidget(self.info_label)
        layout.addWidget(self.size_label)
        layout.addLayout(buttons)
        self.setToolTip(f"The {self.role}: drop an image file here, or use Open… or Samples.")
        self.thumbnail.setToolTip(self.toolTip())

    # --- state ---

    @property
    def path(self) -> str:
        """The loaded image's path ("" when none)."""
        return self._loaded.path if self._loaded else ""

    @property
    def loaded(self) -> LoadedImage | None:
        return self._loaded

    @property
    def is_loading(self) -> bool:
        return self._pending is not None

    def set_path(self, path: str) -> None:
        """Load ``path`` in the background; "" clears the picker."""
        self._request = next(_requests)
        if not path:
            self._pending = None
            self._loaded = None
            self._show_empty()
            self.busy.emit(False)
            self.changed.emit("")
            return
        path = os.path.abspath(os.path.expanduser(path))
        self._pending = path
        self.info_label.setText("Loading…")
        self.size_label.setText(" ")
        self.busy.emit(True)
        task = _LoadTask(self._request, path, self.role, _loader_signals())
        load_pool().start(task)

    def clear(self) -> None:
        self.set_path("")

    def _on_loaded(self, request: int, path: str, array: np.ndarray, width: int, height: int):
        if request != self._request:
            return  # a later choice superseded this one
        self._pending = None
        self._loaded = LoadedImage(path, width, height, numpy_to_qimage(array))
        self._show_loaded()
        # The image first, then the end of loading: whoever waits for the loading to end
        # (a History re-run) finds the new image already there.
        self.changed.emit(path)
        self.busy.emit(False)

    def _on_failed(self, request: int, path: str, message: str) -> None:
        if request != self._request:
            return
        self._pending = None
        if self._loaded:
            self._show_loaded()
        else:
            self._show_empty()
        self.busy.emit(False)
        self.failed.emit(message)

    def _show_empty(self) -> None:
        self.thumbnail.setPixmap(QPixmap())
        self.thumbnail.setText("Drop an image here")
        self.info_label.setText("No image")
        self.info_label.setToolTip("")
        self.size_label.setText(" ")

    def _show_loaded(self) -> None:
        assert self._loaded is not None
        scaled = self._loaded.display.scaled(
            self.thumbnail.size() - QSize(4, 4), Qt.KeepAspectRatio, Qt.SmoothTransformation
        )
        self.thumbnail.setPixmap(QPixmap.fromImage(scaled))
        name = os.path.basename(self._loaded.path)
        size = f"{self._loaded.width} × {self._loaded.height}"
        metrics = self.info_label.fontMetrics()
        shown = metrics.elidedText(name, Qt.ElideMiddle, max(60, self.thumbnail.width() - 8))
        self.info_label.setText(shown)
        self.size_label.setText(f"{size} px")
        self.info_label.setToolTip(f"{self._loaded.path}\n{size} pixels")

    # --- choosing ---

    def open_dialog(self) -> None:
        # The folder the user last picked an image from (either picker's), not a sample's.
        start = self.dialog_folder or pictures_folder()
        path = choose_image(self, f"Choose the {self.role}", start, file_dialog_filter())
        if path:
            self.dialog_folder = os.path.dirname(path)
            self.set_path(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        if local_image_from_drop(event):
            event.acceptProposedAction()
            self.setProperty("dropping", True)
            self.setStyleSheet("QFrame#picker { border: 2px solid palette(highlight); }")
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.setStyleSheet("")
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        self.setStyleSheet("")
        path = local_image_from_drop(event)
        if path:
            event.acceptProposedAction()
            self.set_path(path)
        else:
            event.ignore()

"""The History tab's thumbnails: decoded on a pool thread of our own, never on the GUI
thread; only the GUI thread makes QImages."""

from __future__ import annotations

import logging

from PyQt5.QtCore import (
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    pyqtSignal,
)
from PyQt5.QtGui import QIcon, QPainter, QPalette, QPixmap

from gui.pool_signals import pool_signals
from nst import history
from nst.errors import NstError

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = 128  # longest side of a thumbnail, in pixels


def thumbnail_pool() -> QThreadPool:
    """The pool that decodes thumbnails: our own, never Qt's global one (see picker.py's
    load_pool for the deadlock that avoids). One thread: a run may be using the other
    core, and thumbnails can arrive one by one."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
    return _pool


class ThumbnailSignals(QObject):
    done = pyqtSignal(str, float, object)  # path, modified time, H x W x 3 array or None


def thumbnail_signals() -> ThumbnailSignals:
    """The object every decoded thumbnail is announced on (gui.pool_signals: never
    deleted); a panel connects to it and takes the thumbnails it asked for."""
    return pool_signals(ThumbnailSignals)


def request_thumbnail(path: str, modified: float) -> None:
    """Decode ``path``'s thumbnail on the pool; thumbnail_signals().done brings it."""
    thumbnail_pool().start(_ThumbnailTask(path, modified, thumbnail_signals()))


_pool: QThreadPool | None = None


class _ThumbnailTask(QRunnable):
    """Decodes one thumbnail on a pool thread; never touches a QImage or a widget."""

    def __init__(self, path: str, modified: float, signals: ThumbnailSignals) -> None:
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
        self.signals.done.emit(self.path, self.modified, array)


def placeholder_icon(palette: QPalette, text: str = "") -> QIcon:
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

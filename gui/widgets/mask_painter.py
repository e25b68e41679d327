"""Painting a style's region over the content image: a brush, an eraser, and a saved mask.

The mask is a grey image at the photo's own size: white where the style goes, black where
it does not (nst/run/inputs.py, region_masks). It is painted on a QImage of that size; the
canvas shows the photo scaled to fit with the mask over it in a translucent colour, and
maps the pointer back to the photo's pixels, so the brush's size is in photo pixels and a
mask never depends on the window's size.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PyQt5.QtCore import QPoint, QPointF, QRectF, QSize, Qt, pyqtSignal
from PyQt5.QtGui import (
    QColor,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PyQt5.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

# The mask's colour over the photo, translucent enough to see what is painted over.
OVERLAY = QColor(255, 64, 160, 120)
MASK_SUFFIX = "_mask"
# Undo keeps whole copies of the mask (one byte a pixel: 12 MB for a 12-megapixel photo),
# so its depth is capped by bytes as well as by count.
UNDO_STEPS = 30
UNDO_BYTES = 256 * 2**20


def shortcut_text(key: QKeySequence.StandardKey) -> str:
    """This platform's keys for a standard shortcut, as its menus write them (Ctrl+Y...)."""
    return QKeySequence(key).toString(QKeySequence.NativeText)


def unique_path(folder: Path, stem: str) -> Path:
    """``folder/stem_NNN.png`` with the first NNN not taken: a mask never overwrites."""
    for number in range(1, 100_000):
        path = folder / f"{stem}_{number:03d}.png"
        if not path.exists():
            return path
    raise OSError(f"no free file name for {stem} in {folder}")


class MaskCanvas(QWidget):
    """The photo with the mask over it; drag to paint (left button) or erase (right)."""

    edited = pyqtSignal()

    def __init__(self, photo: QImage, mask: QImage | None = None) -> None:
        super().__init__()
        self.photo = QPixmap.fromImage(photo)
        size = photo.size()
        if mask is not None and mask.size() == size:
            self.mask = mask.convertToFormat(QImage.Format_Grayscale8)
        else:
            self.mask = QImage(size, QImage.Format_Grayscale8)
            self.mask.fill(Qt.black)
            if mask is not None:  # another size: stretch it onto the photo
                self.mask = mask.convertToFormat(QImage.Format_Grayscale8).scaled(
                    size, Qt.IgnoreAspectRatio, Qt.SmoothTransformation
                )
        self.brush = max(4, round(max(size.width(), size.height()) / 20))
        self.erasing = False
        self._last: QPointF | None = None
        self._right_button = False
        self._undo: list[QImage] = []  # the mask before each edit, oldest first
        self._redo: list[QImage] = []
        self.setMinimumSize(320, 240)
        self.setMouseTracking(True)
        self.setCursor(Qt.CrossCursor)
        self.setToolTip(
            "Drag to paint where this style goes; drag with the right button, "
            "or choose Eraser, to take it away."
        )

    # --- geometry: widget <-> photo pixels ---

    def _target(self) -> QRectF:
        size = self.photo.size().scaled(self.size(), Qt.KeepAspectRatio)
        x = (self.width() - size.width()) / 2
        y = (self.height() - size.height()) / 2
        return QRectF(x, y, size.width(), size.height())

    def to_photo(self, point: QPoint | QPointF) -> QPointF:
        target = self._target()
        scale = self.photo.width() / target.width()
        return QPointF((point.x() - target.x()) * scale, (point.y() - target.y()) * scale)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self.photo.size().scaled(QSize(900, 700), Qt.KeepAspectRatio)

    # --- undo ---

    def checkpoint(self) -> None:
        """Remember the mask as it is now, before an edit (a stroke, Fill, Clear, Invert)."""
        self._undo.append(self.mask.copy())
        per_copy = max(1, self.mask.sizeInBytes())
        depth = max(1, min(UNDO_STEPS, UNDO_BYTES // per_copy))
        del self._undo[:-depth]
        self._redo.clear()

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> None:
        self._step_back(self._undo, self._redo)

    def redo(self) -> None:
        self._step_back(self._redo, self._undo)

    def _step_back(self, source: list[QImage], keep: list[QImage]) -> None:
        """Show the newest mask of ``source``; the one shown now goes onto ``keep``."""
        if source:
            keep.append(self.mask)
            self.mask = source.pop()
            self.update()
            self.edited.emit()

    # --- painting ---

    def stroke(self, start: QPointF, end: QPointF, erase: bool) -> None:
        """Paint (or erase) a line of brush-wide round dabs on the mask, in photo pixels."""
        painter = QPainter(self.mask)
        painter.setRenderHint(QPainter.Antialiasing)
        pen = QPen(
            Qt.black if erase else Qt.white, self.brush, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin
        )
        painter.setPen(pen)
        if start == end:  # a click: Qt draws nothing for a line of no length, so a dab
            painter.setPen(Qt.NoPen)
            painter.setBrush(pen.color())
            painter.drawEllipse(start, self.brush / 2, self.brush / 2)
        else:
            painter.drawLine(start, end)
        painter.end()
        self.update()
        self.edited.emit()

    def fill(self, white: bool) -> None:
        self.checkpoint()
        self.mask.fill(Qt.white if white else Qt.black)
        self.update()
        self.edited.emit()

    def invert(self) -> None:
        self.checkpoint()
        self.mask.invertPixels()
        self.update()
        self.edited.emit()

    def coverage(self) -> float:
        """The share of the photo the mask covers, 0..1 (mean of its grey levels)."""
        width, height, stride = self.mask.width(), self.mask.height(), self.mask.bytesPerLine()
        bits = self.mask.constBits()
        bits.setsize(stride * height)
        rows = np.frombuffer(bytes(bits), np.uint8).reshape(height, stride)[:, :width]
        return float(rows.mean()) / 255

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if event.button() in (Qt.LeftButton, Qt.RightButton):
            self._right_button = event.button() == Qt.RightButton
            self._last = self.to_photo(event.pos())
            self.checkpoint()  # a whole stroke is one step of undo
            self.stroke(self._last, self._last, self.erasing or self._right_button)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if self._last is not None:
            point = self.to_photo(event.pos())
            self.stroke(self._last, point, self.erasing or self._right_button)
            self._last = point
        self.update()  # the brush outline follows the pointer

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if self._last is not None:  # the last stretch, to where the button came up
            point = self.to_photo(event.pos())
            if point != self._last:
                self.stroke(self._last, point, self.erasing or self._right_button)
        self._last = None

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        target = self._target()
        painter.drawPixmap(target, self.photo, QRectF(self.photo.rect()))
        # The mask as the alpha of a flat colour: painted parts tinted, the rest clear.
        # (setAlphaChannel takes a grey image's levels as alpha; converting it to Alpha8
        # would not: a grey image counts as opaque.)
        tint = QImage(self.mask.size(), QImage.Format_ARGB32)
        tint.fill(QColor(OVERLAY.red(), OVERLAY.green(), OVERLAY.blue()))
        tint.setAlphaChannel(self.mask)
        painter.setOpacity(OVERLAY.alphaF())
        painter.drawImage(target, tint, QRectF(tint.rect()))
        painter.setOpacity(1.0)
        cursor = self.mapFromGlobal(self.cursor().pos())
        if self.rect().contains(cursor):
            radius = self.brush / 2 * target.width() / self.photo.width()
            painter.setPen(QPen(Qt.white, 1, Qt.DashLine))
            painter.drawEllipse(QPointF(cursor), radius, radius)
        painter.end()


class MaskPainter(QDialog):
    """A dialog to paint one style's region; ``saved_path`` holds the mask file on accept."""

    def __init__(
        self,
        photo_path: str,
        style_name: str,
        folder: str,
        mask_path: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Region for {style_name}")
        self.photo_path = photo_path
        self.folder = Path(folder)
        self.saved_path = ""
        self.error = ""
        photo = QImage(photo_path)
        mask = QImage(mask_path) if mask_path and os.path.isfile(mask_path) else None
        self.canvas = MaskCanvas(photo, mask if mask is not None and not mask.isNull() else None)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"Paint where <b>{style_name}</b> goes. The other styles (or "
                "the one set to take the rest) fill what you leave."
            )
        )
        layout.addWidget(self.canvas, 1)
        layout.addLayout(self._tools())
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Save).setToolTip(
            "Save the mask as a PNG in the output folder's 'masks' folder and use it."
        )
        buttons.button(QDialogButtonBox.Cancel).setToolTip("Close without changing the region.")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(self.canvas.sizeHint() + QSize(40, 140))

    def _tools(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.brush_button = QRadioButton("Brush")
        self.brush_button.setToolTip("Paint this style's region (left button).")
        self.brush_button.setChecked(True)
        self.eraser_button = QRadioButton("Eraser")
        self.eraser_button.setToolTip(
            "Take parts away from the region (or drag with the right button)."
        )
        self.eraser_button.toggled.connect(self._tool_changed)
        self.size_slider = QSlider(Qt.Horizontal)
        longest = max(self.canvas.photo.width(), self.canvas.photo.height())
        self.size_slider.setRange(1, max(2, longest // 4))
        self.size_slider.setValue(self.canvas.brush)
        self.size_slider.setToolTip("The brush's diameter in the photo's pixels.")
        self.size_slider.valueChanged.connect(self._size_changed)
        self.size_label = QLabel()
        self._size_changed(self.canvas.brush)
        row.addWidget(self.brush_button)
        row.addWidget(self.eraser_button)
        row.addWidget(QLabel("Size:"))
        row.addWidget(self.size_slider, 1)
        row.addWidget(self.size_label)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setShortcut(QKeySequence.Undo)
        keys = shortcut_text(QKeySequence.Undo)
        self.undo_button.setToolTip(f"Take back the last stroke, Clear, Fill or Invert ({keys}).")
        self.undo_button.clicked.connect(self.canvas.undo)
        self.redo_button = QPushButton("Redo")
        self.redo_button.setShortcut(QKeySequence.Redo)
        self.redo_button.setToolTip(
            f"Do again what Undo took back ({shortcut_text(QKeySequence.Redo)})."
        )
        self.redo_button.clicked.connect(self.canvas.redo)
        self.canvas.edited.connect(self._update_undo)
        self._update_undo()
        row.addWidget(self.undo_button)
        row.addWidget(self.redo_button)
        for text, tip, slot in (
            ("Clear", "Take the whole region away.", lambda: self.canvas.fill(False)),
            ("Fill", "Give the whole photo to this style.", lambda: self.canvas.fill(True)),
            ("Invert", "Swap painted and unpainted parts.", self.canvas.invert),
        ):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            row.addWidget(button)
        return row

    def _update_undo(self) -> None:
        self.undo_button.setEnabled(self.canvas.can_undo())
        self.redo_button.setEnabled(self.canvas.can_redo())

    def _tool_changed(self) -> None:
        self.canvas.erasing = self.eraser_button.isChecked()

    def _size_changed(self, value: int) -> None:
        self.canvas.brush = value
        self.size_label.setText(f"{value} px")

    def save(self) -> None:
        """Write the mask beside the results (never over a file) and accept."""
        stem = Path(self.photo_path).stem + MASK_SUFFIX
        try:
            folder = self.folder / "masks"
            folder.mkdir(parents=True, exist_ok=True)
            path = unique_path(folder, stem)
            if not self.canvas.mask.save(str(path), "PNG"):
                raise OSError("the image could not be written")
        except OSError as exc:
            self.error = (
                f"The mask could not be saved in '{self.folder / 'masks'}' "
                f"({exc.strerror or exc}); choose another output folder."
            )
            QMessageBox.warning(self, "Cannot save the mask", self.error)
            return
        self.saved_path = str(path)
        self.accept()

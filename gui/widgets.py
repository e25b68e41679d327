"""Small widgets shared by the window: number boxes, the image view, image conversion.

The larger widgets have modules of their own: picker.py (content and style pickers),
layers.py (the layer lists) and loss_plot.py (the loss curve).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PyQt5.QtCore import QRect, QSize, Qt
from PyQt5.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette, QPixmap, QResizeEvent
from PyQt5.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QSizePolicy,
    QSpinBox,
    QWidget,
)


def numpy_to_qimage(array: np.ndarray) -> QImage:
    """An H x W x 3 uint8 RGB array as a QImage that owns its pixels.

    Call it on the GUI thread only. QImage(data, ...) borrows the buffer, so the result is
    copied before the array can go away.
    """
    array = np.ascontiguousarray(array, dtype=np.uint8)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"expected an H x W x 3 image, not shape {array.shape}")
    height, width = array.shape[:2]
    image = QImage(array.data, width, height, 3 * width, QImage.Format_RGB888)
    return image.copy()


class NumberBox(QDoubleSpinBox):
    """A float spin box that shows numbers as people write them: 4, 0.5, 2000, 1e-05.

    QDoubleSpinBox pads every value to a fixed number of decimals ("2000.000000"), which
    is unreadable for values that span several orders of magnitude (learning rates, loss
    weights); this shows the shortest form and steps by about a tenth of the value.
    """

    def __init__(self, minimum: float, maximum: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(6)
        self.setRange(minimum, maximum)
        self.setStepType(QAbstractSpinBox.AdaptiveDecimalStepType)
        self.setKeyboardTracking(False)  # validate when typing is done, not per keystroke
        self.setAccelerated(True)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt's name)
        try:
            return float(text.strip().replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple:  # noqa: D102 (Qt's override)
        from PyQt5.QtGui import QValidator

        stripped = text.strip()
        if stripped in ("", "-", ".", "e", "E") or stripped.lower().endswith(("e", "e-", "e+")):
            return QValidator.Intermediate, text, pos
        try:
            value = float(stripped.replace(",", "."))
        except ValueError:
            return QValidator.Invalid, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.Acceptable, text, pos
        return QValidator.Intermediate, text, pos


def int_box(minimum: int, maximum: int, value: int, tooltip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setValue(value)
    box.setKeyboardTracking(False)
    box.setAccelerated(True)
    box.setToolTip(tooltip)
    return box


def select_data(box: QComboBox, data: Any) -> None:
    """Select the item holding ``data``; a value the list lacks leaves the choice as it is."""
    index = box.findData(data)
    if index >= 0:
        box.setCurrentIndex(index)


class ImageView(QWidget):
    """Shows one image scaled to fit, aspect kept, with a caption; a hint when empty."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._scaled: QPixmap | None = None  # cached for the current widget size
        self._placeholder = placeholder
        self._caption = ""
        self.setMinimumSize(160, 140)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.Window, palette.color(QPalette.Base).darker(108))
        self.setPalette(palette)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(420, 340)

    def image(self) -> QImage | None:
        return self._image

    def caption(self) -> str:
        return self._caption

    def set_image(self, image: QImage | None, caption: str = "") -> None:
        self._image = image
        self._scaled = None
        self._caption = caption
        self.update()

    def set_caption(self, caption: str) -> None:
        self._caption = caption
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        self._scaled = None
        super().resizeEvent(event)

    def _caption_height(self) -> int:
        return self.fontMetrics().height() + 8

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        area = self.rect().adjusted(6, 6, -6, -6 - self._caption_height())
        if self._image is None or self._image.isNull():
            painter.setPen(self.palette().color(QPalette.Disabled, QPalette.WindowText))
            painter.drawText(area, Qt.AlignCenter | Qt.TextWordWrap, self._placeholder)
        else:
            pixmap = self._scaled_pixmap(area.size())
            x = area.x() + (area.width() - pixmap.width()) // 2
            y = area.y() + (area.height() - pixmap.height()) // 2
            painter.drawPixmap(x, y, pixmap)
        if self._caption:
            painter.setPen(self.palette().color(QPalette.WindowText))
            box = QRect(
                6, self.height() - self._caption_height(), self.width() - 12, self._caption_height()
            )
            text = self.fontMetrics().elidedText(self._caption, Qt.ElideMiddle, box.width())
            painter.drawText(box, Qt.AlignCenter, text)
        painter.end()

    def _scaled_pixmap(self, size: QSize) -> QPixmap:
        # Scaling a large result on every repaint would make resizing sluggish; the
        # scaled copy is made once per widget size. Small images are not blown up past
        # 4x, which would only show blur (a 48 px test result in a 500 px view).
        assert self._image is not None
        limit = QSize(self._image.width() * 4, self._image.height() * 4)
        target = size.boundedTo(limit)
        if self._scaled is None or self._scaled.size() != self._image.size().scaled(
            target, Qt.KeepAspectRatio
        ):
            mode = Qt.SmoothTransformation
            scaled = self._image.scaled(
                max(1, target.width()), max(1, target.height()), Qt.KeepAspectRatio, mode
            )
            self._scaled = QPixmap.fromImage(scaled)
        return self._scaled


def muted_color(widget: QWidget) -> QColor:
    return widget.palette().color(QPalette.Disabled, QPalette.WindowText)

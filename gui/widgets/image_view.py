"""The image view (an image scaled to fit, with a caption that never cuts a number) and
the conversion of NumPy arrays to QImages."""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import QEvent, QRect, QSize, Qt
from PyQt5.QtGui import (
    QFontMetrics,
    QHelpEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
)
from PyQt5.QtWidgets import QSizePolicy, QToolTip, QWidget

from gui.widgets.path_label import elide_path

# Captions join their parts with this; a caption too wide for its view breaks between
# parts first, so that "4000 × 1500" or "step 6 of 400" stays on one line.
CAPTION_SEPARATOR = " · "
# The caption's room under the image is always this many lines high, caption or not, so
# that the image never moves when a caption grows or shrinks (the tooltip has it whole).
CAPTION_MAX_LINES = 2


def caption_lines(
    caption: str, metrics: QFontMetrics, width: int, max_lines: int = CAPTION_MAX_LINES
) -> list[str]:
    """``caption`` in lines that fit ``width``, never cutting a word or a number.

    Its parts (joined by " · ") are packed onto lines; a part wider than a line wraps at
    its spaces, and only a single word wider than a line (a file name) is elided in the
    middle. When that takes more than ``max_lines``, whole parts between the first and the
    last are dropped, the last of them first (a caption says what it is first and its
    state, "not saved", last); what still does not fit ends in "…" after a whole word.
    The view's tooltip keeps the full caption.
    """
    parts = [p for p in caption.split(CAPTION_SEPARATOR) if p]
    while True:
        for packed in (parts, [_squeeze(p, metrics, width) for p in parts]):
            lines = _pack(packed, metrics, width)
            if len(lines) <= max_lines:
                return lines
        if len(parts) <= 1:
            break
        del parts[-2 if len(parts) > 2 else -1]
    kept = lines[:max_lines]
    words = kept[-1].split(" ")
    while len(words) > 1 and metrics.horizontalAdvance(" ".join(words) + " …") > width:
        words.pop()
    kept[-1] = " ".join(words) + " …"
    return kept


def _squeeze(part: str, metrics: QFontMetrics, width: int) -> str:
    """``part`` on one line by eliding its file name in the middle ("saved as
    tubing…001.png"), when it has one and the rest leaves it room; else as it is."""
    words = part.split(" ")
    names = [i for i, w in enumerate(words) if any(c in w for c in "._/") and not _number(w)]
    if metrics.horizontalAdvance(part) <= width or not names:
        return part
    index = max(names, key=lambda i: len(words[i]))
    rest = " ".join(w for i, w in enumerate(words) if i != index)
    room = width - metrics.horizontalAdvance(rest + " ")
    if room < metrics.horizontalAdvance("abc…123"):
        return part
    words[index] = elide_path(words[index], metrics, room)
    return " ".join(words)


def _number(word: str) -> bool:
    return word.replace(".", "", 1).replace(",", "").isdigit()


def _pack(parts: list[str], metrics: QFontMetrics, width: int) -> list[str]:
    lines: list[str] = []
    for part in parts:
        joined = f"{lines[-1]}{CAPTION_SEPARATOR}{part}" if lines else part
        if lines and metrics.horizontalAdvance(joined) <= width:
            lines[-1] = joined
            continue
        line = ""
        for word in part.split(" "):
            if metrics.horizontalAdvance(word) > width:
                word = elide_path(word, metrics, width)
            candidate = f"{line} {word}" if line else word
            if line and metrics.horizontalAdvance(candidate) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


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

    def placeholder(self) -> str:
        return self._placeholder

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        self._scaled = None
        super().resizeEvent(event)

    def caption_lines(self) -> list[str]:
        """The caption as drawn at the view's width (wrapped, never cut in a number)."""
        if not self._caption:
            return []
        return caption_lines(self._caption, self.fontMetrics(), max(1, self.width() - 12))

    def tooltip_text(self) -> str:
        """The tooltip shown: the full caption (the view may show it shortened), then
        what the view is for."""
        return "\n".join(t for t in (self._caption, self.toolTip()) if t)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.ToolTip and self._caption:
            assert isinstance(event, QHelpEvent)
            QToolTip.showText(event.globalPos(), self.tooltip_text(), self)
            return True
        return super().event(event)

    def _caption_height(self) -> int:
        return self.fontMetrics().height() * CAPTION_MAX_LINES + 8

    def image_area(self) -> QRect:
        """Where the image is drawn: the view less the caption's fixed room."""
        return self.rect().adjusted(6, 6, -6, -6 - self._caption_height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        area = self.image_area()
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
            height = self._caption_height()
            box = QRect(6, self.height() - height, self.width() - 12, height)
            painter.drawText(box, Qt.AlignCenter, "\n".join(self.caption_lines()))
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

"""Small widgets shared by the window: number boxes, the image view, image conversion.

The larger widgets have modules of their own: picker.py (content and style pickers),
layers.py (the layer lists) and loss_plot.py (the loss curve).
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
from PyQt5.QtCore import QEvent, QRect, QSize, Qt, QUrl
from PyQt5.QtGui import (
    QColor,
    QFontMetrics,
    QHelpEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
)
from PyQt5.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QToolTip,
    QWidget,
)

# Captions join their parts with this; a caption too wide for its view breaks between
# parts first, so that "4000 × 1500" or "step 6 of 400" stays on one line.
CAPTION_SEPARATOR = " · "
CAPTION_MAX_LINES = 4
# The significant digits a computed value (the strength slider's style weight) shows with:
# as many as a person would type; the box keeps the exact value.
SHOWN_DIGITS = 3


def elide_path(path: str, metrics: QFontMetrics, width: int) -> str:
    """``path`` shortened in the middle to fit ``width`` pixels ("/home/…/result_001.png"):
    the start says where and the end names the file, so the middle is what can go."""
    return metrics.elidedText(path, Qt.ElideMiddle, max(0, width))


def caption_lines(
    caption: str, metrics: QFontMetrics, width: int, max_lines: int = CAPTION_MAX_LINES
) -> list[str]:
    """``caption`` in lines that fit ``width``, never cutting a word or a number.

    Its parts (joined by " · ") are packed onto lines; a part wider than a line wraps at
    its spaces, and only a single word wider than a line (a file name) is elided in the
    middle. When that takes more than ``max_lines``, whole parts between the first and the
    last are dropped, the last of them first (a caption says what it is first and its
    state, "not saved", last); the view's tooltip keeps the full caption.
    """
    parts = [p for p in caption.split(CAPTION_SEPARATOR) if p]
    while True:
        lines = _pack(parts, metrics, width)
        if len(lines) <= max_lines or len(parts) <= 1:
            return lines[:max_lines]
        del parts[-2 if len(parts) > 2 else -1]


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


def rounded_text(value: float, digits: int = SHOWN_DIGITS) -> str:
    """``value`` with ``digits`` significant digits, never fewer than its whole digits:
    0.14330125 -> "0.143", 31.6227766 -> "31.6", 316227.766 -> "316228"."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    whole = math.floor(math.log10(abs(value))) + 1
    return f"{value:.{max(digits, whole)}g}"


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
        # The value last given by setValue and what the box made of it (rounded to its
        # decimals): while the box still holds the latter, value() returns the former.
        self._given: tuple[float, float] | None = None
        self.setDecimals(6)
        self.setRange(minimum, maximum)
        self.setStepType(QAbstractSpinBox.AdaptiveDecimalStepType)
        self.setKeyboardTracking(False)  # validate when typing is done, not per keystroke
        self.setAccelerated(True)

    def setValue(self, value: float) -> None:  # noqa: N802 (Qt's name)
        """Set from code (Settings, the strength slider); typing and stepping bypass it."""
        value = float(value)
        # Qt shows the text while it sets the value, so the pair must be known before:
        # the box's own rounding (to its decimals, within its range), then the real one.
        rounded = float(f"{value:.{self.decimals()}f}")
        self._given = (value, min(max(rounded, self.minimum()), self.maximum()))
        super().setValue(value)
        self._given = (value, super().value())

    def value(self) -> float:
        """The exact value given by setValue while it stands, else the box's own."""
        shown = super().value()
        exact = self._exact(shown)
        return shown if exact is None else exact

    def _exact(self, shown: float) -> float | None:
        given = getattr(self, "_given", None)  # Qt may ask before __init__ has set it
        if given is None or given[1] != shown or not self.minimum() <= given[0] <= self.maximum():
            return None
        return given[0]

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        exact = self._exact(value)
        if exact is not None and float(f"{exact:.6g}") != exact:
            # A computed value (10 ** 0.843 = 6.9663...) is no number anyone typed: shown
            # with the digits a typed one has; value() still gives it exactly.
            return rounded_text(exact)
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt's name)
        if text.strip() == self.textFromValue(super().value()):
            # Enter on an untouched, rounded display must not replace the exact value.
            return super().value()
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
        lines = max(1, len(self.caption_lines()))
        return self.fontMetrics().height() * lines + 8

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


class PathLabel(QLabel):
    """One line with a path in it, "Saved as <path>", fitted to the label's width: the
    path is shortened in the middle (elide_path); when that would leave less than
    PATH_KEPT characters of it, the ``after`` part, then the words before it give way
    whole (to ``short_before``), never cut. The full text is the tooltip."""

    PATH_KEPT = 16

    def __init__(self, tip: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._parts = ("", "", "")
        self._short_before = ""
        self._link = ""
        self._shown = ""
        self._tip = tip
        self.setToolTip(tip)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)

    def set_parts(
        self, before: str, path: str, after: str = "", *, short_before: str = "", link: str = ""
    ) -> None:
        """Show ``before`` + ``path`` + ``after``; ``short_before`` stands for ``before``
        when room is short; ``link``: a file the path opens."""
        self._parts = (before, path, after)
        self._short_before = short_before
        self._link = link
        self.setToolTip("\n".join(t for t in (self.full_text(), link, self._tip) if t))
        self._fit()
        self.updateGeometry()

    def full_text(self) -> str:
        return "".join(self._parts)

    def shown_text(self) -> str:
        """The text as shown now, without the link's markup."""
        return self._shown

    def _width_for(self, text: str) -> int:
        margins = self.contentsMargins()
        return self.fontMetrics().horizontalAdvance(text) + 8 + margins.left() + margins.right()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(self._width_for(self.full_text()), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        # The short words before the path and a little of it: the rest may be elided.
        width = min(self._width_for(self._short_before) + 40, self._width_for(self.full_text()))
        return QSize(width, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        before, path, after = self._parts
        metrics = self.fontMetrics()
        room = self.contentsRect().width() - 4
        kept = min(metrics.horizontalAdvance(path), metrics.averageCharWidth() * self.PATH_KEPT)
        for words in ((before, after), (before, ""), (self._short_before, "")):
            if metrics.horizontalAdvance("".join(words)) + kept <= room:
                break
        before, after = words
        path = elide_path(path, metrics, room - metrics.horizontalAdvance(before + after))
        self._shown = before + path + after
        if not self._link:
            super().setText(self._shown)
            return
        url = QUrl.fromLocalFile(self._link).toString()
        super().setText(
            f'{html.escape(before)}<a href="{html.escape(url)}">{html.escape(path)}</a>'
            f"{html.escape(after)}"
        )


def muted_color(widget: QWidget) -> QColor:
    return widget.palette().color(QPalette.Disabled, QPalette.WindowText)

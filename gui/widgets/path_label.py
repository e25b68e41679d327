"""A line with a path in it, fitted to its width by shortening the path in the middle."""

from __future__ import annotations

import html

from PyQt5.QtCore import QSize, Qt, QUrl
from PyQt5.QtGui import QColor, QFontMetrics, QPalette, QResizeEvent
from PyQt5.QtWidgets import QLabel, QSizePolicy, QWidget


def elide_path(path: str, metrics: QFontMetrics, width: int) -> str:
    """``path`` shortened in the middle to fit ``width`` pixels ("/home/…/result_001.png"):
    the start says where and the end names the file, so the middle is what can go."""
    return metrics.elidedText(path, Qt.ElideMiddle, max(0, width))


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

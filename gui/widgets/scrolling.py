"""A panel of controls that scrolls up and down but is never clipped at the side.

A QScrollArea with its horizontal bar off clips whatever is wider than its viewport: at
1024 x 700 the Run tab's drop-down lists and notes lost their right edge. So the area
asks for its contents' minimum width, and drop-down lists may shrink below their
longest item (the full text is in the open list).
"""

from __future__ import annotations

from PyQt5.QtCore import QEvent, QObject, QSize, Qt
from PyQt5.QtWidgets import QComboBox, QScrollArea, QStyle, QWidget

# Characters a closed drop-down list keeps at its narrowest: "The content image" fits;
# longer items ("The photo's (painting recoloured)") show in full when the list opens.
COMBO_MIN_CHARACTERS = 16


class ScrollingPanel(QScrollArea):
    """Scrolls vertically; as wide as its contents need, so nothing is cut at the side."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        for combo in widget.findChildren(QComboBox):
            shrink(combo)
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        # A control added later (a second style's row) widens the contents: ask the
        # window's layout again, so the panel grows instead of clipping it.
        if watched is self.widget() and event.type() == QEvent.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().minimumSizeHint()
        inner = self.widget()
        if inner is None:
            return hint
        bar = self.style().pixelMetric(QStyle.PM_ScrollBarExtent)
        return QSize(max(hint.width(), inner.minimumSizeHint().width() + bar), hint.height())


def shrink(combo: QComboBox) -> None:
    """Let a drop-down list be narrower than its longest item (it shows whole when open)."""
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(COMBO_MIN_CHARACTERS)

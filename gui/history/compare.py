"""Compare two results: side by side at one scale, with the settings in which they differ."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PyQt5.QtCore import (
    QRect,
    QSize,
    Qt,
)
from PyQt5.QtGui import QImage, QPainter, QPaintEvent, QPalette, QPixmap
from PyQt5.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.history.details import display_value, summary
from gui.widgets.image_view import numpy_to_qimage
from nst import history
from nst.errors import NstError
from nst.history import Entry
from nst.imaging.load import load_image

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
            array = load_image(entry.path, role="result")
        except NstError as exc:
            self.view.set_side(index, None, entry.name, str(exc))
            return
        height, width = array.shape[:2]
        caption = f"{entry.name} · {width} × {height}\n{summary(entry)}"
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
        # The verb agrees with the count: "1 setting differs", "2 settings differ".
        what = "1 setting differs" if count == 1 else f"{count} settings differ"
        return f"{what} (both shown at the same scale):"

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
                display_value(name, a),
                display_value(name, b),
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

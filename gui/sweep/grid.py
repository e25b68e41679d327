"""The Sweep tab's contact sheet: headers with the values, a thumbnail button per cell."""

from __future__ import annotations

import numpy as np
from PyQt5.QtCore import QSize, Qt, pyqtSignal
from PyQt5.QtGui import QIcon, QPixmap
from PyQt5.QtWidgets import QButtonGroup, QGridLayout, QLabel, QToolButton, QWidget

from gui.widgets.image_view import numpy_to_qimage
from nst.memory_model import work_dims
from nst.sweep.axes import axis_label
from nst.sweep.grid import CELL_SIZE, Cell, Sweep

# Thumbnails are shown with their longest side in this range whatever the cell size: a
# 32 px cell would be a speck, a 512 px one would push the grid off the screen.
THUMB_MIN, THUMB_MAX = 128, 256
# The chosen cell must stand out at a glance: the style's default "checked" look is a
# slightly darker grey.
CELL_STYLE = "QToolButton:checked { border: 3px solid palette(highlight); }"


def name_label(name: str) -> str:
    """How the axis combo lists a name: 'Style weight', 'Style weight of conv3_1'."""
    text = axis_label(name)
    return text[:1].upper() + text[1:]


class SheetGrid(QWidget):
    """The contact sheet as it fills: headers with the values, a thumbnail button per cell."""

    selected = pyqtSignal(int)  # cell index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setSpacing(6)
        self.grid.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QToolButton] = []
        self.headers: list[QLabel] = []
        self.thumb = QSize(THUMB_MAX, THUMB_MAX)
        self.placeholder = QLabel(
            "The sweep's cells appear here as they finish, labelled with their values.\n"
            "Choose what to vary above and press Render sweep."
        )
        self.placeholder.setAlignment(Qt.AlignCenter)
        self.placeholder.setEnabled(False)  # drawn muted: a hint, not content
        self.grid.addWidget(self.placeholder, 0, 0)

    def clear(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget()
            if widget is not None and widget is not self.placeholder:
                widget.deleteLater()
        for button in self.buttons:
            self.group.removeButton(button)
        self.buttons, self.headers = [], []
        self.placeholder.hide()

    def show_sweep(self, sweep: Sweep, cell_dims: tuple[int, int]) -> None:
        """Headers and an empty button per cell: across on top, down on the left."""
        self.clear()
        longest = min(THUMB_MAX, max(THUMB_MIN, sweep.cell_size))
        self.thumb = QSize(*work_dims(*cell_dims, longest))
        across = sweep.axes[0]
        self.grid.addWidget(self._header(across.label, axis=True), 0, 1, 1, sweep.columns)
        for column, text in enumerate(across.texts()):
            self.grid.addWidget(self._header(text, tip=f"{across.label} = {text}"), 1, column + 1)
        if len(sweep.axes) > 1:
            down = sweep.axes[1]
            self.grid.addWidget(self._header(down.label, axis=True), 1, 0)
            for row, text in enumerate(down.texts()):
                self.grid.addWidget(self._header(text, tip=f"{down.label} = {text}"), row + 2, 0)
        for index, cell in enumerate(sweep.cells):
            button = self._cell_button(cell)
            button.clicked.connect(lambda _checked, i=index: self.selected.emit(i))
            self.group.addButton(button, index)
            self.buttons.append(button)
            self.grid.addWidget(button, cell.row + 2, cell.column + 1)

    def _header(self, text: str, *, axis: bool = False, tip: str = "") -> QLabel:
        label = QLabel(text)
        label.setAlignment(Qt.AlignCenter if not axis else Qt.AlignLeft | Qt.AlignVCenter)
        if axis:
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            label.setToolTip("The setting the sweep varies in this direction.")
        else:
            label.setToolTip(tip)
        self.headers.append(label)
        return label

    def _cell_button(self, cell: Cell) -> QToolButton:
        button = QToolButton()
        button.setCheckable(True)
        button.setStyleSheet(CELL_STYLE)
        button.setIconSize(self.thumb)
        button.setFixedSize(self.thumb + QSize(10, 10))
        button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        button.setText("waiting")
        button.setEnabled(False)
        button.setToolTip(f"{cell.describe()}: not rendered yet.")
        return button

    def show_step(self, index: int, text: str) -> None:
        """The step of a cell in progress, until its first live image replaces it."""
        if self.buttons[index].icon().isNull():
            self.buttons[index].setText(text)

    def set_text(self, index: int, text: str, tip: str = "") -> None:
        button = self.buttons[index]
        button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        button.setText(text)
        if tip:
            button.setToolTip(tip)

    def set_image(self, index: int, array: np.ndarray, tip: str = "", final: bool = True) -> None:
        button = self.buttons[index]
        pixmap = QPixmap.fromImage(numpy_to_qimage(array)).scaled(
            self.thumb, Qt.KeepAspectRatio, Qt.SmoothTransformation
        )
        button.setIcon(QIcon(pixmap))
        button.setToolButtonStyle(Qt.ToolButtonIconOnly)
        button.setEnabled(final)
        if tip:
            button.setToolTip(tip)


def content_dims(path: str) -> tuple[int, int]:
    """The content image's (width, height), upright, from its header (no decoding)."""
    from PIL import ExifTags, Image

    try:
        with Image.open(path) as im:
            width, height = im.size
            orientation = im.getexif().get(ExifTags.Base.Orientation, 1)
    except (OSError, ValueError):
        return CELL_SIZE, CELL_SIZE  # the worker will say what is wrong with the file
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)

"""The Size group: the output size, the working size and the style's scale. A view of the
model's "size" fields.

The style's size is shown as a scale of the working size; a recipe that gives it in
pixels (style_size, from the command line) keeps its pixels until the scale is edited.
"""

from __future__ import annotations

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtGui import QValidator
from PyQt5.QtWidgets import QFormLayout, QGroupBox, QLabel, QSpinBox, QWidget

from gui.model import WindowModel
from gui.panels.binding import ModelView
from gui.widgets.editors import int_box
from nst.settings import MAX_SIZE, MAX_STYLE_SCALE, MIN_SIZE, MIN_STYLE_SCALE


class SizeBox(QSpinBox):
    """A size in px that takes a typed number above its maximum as the maximum and says so
    (``clamped``): Qt's own box refuses the keystroke, so 20000 became 2000 unsaid."""

    clamped = pyqtSignal(int)  # the number typed

    def __init__(self, minimum: int, tooltip: str) -> None:
        super().__init__()  # set up as gui.widgets.editors.int_box, in pixels
        self.setRange(minimum, MAX_SIZE)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.setToolTip(tooltip)
        self.setSuffix(" px")

    def _typed(self, text: str) -> int | None:
        digits = text.removesuffix(self.suffix()).strip()
        return int(digits) if digits.isdigit() else None

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        typed = self._typed(text)
        if typed is not None and typed > self.maximum():
            return QValidator.Intermediate, text, pos  # fixup() makes it the maximum
        return super().validate(text, pos)

    def fixup(self, text: str) -> str:
        typed = self._typed(text)
        if typed is not None and typed > self.maximum():
            self.clamped.emit(typed)
            return f"{self.maximum()}{self.suffix()}"
        return super().fixup(text)


class SizeGroup(QGroupBox, ModelView):
    GROUPS = ("size",)

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__("Size", parent)
        form = QFormLayout(self)
        # MAX_SIZE: past it one image's activations no longer fit in 24 GiB (constants.py).
        limit = f"from {MIN_SIZE} to {MAX_SIZE} px; larger would not fit in memory"
        self.size_box = SizeBox(MIN_SIZE, f"The longest side of the result in pixels, {limit}.")
        form.addRow("Output size:", self.size_box)
        self.work_size_box = SizeBox(
            0,
            "The longest side the optimization runs at, then "
            f"scaled up to the output size; smaller is much faster. "
            f"{limit[0].upper()}{limit[1:]}.",
        )
        self.work_size_box.setSpecialValueText("Same as output")  # work_size None
        form.addRow("Working size:", self.work_size_box)
        self.size_note = QLabel(wordWrap=True, visible=False)  # a typed size above the limit
        form.addRow(self.size_note)
        for box, what in ((self.size_box, "output"), (self.work_size_box, "working")):
            box.clamped.connect(lambda typed, what=what: self._say_limit(what, typed))
            box.valueChanged.connect(self._hide_limit)
        scales = round(MIN_STYLE_SCALE * 100), round(MAX_STYLE_SCALE * 100)
        self.style_scale_box = int_box(
            *scales,
            100,
            "The painting's size relative to the "
            "result: below 100% its brush strokes come out finer, "
            "above 100% larger.",
        )
        self.style_scale_box.setSuffix(" %")
        self.style_scale_box.setSingleStep(10)
        form.addRow("Style scale:", self.style_scale_box)
        self.size_box.valueChanged.connect(lambda v: self.edit(size=v))
        self.work_size_box.valueChanged.connect(lambda v: self.edit(work_size=v or None))
        # The scale replaces a size in pixels: one value, the style's size, either way.
        self.style_scale_box.valueChanged.connect(
            lambda v: self.edit(style_scale=v / 100, style_size=None)
        )
        self.bind(model)

    def show_model(self) -> None:
        self.size_box.setValue(self.value("size"))
        self.work_size_box.setValue(self.value("work_size") or 0)
        scale = self.value("style_scale")
        style_size = self.value("style_size")
        if style_size:  # a size in pixels (a recipe from the command line), as a scale
            scale = style_size / self.model.settings.resolved_work_size
        self.style_scale_box.setValue(round(scale * 100))

    def run_at_size(self, size: int) -> None:
        """Set the working size (the output size too when they are the same)."""
        self.model.set_field("work_size" if self.value("work_size") else "size", size)

    def _say_limit(self, what: str, typed: int) -> None:
        self.size_note.setText(
            f"The {what} size is at most {MAX_SIZE} px: {typed} became {MAX_SIZE}."
        )
        self.size_note.setVisible(True)

    def _hide_limit(self, value: int) -> None:
        if value < MAX_SIZE:
            self.size_note.setVisible(False)

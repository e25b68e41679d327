"""The editors of numbers and choices: a float box that shows numbers as people write
them, an int box, and a combo box over named choices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PyQt5.QtWidgets import QAbstractSpinBox, QComboBox, QDoubleSpinBox, QSpinBox, QWidget

from nst.settings.text import number_text


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
        # A computed value (10 ** 0.843 = 6.9663...) is shown with the digits a typed one
        # has, by the rule every face uses; value() still gives it exactly.
        exact = self._exact(value)
        return number_text(exact if exact is not None else value)

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


def combo(names: Iterable[str], labels: dict[str, str], tooltip: str) -> QComboBox:
    """A combo box over ``names``, each shown by its label, holding the name as its data."""
    box = QComboBox()
    for name in names:
        box.addItem(labels.get(name, name), name)
    box.setToolTip(tooltip)
    return box

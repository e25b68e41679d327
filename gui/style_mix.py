"""The instant method's controls: style strength and the weights of several style images.

A row per style image: the main one (the Style picker's) first, then the extra ones added
here, each with a weight slider and, for the extras, a remove button. Weights are relative
(the engine divides by their sum), so the sliders run from 0 to 1 in steps of 0.01.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.picker import file_dialog_filter

STEPS = 100  # slider positions per unit of weight or strength


def slider(value: float, tooltip: str) -> QSlider:
    widget = QSlider(Qt.Horizontal)
    widget.setRange(0, STEPS)
    widget.setValue(round(value * STEPS))
    widget.setToolTip(tooltip)
    return widget


class StyleMix(QWidget):
    """Style strength, the main style's weight, and extra style images with weights."""

    changed = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialog_folder = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.grid = QGridLayout()
        layout.addLayout(self.grid)
        self.strength = slider(
            1.0, "Instant method: 0 keeps the photo's own look, 1 takes the painting's style fully."
        )
        self.strength_label = QLabel()
        self.grid.addWidget(QLabel("Style strength:"), 0, 0)
        self.grid.addWidget(self.strength, 0, 1)
        self.grid.addWidget(self.strength_label, 0, 2)
        self.main_name = QLabel("Style image:")
        self.main_weight = slider(
            1.0,
            "The weight of the Style picker's image among the "
            "style images (relative to the others).",
        )
        self.main_label = QLabel()
        self.grid.addWidget(self.main_name, 1, 0)
        self.grid.addWidget(self.main_weight, 1, 1)
        self.grid.addWidget(self.main_label, 1, 2)
        self.rows: list[tuple[str, QLabel, QSlider, QLabel, QToolButton]] = []
        self.add_button = QPushButton("Add a style image…")
        self.add_button.setToolTip(
            "Blend another painting's style into the instant result, with its own weight."
        )
        self.add_button.clicked.connect(self.open_dialog)
        layout.addWidget(self.add_button, 0, Qt.AlignLeft)
        for widget in (self.strength, self.main_weight):
            widget.valueChanged.connect(self._on_change)
        self._update_labels()

    # --- values ---

    def style_strength(self) -> float:
        return self.strength.value() / STEPS

    def main_style_weight(self) -> float:
        return self.main_weight.value() / STEPS

    def extra_styles(self) -> list[tuple[str, float]]:
        return [(path, s.value() / STEPS) for path, _, s, _, _ in self.rows]

    def set_values(self, strength: float, main_weight: float,
                   extra: Sequence[tuple[str, float]]) -> None:  # fmt: skip
        self.blockSignals(True)
        try:
            self.strength.setValue(round(strength * STEPS))
            self.main_weight.setValue(round(min(main_weight, 1.0) * STEPS))
            for path, *_ in list(self.rows):
                self.remove(path)
            for path, weight in extra:
                self.add(path, weight)
        finally:
            self.blockSignals(False)
        self._on_change()

    def set_main_name(self, path: str) -> None:
        name = os.path.basename(path) if path else "Style image"
        self.main_name.setText(f"{_short(name)}:")
        self.main_name.setToolTip(path)

    # --- rows ---

    def add(self, path: str, weight: float = 1.0) -> None:
        if any(p == path for p, *_ in self.rows):
            return
        row = len(self.rows) + 2
        name = QLabel(f"{_short(os.path.basename(path))}:")
        name.setToolTip(path)
        weight_slider = slider(
            min(weight, 1.0), f"The weight of {os.path.basename(path)} among the style images."
        )
        value = QLabel()
        remove = QToolButton()
        remove.setText("✕")
        remove.setToolTip(f"Remove {os.path.basename(path)} from the style images.")
        remove.clicked.connect(lambda: self.remove(path))
        weight_slider.valueChanged.connect(self._on_change)
        for column, widget in enumerate((name, weight_slider, value, remove)):
            self.grid.addWidget(widget, row, column)
        self.rows.append((path, name, weight_slider, value, remove))
        self._on_change()

    def remove(self, path: str) -> None:
        kept = []
        for entry in self.rows:
            if entry[0] == path:
                for widget in entry[1:]:
                    self.grid.removeWidget(widget)
                    widget.deleteLater()
            else:
                kept.append(entry)
        self.rows = kept
        self._on_change()

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Add a style image", self.dialog_folder, file_dialog_filter()
        )
        if path:
            self.dialog_folder = os.path.dirname(path)
            self.add(path)

    def _on_change(self) -> None:
        self._update_labels()
        self.changed.emit()

    def _update_labels(self) -> None:
        self.strength_label.setText(f"{self.style_strength():.2f}")
        self.main_label.setText(f"{self.main_style_weight():.2f}")
        for _, _, weight_slider, value, _ in self.rows:
            value.setText(f"{weight_slider.value() / STEPS:.2f}")
        has_extra = bool(self.rows)
        # With one style image its weight means nothing; show it once there are several.
        self.main_name.setVisible(has_extra)
        self.main_weight.setVisible(has_extra)
        self.main_label.setVisible(has_extra)


def _short(name: str, limit: int = 22) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"

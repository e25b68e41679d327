"""Style strength, several style images with a weight each, and each style's region.

A row per style image: the main one (the Style picker's) first, then the extra ones added
here, each with a weight slider, a Region button (paint a mask over the photo, load one,
or use the whole picture) and, for the extras, a remove button. Weights are relative (the
engine divides by their sum), so the sliders run from 0 to 1 in steps of 0.01. A row keeps
its exact weight beside its slider: a recipe's 2.0 or 0.375 is shown and run as it is (the
slider then stands at its end or nearest step) until the user moves that slider.

Style strength means one thing per method: the instant network's blend between the
photo's own style and the painting's (Settings.style_strength), or for the optimization
the style/content weight ratio on a log scale (settings.strength_to_ratio); the window
ties the latter to the style weight box.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.mask_painter import MaskPainter
from gui.picker import file_dialog_filter, samples_menu

STEPS = 100  # slider positions per unit of weight or strength


def slider(value: float, tooltip: str) -> QSlider:
    widget = QSlider(Qt.Horizontal)
    widget.setMinimumWidth(80)  # in a narrow panel a slider must not shrink to a dot
    widget.setRange(0, STEPS)
    widget.setValue(round(value * STEPS))
    widget.setToolTip(tooltip)
    return widget


@dataclass
class StyleRow:
    """One style image's widgets, and its mask ("" for the whole picture / the rest)."""

    path: str
    name: QLabel
    weight: QSlider
    value: QLabel
    region: QToolButton
    remove: QToolButton | None
    mask: str = ""
    exact: float = 1.0  # the weight itself; the slider shows it clamped to 0..1

    def set_weight(self, weight: float) -> None:
        self.exact = weight
        self.weight.blockSignals(True)  # not the user's move: keep the exact value
        self.weight.setValue(round(min(weight, 1.0) * STEPS))
        self.weight.blockSignals(False)


class StyleMix(QWidget):
    """Style strength, the style images with their weights, and their regions."""

    changed = pyqtSignal()
    # The optimization's strength slider moved by the user: its position, 0..1.
    strength_moved = pyqtSignal(float)
    # A style image added here (dialog or sample): the window remembers where it came from.
    image_chosen = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialog_folder = ""
        # (content image path, folder for painted masks), set by the window.
        self.context: Callable[[], tuple[str, str]] = lambda: ("", "")
        # Where "Add a style image…" opens: the last folder images came from (the window's).
        self.image_folder: Callable[[], str] = lambda: self.dialog_folder
        self.method = "gatys"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.grid = QGridLayout()
        layout.addLayout(self.grid)
        self.strength = slider(
            1.0, "Instant method: 0 keeps the photo's own look, 1 takes the painting's style fully."
        )
        self.ratio_strength = slider(
            0.5,
            "From a hint of style (left) to all style (right): sets the style weight against "
            "the content weight on a log scale, so equal steps look like equal changes.",
        )
        self.strength_label = QLabel()
        self.strength_name = QLabel("Style strength:")
        ends = QHBoxLayout()
        self.hint_label = QLabel("hint")
        self.all_label = QLabel("all style")
        for label in (self.hint_label, self.all_label):
            label.setStyleSheet("color: palette(mid);")
        ends.addWidget(self.hint_label)
        ends.addWidget(self.strength, 1)
        ends.addWidget(self.ratio_strength, 1)
        ends.addWidget(self.all_label)
        self.grid.addWidget(self.strength_name, 0, 0)
        self.grid.addLayout(ends, 0, 1, 1, 3)  # as wide as the weight, value and region
        self.grid.addWidget(self.strength_label, 0, 4)
        # As wide as its widest value: "2%" after "78%" must not move the slider.
        self.strength_label.setFixedWidth(_text_width(self.strength_label, "100%", "0.00"))
        self.strength_label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.grid.setColumnStretch(1, 1)
        self.rows: list[StyleRow] = []
        self._add_row("", 1.0, removable=False)
        self.add_button = QPushButton("Add a style image…")
        self.add_button.setToolTip(
            "Blend another painting's style in with its own weight, or give it a region of "
            "the photo (Region button)."
        )
        self.add_button.clicked.connect(self.open_dialog)
        # The same paintings as the Style picker's Samples, paintings first.
        self.samples_button = QToolButton()
        self.samples_button.setText("Samples")
        self.samples_button.setPopupMode(QToolButton.InstantPopup)
        self.samples_button.setToolTip("Add one of the bundled sample paintings as a style.")
        self.samples_menu = samples_menu(self, "paintings", self._chosen)
        self.samples_button.setMenu(self.samples_menu)
        adders = QHBoxLayout()
        adders.addWidget(self.add_button)
        adders.addWidget(self.samples_button)
        adders.addStretch(1)
        layout.addLayout(adders)
        # Regions belong to the optimization; another method leaves them aside, and says so.
        self.regions_note = QLabel()
        self.regions_note.setWordWrap(True)
        self.regions_note.hide()
        layout.addWidget(self.regions_note)
        self.strength.valueChanged.connect(self._on_change)
        self.ratio_strength.valueChanged.connect(self._ratio_moved)
        self.set_method("gatys")

    # --- values ---

    def style_strength(self) -> float:
        return self.strength.value() / STEPS

    def ratio_position(self) -> float:
        return self.ratio_strength.value() / STEPS

    def set_ratio_position(self, position: float) -> None:
        """Show a style/content ratio's slider position without emitting strength_moved."""
        self.ratio_strength.blockSignals(True)
        self.ratio_strength.setValue(round(position * STEPS))
        self.ratio_strength.blockSignals(False)
        self._update_labels()

    def main_style_weight(self) -> float:
        return self.rows[0].exact

    def extra_styles(self) -> list[tuple[str, float]]:
        return [(row.path, row.exact) for row in self.rows[1:]]

    def style_masks(self) -> tuple[str, ...]:
        """One mask per style image ("" for the rest), or () when no style has one or the
        method is not Gatys: the other methods ignore the regions (kept for Gatys)."""
        masks = tuple(row.mask for row in self.rows)
        return masks if any(masks) and self.method == "gatys" else ()

    def preview_strength(self) -> float:
        """The strength the instant preview shows: the visible slider's, whichever method."""
        return self.ratio_position() if self.method == "gatys" else self.style_strength()

    def set_values(self, strength: float, main_weight: float,
                   extra: Sequence[tuple[str, float]],
                   masks: Sequence[str] = ()) -> None:  # fmt: skip
        self.blockSignals(True)
        try:
            self.strength.setValue(round(strength * STEPS))
            self.rows[0].set_weight(main_weight)
            for row in list(self.rows[1:]):
                self.remove(row.path)
            for path, weight in extra:
                self.add(path, weight)
            masks = list(masks) or [""] * len(self.rows)
            for row, mask in zip(self.rows, masks):
                self._set_mask(row, mask)
        finally:
            self.blockSignals(False)
        self._on_change()

    def set_main_name(self, path: str) -> None:
        row = self.rows[0]
        row.path = path
        name = os.path.basename(path) if path else "Style image"
        row.name.setText(f"{_short(name)}:")
        row.name.setToolTip(path)
        if not path and row.mask:  # the style removed: its region goes with it
            self._set_mask(row, "", emit=True)

    def set_method(self, method: str) -> None:
        """Show the controls that mean something to ``method``."""
        self.method = method
        instant = method == "instant"
        self.strength.setVisible(instant)
        self.ratio_strength.setVisible(method == "gatys")
        # A texture has no photo: no ratio to it, and no regions to paint on.
        for widget in (self.strength_name, self.strength_label, self.hint_label, self.all_label):
            widget.setVisible(method != "texture")
        self._update_labels()

    # --- rows ---

    def _add_row(self, path: str, weight: float, removable: bool = True) -> StyleRow:
        row_index = len(self.rows) + 1
        base = os.path.basename(path) if path else "Style image"
        name = QLabel(f"{_short(base)}:")
        name.setToolTip(path)
        weight_slider = slider(
            min(weight, 1.0), f"The weight of {base} among the style images (relative)."
        )
        value = QLabel()
        region = QToolButton()
        region.setPopupMode(QToolButton.InstantPopup)
        # As wide as its widest text: "Whole" turning into "Mask" must not move the row.
        region.setFixedWidth(_button_width(region, "Whole", "Mask", "Rest"))
        value.setFixedWidth(_text_width(value, "0.0000"))
        remove = None
        if removable:
            remove = QToolButton()
            remove.setText("✕")
            remove.setToolTip(f"Remove {base} from the style images.")
            remove.clicked.connect(lambda: self.remove(path))
        row = StyleRow(path, name, weight_slider, value, region, remove, exact=weight)
        menu = QMenu(region)
        menu.addAction("Paint the region…", lambda: self.paint(row))
        menu.addAction("Load a mask image…", lambda: self.load_mask(row))
        menu.addAction("Whole picture (no mask)", lambda: self._set_mask(row, "", emit=True))
        region.setMenu(menu)
        weight_slider.valueChanged.connect(lambda position: self._weight_moved(row, position))
        for column, widget in enumerate((name, weight_slider, value, region, remove)):
            if widget is not None:
                self.grid.addWidget(widget, row_index, column)
        self.rows.append(row)
        self._set_mask(row, "")
        return row

    def add(self, path: str, weight: float = 1.0) -> None:
        if any(row.path == path for row in self.rows[1:]):
            return
        self._add_row(path, weight)
        self._on_change()

    def remove(self, path: str) -> None:
        kept = [self.rows[0]]
        for row in self.rows[1:]:
            if row.path == path:
                for widget in (row.name, row.weight, row.value, row.region, row.remove):
                    if widget is not None:
                        self.grid.removeWidget(widget)
                        widget.deleteLater()
            else:
                kept.append(row)
        self.rows = kept
        self._show_regions()  # the others' "Rest" is "Whole" again if its mask went
        self._on_change()

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Add a style image", self.image_folder(), file_dialog_filter()
        )
        if path:
            self._chosen(path)

    def _chosen(self, path: str) -> None:
        self.add(path)
        self.image_chosen.emit(path)

    # --- regions ---

    def _set_mask(self, row: StyleRow, mask: str, emit: bool = False) -> None:
        row.mask = mask
        self._show_regions()
        if emit:
            self._on_change()

    def _show_regions(self) -> None:
        """Each Region button says what its style covers: its mask, what the masks leave
        ("Rest"), or, while no style has a mask, the whole picture."""
        masked = any(row.mask for row in self.rows)
        for row in self.rows:
            if row.mask:
                row.region.setText("Mask")
                row.region.setToolTip(
                    f"This style goes where the mask {row.mask} is white. "
                    "Click to paint it again, load another, or use the "
                    "whole picture."
                )
            else:
                row.region.setText("Rest" if masked else "Whole")
                row.region.setToolTip(
                    "This style covers "
                    + ("what the other styles' masks leave" if masked else "the whole picture")
                    + ". Click to paint or load a region for it."
                )

    def paint(self, row: StyleRow) -> bool:
        """Open the painter over the content image; True when a mask was saved and used."""
        photo, folder = self.context()
        if not photo or not os.path.isfile(photo):
            QMessageBox.information(
                self,
                "Choose a photo first",
                "Regions are painted over the content image: choose one first.",
            )
            return False
        if not folder:
            QMessageBox.information(
                self,
                "Choose an output folder first",
                "Painted masks are saved in the output folder's 'masks' "
                "folder: choose an output folder first.",
            )
            return False
        name = os.path.basename(row.path) if row.path else "the style image"
        dialog = MaskPainter(photo, name, folder, row.mask, self)
        self.painter_dialog = dialog  # tests reach the open dialog through this
        if dialog.exec_() and dialog.saved_path:
            self._set_mask(row, dialog.saved_path, emit=True)
            return True
        return False

    def load_mask(self, row: StyleRow) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load a mask image", self.dialog_folder, file_dialog_filter()
        )
        if path:
            self.dialog_folder = os.path.dirname(path)
            self._set_mask(row, path, emit=True)

    # --- display ---

    def _ratio_moved(self) -> None:
        self._update_labels()
        self.strength_moved.emit(self.ratio_position())

    def _weight_moved(self, row: StyleRow, position: int) -> None:
        row.exact = position / STEPS
        self._on_change()

    def _on_change(self) -> None:
        self._update_labels()
        self.changed.emit()

    def _update_labels(self) -> None:
        if self.method == "instant":
            self.strength_label.setText(f"{self.style_strength():.2f}")
        else:
            self.strength_label.setText(f"{round(self.ratio_position() * 100)}%")
        for row in self.rows:
            row.value.setText(f"{row.exact:.4g}")  # the exact weight, not the slider step
        several = len(self.rows) > 1
        # With one style image its weight means nothing; show it once there are several.
        main = self.rows[0]
        main.weight.setVisible(several)
        main.value.setVisible(several)
        main.name.setVisible(several or self.method == "gatys")
        regions = self.method == "gatys"
        for row in self.rows:
            row.region.setVisible(regions)
        self.regions_note.setVisible(not regions and any(row.mask for row in self.rows))
        self.regions_note.setText(
            f"Regions are not used by the {self.method} method (Gatys uses them again)."
        )


def _text_width(label: QLabel, *texts: str) -> int:
    metrics = label.fontMetrics()
    return max(metrics.horizontalAdvance(text) for text in texts) + 4


def _button_width(button: QToolButton, *texts: str) -> int:
    # The size hint counts the frame and the menu arrow as this style draws them.
    widths = []
    for text in texts:
        button.setText(text)
        widths.append(button.sizeHint().width())
    return max(widths)


def _short(name: str, limit: int = 20) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"

"""Style strength and the style images with their weights and regions: a view of the
model's "style_mix" fields.

A row per style image: the main one (the Style picker's) first, then the extra ones added
here, each with a weight slider, a Region button (gui/panels/style_regions.py) and, for the
extras, a remove button. Weights are relative (the engine divides by their sum), so the
sliders run from 0 to 1 in steps of 0.01; the model keeps each exact weight (a recipe's 2.0
or 0.375 runs as it is, the slider at its end or nearest step) until its slider moves.

Style strength means one thing per method: the instant network's blend between the
photo's own style and the painting's (style_strength), or for the optimization the
style/content weight ratio on a log scale, a view of the model's style_weight (the same
value as the style weight box; the content weight is never rewritten: at 0 there is no
ratio, and the slider waits, disabled).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.model import WindowModel
from gui.panels.binding import ModelView
from gui.panels.style_regions import choose_mask, paint_region, region_button, show_region
from gui.widgets.picker import file_dialog_filter, samples_menu
from gui.widgets.samples import choose_image
from nst.settings.text import number_text

STEPS = 100  # slider positions per unit of weight or strength
RATIO_TIP = (
    "From a hint of style (left) to all style (right): sets the style weight against the "
    "content weight on a log scale, so equal steps look like equal changes."
)
NO_RATIO_TIP = (
    "The content weight is 0: the style has nothing to be weighed against (Layers & weights tab)."
)


def slider(value: float, tooltip: str) -> QSlider:
    widget = QSlider(Qt.Horizontal)
    widget.setMinimumWidth(56)  # in a narrow panel a slider must not shrink to a dot
    widget.setRange(0, STEPS)
    widget.setValue(round(value * STEPS))
    widget.setToolTip(tooltip)
    return widget


@dataclass
class StyleRow:
    """One style image's widgets; its weight and mask as the model last showed them."""

    path: str
    name: QLabel
    weight: QSlider
    value: QLabel
    region: QToolButton
    remove: QToolButton | None
    mask: str = ""
    exact: float = 1.0

    def widgets(self) -> tuple[QWidget, ...]:
        return tuple(w for w in (self.name, self.weight, self.value, self.region, self.remove) if w)


class StyleMix(QWidget, ModelView):
    """Style strength, the style images with their weights, and their regions."""

    GROUPS = ("style_mix",)
    WATCHES = frozenset({"style", "method", "content_weight", "style_weight"})
    # A style image added here (dialog or sample): the window remembers where it came from.
    image_chosen = pyqtSignal(str)

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dialog_folder = ""  # where the last mask was loaded from
        # Where "Add a style image…" opens: the last folder images came from (the window's).
        self.image_folder: Callable[[], str] = lambda: self.dialog_folder
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(4)  # five columns in a narrow panel
        layout.addLayout(self.grid)
        self.strength = slider(
            1.0, "Instant method: 0 keeps the photo's own look, 1 takes the painting's style fully."
        )
        self.ratio_strength = slider(0.5, RATIO_TIP)
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
        self.strength_label.setFixedWidth(_text_width(self.strength_label, "100%"))
        # The panel keeps its width whatever is shown: a method hiding a column or a style
        # added with its remove button must not make the controls jump sideways.
        for widget in (self.strength_name, self.hint_label, self.all_label, self.strength_label):
            _keep_room(widget)
        remove = QToolButton()
        remove.setText("✕")
        self.grid.setColumnMinimumWidth(4, remove.sizeHint().width())
        # A style's name gets the room "Style strength:" takes above it, a longer one is
        # shortened in the middle (the tooltip has the path): no name widens the panel.
        self.name_width = self.strength_name.sizeHint().width()
        self.grid.setColumnMinimumWidth(0, self.name_width)
        self.strength_label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.grid.setColumnStretch(1, 1)
        self.rows: list[StyleRow] = []
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
        self.strength.valueChanged.connect(lambda v: self.edit(style_strength=v / STEPS))
        self.ratio_strength.valueChanged.connect(self._ratio_moved)
        self.bind(model)

    def fixed_while_running(self) -> list[tuple[Any, str]]:
        """What a run cannot change: which style images there are and their regions, and
        the instant method's strength; the weights (the strength slider of the
        optimization, each image's slider) stay (nst/settings/changes.py)."""
        fixed = [self.add_button, self.samples_button, self.strength]
        for row in self.rows:
            fixed += [w for w in (row.region, row.remove) if w is not None]
        return [(widget, "style_mix") for widget in fixed]

    # --- values, as the model holds them ---

    @property
    def method(self) -> str:
        return self.value("method")

    def style_strength(self) -> float:
        return self.value("style_strength")

    def ratio_position(self) -> float:
        return self.ratio_strength.value() / STEPS

    def main_style_weight(self) -> float:
        return self.value("style_image_weight")

    def extra_styles(self) -> list[tuple[str, float]]:
        return [(path, weight) for path, weight in self.value("extra_styles")]

    # --- the user's edits ---

    def add(self, path: str, weight: float = 1.0) -> None:
        self.model.add_style(path, weight)

    def remove(self, path: str) -> None:
        self.model.remove_style(path)

    def open_dialog(self) -> None:
        # the pickers' dialog: the samples one click away in its sidebar
        path = choose_image(self, "Add a style image", self.image_folder(), file_dialog_filter())
        if path:
            self._chosen(path)

    def _chosen(self, path: str) -> None:
        self.add(path)
        self.image_chosen.emit(path)

    def _set_mask(self, row: StyleRow, mask: str, emit: bool = True) -> None:
        """Give ``row``'s style the region ``mask`` ("" for the whole picture)."""
        if row in self.rows:
            self.model.set_region(self.rows.index(row), mask)

    def paint(self, row: StyleRow) -> bool:
        """Open the painter over the content image; True when a mask was saved and used."""
        dialog = paint_region(self, self.value("content"), self.model.folder, row.path, row.mask)
        self.painter_dialog = dialog  # tests reach the open dialog through this
        if dialog is not None and dialog.exec_() and dialog.saved_path:
            self._set_mask(row, dialog.saved_path)
            return True
        return False

    def load_mask(self, row: StyleRow) -> None:
        path = choose_mask(self, self.dialog_folder)
        if path:
            self.dialog_folder = os.path.dirname(path)
            self._set_mask(row, path)

    def _ratio_moved(self, position: int) -> None:
        if not self._showing:
            self.model.set_strength_position(position / STEPS)

    def _weight_moved(self, row: StyleRow, position: int) -> None:
        if not self._showing and row in self.rows:
            self.model.set_style_weight(self.rows.index(row), position / STEPS)

    # --- showing the model ---

    def show_model(self) -> None:
        method = self.method
        self._show_rows()
        self.strength.setValue(round(self.style_strength() * STEPS))
        position = self.model.strength_position
        self.ratio_strength.setEnabled(position is not None)
        self.ratio_strength.setToolTip(RATIO_TIP if position is not None else NO_RATIO_TIP)
        self.ratio_strength.setValue(round((1.0 if position is None else position) * STEPS))
        self.strength.setVisible(method == "instant")
        self.ratio_strength.setVisible(method == "gatys")
        # A texture has no photo: no ratio to it, and no regions to paint on.
        for widget in (self.strength_name, self.strength_label, self.hint_label, self.all_label):
            widget.setVisible(method != "texture")
        # One way to say a strength in either method: a share of the slider.
        shown = self.style_strength() if method == "instant" else self.ratio_position()
        self.strength_label.setText(f"{round(shown * 100)}%")
        several = len(self.rows) > 1
        # With one style image its weight means nothing; show it once there are several.
        main = self.rows[0]
        main.weight.setVisible(several)
        main.value.setVisible(several)
        main.name.setVisible(several or method == "gatys")
        regions = method == "gatys"
        masked = any(row.mask for row in self.rows)
        for row in self.rows:
            row.region.setVisible(regions)
            show_region(row.region, row.mask, masked)
        self.regions_note.setVisible(not regions and masked)
        self.regions_note.setText(
            f"Regions are not used by the {method} method (Gatys uses them again)."
        )

    def _show_rows(self) -> None:
        styles = [(self.value("style"), self.main_style_weight()), *self.extra_styles()]
        paths = [path for path, _ in styles]
        if [row.path for row in self.rows[1:]] != paths[1:] or not self.rows:
            for row in self.rows[1:]:
                for widget in row.widgets():
                    self.grid.removeWidget(widget)
                    widget.deleteLater()
            self.rows = self.rows[:1]
            if not self.rows:
                self._add_row("", removable=False)
            for path in paths[1:]:
                self._add_row(path)
        main = self.rows[0]
        main.path = paths[0]
        name = os.path.basename(main.path) if main.path else "Style image"
        main.name.setText(self._short(name))
        main.name.setToolTip(main.path)
        for row, (_, weight), mask in zip(self.rows, styles, self.model.shown_masks()):
            row.exact, row.mask = weight, mask
            row.weight.setValue(round(min(weight, 1.0) * STEPS))
            # The weight itself, not the slider's step, with the digits a person would type.
            row.value.setText(number_text(weight))

    def _add_row(self, path: str, removable: bool = True) -> None:
        base = os.path.basename(path) if path else "Style image"
        name = QLabel()
        name.setFixedWidth(self.name_width)
        name.setText(self._short(base))
        name.setToolTip(path)
        weight = slider(1.0, f"The weight of {base} among the style images (relative).")
        value = QLabel()
        value.setFixedWidth(_text_width(value, "0.000", "1000"))
        for widget in (name, weight, value):
            _keep_room(widget)
        remove = None
        if removable:
            remove = QToolButton()
            remove.setText("✕")
            remove.setToolTip(f"Remove {base} from the style images.")
            remove.clicked.connect(lambda: self.remove(path))
        holder: list[StyleRow] = []
        region = region_button(
            lambda: self.paint(holder[0]),
            lambda: self.load_mask(holder[0]),
            lambda: self._set_mask(holder[0], ""),
        )
        _keep_room(region)
        row = StyleRow(path, name, weight, value, region, remove)
        holder.append(row)
        weight.valueChanged.connect(lambda position: self._weight_moved(row, position))
        row_index = len(self.rows) + 1
        for column, widget in enumerate((name, weight, value, region, remove)):
            if widget is not None:
                self.grid.addWidget(widget, row_index, column)
        self.rows.append(row)

    def _short(self, name: str) -> str:
        """``name:`` shortened in the middle to the room names get."""
        metrics = self.strength_name.fontMetrics()
        return metrics.elidedText(f"{name}:", Qt.ElideMiddle, self.name_width - 4)


def _keep_room(widget: QWidget) -> None:
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)


def _text_width(label: QLabel, *texts: str) -> int:
    metrics = label.fontMetrics()
    return max(metrics.horizontalAdvance(text) for text in texts) + 4

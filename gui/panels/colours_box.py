"""The Colours group: whose colours the result has, and how much of the photo's come back.
A view of the model's "colours" fields."""

from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QSlider, QWidget

from gui.labels import COLOUR_LABELS
from gui.model import WindowModel
from gui.panels.binding import ModelView
from gui.widgets.editors import combo, select_data
from nst.settings import COLOURS


class ColoursGroup(QGroupBox, ModelView):
    GROUPS = ("colours",)
    WATCHES = frozenset({"method"})

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__("Colours", parent)
        form = QFormLayout(self)
        self.colour_box = combo(
            COLOURS,
            COLOUR_LABELS,
            "Whose colours the result has: the painting's; or the photo's, either by "
            "recolouring the painting to the photo's colours before the run, or by "
            "transferring only light and dark and keeping the photo's colours.",
        )
        form.addRow("Colours:", self.colour_box)
        self.colour_slider = QSlider(Qt.Horizontal)
        self.colour_slider.setRange(0, 100)
        self.colour_slider.setToolTip(
            "With the painting's colours: slide right to bring back the photo's colours "
            "(0% the painting's, 100% the photo's)."
        )
        self.colour_label = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.colour_slider, 1)
        row.addWidget(self.colour_label)
        form.addRow("Photo's colours:", row)
        self.colour_box.currentIndexChanged.connect(
            lambda: self.edit(colour=self.colour_box.currentData())
        )
        self.colour_slider.valueChanged.connect(lambda v: self.edit(colour_strength=v / 100))
        self.bind(model)

    def show_model(self) -> None:
        colour = self.value("colour")
        select_data(self.colour_box, colour)
        position = round(self.value("colour_strength") * 100)
        self.colour_slider.setValue(position)
        self.colour_slider.setEnabled(colour == "style")
        self.colour_label.setText(f"{position}%")
        # A texture has no photo: no colours to keep.
        self.setEnabled(self.value("method") != "texture")

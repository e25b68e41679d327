"""The "Layers & weights" tab: the loss weights and the two VGG19 layer checklists, a
view of the model's "loss_weights" and "layers" fields.

The style weight box and the style strength slider (gui/panels/style_mix.py) show one value, the
model's style_weight: neither rewrites the content weight.
"""

from __future__ import annotations

from PyQt5.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.model import WindowModel
from gui.panels.binding import ModelView
from gui.widgets.editors import NumberBox
from gui.widgets.layers import LayerList
from nst.settings import default

# The largest weight a loss term may get; the engine takes any finite number, this only
# bounds the spin box (style weights of 1e4 and more are used with unnormalized losses).
MAX_LOSS_WEIGHT = 1e9
WEIGHT_FIELDS = ("content_weight", "style_weight", "tv_weight")


class LayersPanel(QWidget, ModelView):
    GROUPS = ("loss_weights", "layers")

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        weights = QGroupBox("Loss weights")
        form = QFormLayout(weights)
        self.content_weight_box = NumberBox(0.0, MAX_LOSS_WEIGHT)
        self.content_weight_box.setToolTip(
            "How strongly the result keeps the content image's shapes."
        )
        self.style_weight_box = NumberBox(0.0, MAX_LOSS_WEIGHT)
        self.style_weight_box.setToolTip(
            "How strongly the result takes on the style image's textures and colours."
        )
        self.tv_weight_box = NumberBox(0.0, MAX_LOSS_WEIGHT)
        self.tv_weight_box.setToolTip(
            "How strongly the result is smoothed (total variation); raise it against speckle noise."
        )
        form.addRow("Content:", self.content_weight_box)
        form.addRow("Style:", self.style_weight_box)
        form.addRow("Smoothness (TV):", self.tv_weight_box)
        layout.addWidget(weights)

        lists = QGroupBox("VGG19 layers")
        grid = QHBoxLayout(lists)
        self.content_layers = LayerList("content")
        self.style_layers = LayerList("style")
        grid.addWidget(self.content_layers)
        grid.addSpacing(12)
        grid.addWidget(self.style_layers)
        layout.addWidget(lists)

        self.defaults_button = QPushButton("Defaults")
        self.defaults_button.setToolTip(
            "Restore the paper's choice: content conv4_2, style "
            "conv1_1 to conv5_1, and the default loss weights."
        )
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.defaults_button)
        layout.addLayout(row)
        layout.addStretch(1)
        self.defaults_button.clicked.connect(self.restore_defaults)

        for name in WEIGHT_FIELDS:
            box = self.weight_box(name)
            box.valueChanged.connect(lambda value, name=name: self.edit(**{name: value}))
        for name, layers in (
            ("content_layers", self.content_layers),
            ("style_layers", self.style_layers),
        ):
            layers.changed.connect(
                lambda name=name, layers=layers: self.edit(**{name: layers.weights()})
            )
        self.bind(model)

    def weight_box(self, name: str) -> NumberBox:
        return getattr(self, name + "_box")

    def show_model(self) -> None:
        for name in WEIGHT_FIELDS:
            self.weight_box(name).setValue(self.value(name))
        self.content_layers.set_weights(self.value("content_layers"))
        self.style_layers.set_weights(self.value("style_layers"))

    def restore_defaults(self) -> None:
        """The paper's layers and the default loss weights, as one edit."""
        names = (*WEIGHT_FIELDS, "content_layers", "style_layers")
        self.model.set_fields(**{name: default(name) for name in names})

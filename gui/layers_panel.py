"""The "Layers & weights" tab: the loss weights and the two VGG19 layer checklists.

A thin view over Settings: show_settings() puts a Settings' values in the controls and
values() gives them back as Settings fields; the window merges every panel's values.
"""

from __future__ import annotations

from typing import Any

from PyQt5.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.layers import LayerList
from gui.widgets import NumberBox
from nst.settings import Settings
from nst.vgg.layers import PAPER_CONTENT_LAYERS, PAPER_STYLE_LAYERS

# The largest weight a loss term may get; the engine takes any finite number, this only
# bounds the spin box (style weights of 1e4 and more are used with unnormalized losses).
MAX_LOSS_WEIGHT = 1e9
_DEFAULTS = Settings()


class LayersPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
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

    def values(self) -> dict[str, Any]:
        return {
            "content_layers": self.content_layers.weights(),
            "style_layers": self.style_layers.weights(),
            "content_weight": self.content_weight_box.value(),
            "style_weight": self.style_weight_box.value(),
            "tv_weight": self.tv_weight_box.value(),
        }

    def show_settings(self, settings: Settings) -> None:
        self.content_weight_box.setValue(settings.content_weight)
        self.style_weight_box.setValue(settings.style_weight)
        self.tv_weight_box.setValue(settings.tv_weight)
        self.content_layers.set_weights(settings.content_layers)
        self.style_layers.set_weights(settings.style_layers)

    def restore_defaults(self) -> None:
        """The paper's layers and the default loss weights."""
        self.content_layers.set_weights(PAPER_CONTENT_LAYERS)
        self.style_layers.set_weights(PAPER_STYLE_LAYERS)
        self.content_weight_box.setValue(_DEFAULTS.content_weight)
        self.style_weight_box.setValue(_DEFAULTS.style_weight)
        self.tv_weight_box.setValue(_DEFAULTS.tv_weight)

"""The "Layers & weights" tab: the loss weights and the two VGG19 layer checklists, a
view of the model's "loss_weights" and "layers" fields.

The style weight box and the style strength slider (gui/panels/style_mix.py) show one value, the
model's style_weight: neither rewrites the content weight.
"""

from __future__ import annotations

from typing import Any

from PyQt5.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.labels import change_words
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
        # A recipe's changes during its run (a steered run's, replayed by Re-run), shown
        # so that Run does not change the weights unannounced; Clear runs without them.
        self.changes_label = QLabel()
        self.changes_label.setWordWrap(True)
        self.changes_label.setToolTip(
            "The weights this run will change as it goes, each after its step: a steered "
            "run's recipe replays them. Clear to run with the weights above throughout."
        )
        self.changes_clear = QPushButton("Clear")
        self.changes_clear.setToolTip("Run with the weights above throughout: no changes.")
        self.changes_clear.clicked.connect(lambda: self.edit(changes=()))
        changes_row = QHBoxLayout()
        changes_row.addWidget(self.changes_label, 1)
        changes_row.addWidget(self.changes_clear)
        form.addRow(changes_row)
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

    def fixed_while_running(self) -> list[tuple[Any, str]]:
        """A run's planned changes are its own once it starts (the weights stay live)."""
        return [(self.changes_clear, "loss_weights")]

    def weight_box(self, name: str) -> NumberBox:
        return getattr(self, name + "_box")

    def show_model(self) -> None:
        for name in WEIGHT_FIELDS:
            self.weight_box(name).setValue(self.value(name))
        self.content_layers.set_weights(self.value("content_layers"))
        self.style_layers.set_weights(self.value("style_layers"))
        changes = self.value("changes")
        words = "; ".join(f"after step {step}: {change_words(n, v)}" for step, n, v in changes)
        self.changes_label.setText(f"Changes during the run: {words}" if changes else "")
        for widget in (self.changes_label, self.changes_clear):
            widget.setVisible(bool(changes))

    def restore_defaults(self) -> None:
        """The paper's layers and the default loss weights, as one edit."""
        names = (*WEIGHT_FIELDS, "content_layers", "style_layers")
        self.model.set_fields(**{name: default(name) for name in names})

"""A checklist of VGG19's 16 conv layers, each checked layer with its own weight."""

from __future__ import annotations

from collections.abc import Mapping

from PyQt5.QtCore import pyqtSignal
from PyQt5.QtWidgets import QCheckBox, QGridLayout, QLabel, QWidget

from gui.widgets.editors import NumberBox
from nst.vgg.layers import CONV_LAYERS

# A layer weight is relative to the other checked layers of the same list (the engine
# takes their weighted mean), so the range only has to span "much less" to "much more".
MAX_LAYER_WEIGHT = 1000.0


def short_name(layer: str) -> str:
    """Keras's 'block4_conv2' as the paper writes it: 'conv4_2'."""
    block, conv = layer.replace("block", "").split("_conv")
    return f"conv{block}_{conv}"


class LayerList(QWidget):
    """One checkbox and one weight per conv layer; the weight is enabled only if checked.

    ``weights()`` gives the checked layers with their weights, in network order, the form
    Settings.content_layers / style_layers take.
    """

    changed = pyqtSignal()

    def __init__(self, role: str, parent: QWidget | None = None) -> None:
        """``role`` is "content" or "style", used in tooltips."""
        super().__init__(parent)
        self.role = role
        self.checks: dict[str, QCheckBox] = {}
        self.spins: dict[str, NumberBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(1)
        heading = QLabel(f"<b>{role.capitalize()} layers</b>")
        grid.addWidget(heading, 0, 0, 1, 2)
        what = (
            "how closely the result keeps the photo's content"
            if role == "content"
            else "which scales of the painting's texture the result takes on"
        )
        for row, layer in enumerate(CONV_LAYERS, start=1):
            check = QCheckBox(short_name(layer))
            check.setToolTip(
                f"Use VGG19's {short_name(layer)} ({layer}) as a {role} layer: it sets {what}."
            )
            spin = NumberBox(0.0, MAX_LAYER_WEIGHT)
            spin.setValue(1.0)
            spin.setEnabled(False)
            spin.setToolTip(
                f"Weight of {short_name(layer)} relative to the other checked {role} layers."
            )
            check.toggled.connect(spin.setEnabled)
            check.toggled.connect(self.changed)
            spin.valueChanged.connect(self.changed)
            self.checks[layer] = check
            self.spins[layer] = spin
            grid.addWidget(check, row, 0)
            grid.addWidget(spin, row, 1)
        grid.setColumnStretch(1, 1)

    def weights(self) -> dict[str, float]:
        return {
            layer: self.spins[layer].value()
            for layer in CONV_LAYERS
            if self.checks[layer].isChecked()
        }

    def set_weights(self, weights: Mapping[str, float]) -> None:
        """Check exactly the given layers with their weights; others are unchecked (their
        weight box keeps its last value, so re-checking a layer brings it back)."""
        self.blockSignals(True)  # one `changed` for the whole update, not 32
        try:
            for layer in CONV_LAYERS:
                checked = layer in weights
                self.checks[layer].setChecked(checked)
                if checked:
                    self.spins[layer].setValue(float(weights[layer]))
        finally:
            self.blockSignals(False)
        self.changed.emit()

"""The Speed group: the convolutions' precision, coarse-to-fine and the memory limit. A
view of the model's "speed" fields."""

from __future__ import annotations

from PyQt5.QtWidgets import QComboBox, QFormLayout, QGroupBox, QWidget

from gui.labels import PRECISION_LABELS, precision_tip
from gui.model import WindowModel
from gui.panels.binding import ModelView
from gui.widgets.editors import NumberBox, combo, select_data
from nst.hardware import cpu_has_fast_bfloat16
from nst.settings import COARSEST_SIZE, MAX_STAGES, PRECISIONS

# The largest memory limit the box takes, in GB: more than a workstation holds.
MAX_MEMORY_GB = 4096.0


class SpeedGroup(QGroupBox, ModelView):
    GROUPS = ("speed",)

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__("Speed", parent)
        form = QFormLayout(self)
        tip = precision_tip(cpu_has_fast_bfloat16())
        self.precision_box = combo(PRECISIONS, PRECISION_LABELS, tip)
        form.addRow("Precision:", self.precision_box)
        self.stages_box = QComboBox()
        self.stages_box.addItem("Automatic", 0)  # stages None
        self.stages_box.addItem("Off", 1)
        for count in range(2, MAX_STAGES + 1):
            self.stages_box.addItem(f"{count} sizes", count)
        self.stages_box.setToolTip(
            "Coarse-to-fine: optimize a small version first, then enlarge it and refine it "
            f"at twice the size, up to the working size. Automatic starts at {COARSEST_SIZE} "
            "px; it reaches a good result in far less time at large sizes."
        )
        form.addRow("Coarse-to-fine:", self.stages_box)
        self.memory_box = NumberBox(0.0, MAX_MEMORY_GB)
        self.memory_box.setSpecialValueText("Automatic")  # max_memory None
        self.memory_box.setSuffix(" GB")
        self.memory_box.setToolTip(
            "The most memory the run may hold. Automatic: what is free when the run starts, "
            "less a margin. A size that would not fit whole is optimized in tiles, to the "
            "same result, more slowly."
        )
        form.addRow("Memory limit:", self.memory_box)
        self.precision_box.currentIndexChanged.connect(
            lambda: self.edit(precision=self.precision_box.currentData())
        )
        self.stages_box.currentIndexChanged.connect(
            lambda: self.edit(stages=self.stages_box.currentData() or None)
        )
        self.memory_box.valueChanged.connect(lambda v: self.edit(max_memory=v or None))
        self.bind(model)

    def show_model(self) -> None:
        select_data(self.precision_box, self.value("precision"))
        select_data(self.stages_box, self.value("stages") or 0)
        self.memory_box.setValue(self.value("max_memory") or 0.0)

"""The Sweep tab's form: what to vary (one or two settings and their values), the cell
size and iterations, where the cells run, and the Render button. The panel
(gui/sweep/sweep_panel.py) connects them."""

from __future__ import annotations

from PyQt5.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from gui.model.where_runs import WhereRuns
from gui.sweep.grid import name_label
from gui.widgets.editors import int_box
from gui.widgets.where_runs import WhereRunsBox
from nst.settings import MAX_ITERATIONS, MIN_SIZE
from nst.sweep.axes import sweepable_names
from nst.sweep.grid import CELL_SIZE, SWEEP_ITERATIONS

# The largest cell the panel offers: a sweep is a quick comparison; a chosen cell is then
# rendered at full size. 512 px cells already cost a full default run each.
MAX_CELL_SIZE = 512
NOTHING = ""  # the second axis's "(nothing)" entry


class SweepForm(QGroupBox):
    def __init__(self, where: WhereRuns, parent: QWidget | None = None) -> None:
        super().__init__("Vary one or two settings", parent)
        form = QGridLayout(self)
        self.axis_boxes: list[QComboBox] = []
        self.value_edits: list[QLineEdit] = []
        for index, title in enumerate(("Across:", "Down:")):
            combo = names_combo(optional=index == 1)
            edit = QLineEdit()
            edit.setToolTip(
                "The values to try, separated by commas. Numbers for weights and rates; "
                "names for the optimizer, start image and layer sets; 'default' for the "
                "optimizer's own learning rate."
            )
            form.addWidget(QLabel(title), index, 0)
            form.addWidget(combo, index, 1)
            form.addWidget(edit, index, 2)
            self.axis_boxes.append(combo)
            self.value_edits.append(edit)
        form.setColumnStretch(2, 1)

        row = QHBoxLayout()
        self.cell_size_box = int_box(
            MIN_SIZE,
            MAX_CELL_SIZE,
            CELL_SIZE,
            "Longest side of each cell in pixels. Small cells render fast; render the one "
            "you like at full size afterwards.",
        )
        self.cell_size_box.setSuffix(" px")
        self.iterations_box = int_box(
            1,
            MAX_ITERATIONS,
            SWEEP_ITERATIONS,
            "Optimizer steps for each cell (unless the sweep varies the iterations).",
        )
        self.render_button = QPushButton("Render sweep")
        self.render_button.setToolTip(
            "Render every cell with the window's settings and the values above; while it "
            "renders, stop it (the cells finished so far are kept)."
        )
        row.addWidget(QLabel("Cell size:"))
        row.addWidget(self.cell_size_box)
        row.addSpacing(12)
        row.addWidget(QLabel("Iterations:"))
        row.addWidget(self.iterations_box)
        row.addStretch(1)
        row.addWidget(self.render_button)
        form.addLayout(row, 2, 0, 1, 3)
        self.where_box = WhereRunsBox(where)
        form.addWidget(self.where_box, 3, 0, 1, 3)
        # What a sweep's start fixes: none of it changes while the sweep renders.
        self.inputs: list[QWidget] = [*self.axis_boxes, *self.value_edits]
        self.inputs += [self.cell_size_box, self.iterations_box, self.where_box]


def names_combo(*, optional: bool) -> QComboBox:
    combo = QComboBox()
    combo.setToolTip(
        "The setting to vary: a loss weight, the style : content ratio, the optimizer "
        "or its learning rate, a set of style layers, one layer's weight, ..."
    )
    if optional:
        combo.addItem("(nothing)", NOTHING)
    previous_group = ""
    for name in sweepable_names():
        group = name.split(".")[0] if "." in name else "settings"
        if previous_group and group != previous_group:
            combo.insertSeparator(combo.count())
        previous_group = group
        combo.addItem(name_label(name), name)
    combo.setMaxVisibleItems(20)
    return combo

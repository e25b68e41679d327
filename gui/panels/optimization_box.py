"""The Optimization group: optimizer, learning rate (with its Default button), iterations,
the starting image and its seed. A view of the model's "optimization" fields.

The learning rate is None in the Settings until the user types one: the box then shows
the optimizer's own default, and follows the optimizer; "Default" gives None back.
"""

from __future__ import annotations

from PyQt5.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QToolButton, QWidget

from gui.labels import INIT_LABELS, OPTIMIZER_LABELS
from gui.model import WindowModel
from gui.panels.binding import ModelView
from gui.widgets.editors import NumberBox, combo, int_box, select_data
from nst.settings import DEFAULT_LEARNING_RATES, INITS, MAX_ITERATIONS, OPTIMIZERS
from nst.settings.fields import MAX_SEED

MAX_LEARNING_RATE = 1e6  # bounds the spin box only; the engine takes any positive rate


class OptimizationGroup(QGroupBox, ModelView):
    GROUPS = ("optimization",)
    WATCHES = frozenset({"method"})

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__("Optimization", parent)
        form = QFormLayout(self)
        self.optimizer_box = combo(
            OPTIMIZERS,
            OPTIMIZER_LABELS,
            "The method that updates the image each step: L-BFGS "
            "converges in the fewest steps; Adam is steadier.",
        )
        form.addRow("Optimizer:", self.optimizer_box)
        self.rate_box = NumberBox(1e-6, MAX_LEARNING_RATE)
        self.rate_box.setToolTip(
            "How far each step moves the image; each optimizer has its "
            "own default, used until you change this."
        )
        self.rate_reset = QToolButton()
        self.rate_reset.setText("Default")
        row = QHBoxLayout()
        row.addWidget(self.rate_box, 1)
        row.addWidget(self.rate_reset)
        form.addRow("Learning rate:", row)
        self.iterations_box = int_box(
            1,
            MAX_ITERATIONS,
            1,
            "How many optimization steps to run; more steps, more style, longer wait.",
        )
        form.addRow("Iterations:", self.iterations_box)
        self.init_box = combo(
            INITS,
            INIT_LABELS,
            "The image the optimization starts from: the content image "
            "keeps the most of the photo; noise gives the freest result.",
        )
        form.addRow("Start from:", self.init_box)
        self.seed_box = int_box(
            0,
            MAX_SEED,
            0,
            "The random seed of the starting noise; the same seed gives the same result.",
        )
        form.addRow("Seed:", self.seed_box)

        self.optimizer_box.currentIndexChanged.connect(
            lambda: self.edit(optimizer=self.optimizer_box.currentData())
        )
        self.rate_box.valueChanged.connect(lambda v: self.edit(learning_rate=v))
        self.rate_reset.clicked.connect(self.reset_learning_rate)
        self.iterations_box.valueChanged.connect(lambda v: self.edit(iterations=v))
        self.init_box.currentIndexChanged.connect(
            lambda: self.edit(init=self.init_box.currentData())
        )
        self.seed_box.valueChanged.connect(lambda v: self.edit(seed=v))
        self.bind(model)

    @property
    def rate_user_set(self) -> bool:
        return self.model.rate_chosen

    def reset_learning_rate(self) -> None:
        self.model.set_field("learning_rate", None)

    def show_model(self) -> None:
        optimizer = self.value("optimizer")
        select_data(self.optimizer_box, optimizer)
        default = DEFAULT_LEARNING_RATES[optimizer]
        rate = self.value("learning_rate")
        self.rate_box.setValue(default if rate is None else rate)
        self.rate_reset.setEnabled(rate is not None)
        self.rate_reset.setToolTip(
            f"Go back to this optimizer's default learning rate ({default:g})."
        )
        self.iterations_box.setValue(self.value("iterations"))
        select_data(self.init_box, self.value("init"))
        self.seed_box.setValue(self.value("seed"))
        method = self.value("method")
        # The optimization's own controls mean nothing to the instant method, and a
        # texture has nothing to start from but noise.
        self.setEnabled(method != "instant")
        self.init_box.setEnabled(method == "gatys")
        # The seed only shapes the starting noise.
        self.seed_box.setEnabled(self.value("init") == "noise")

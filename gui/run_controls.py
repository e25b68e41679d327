"""The Run tab's controls below the method: optimization (optimizer, learning rate with
its reset, iterations, start, seed), colours, speed, sizes and the output folder.

A thin view over Settings like gui/layers_panel.py: values() gives the Settings fields
it shows, show_settings() puts a Settings' values in its controls. The output folder is
not a Settings field: it is where the window keeps results (``folder``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtGui import QValidator
from PyQt5.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.labels import (
    COLOUR_LABELS,
    INIT_LABELS,
    OPTIMIZER_LABELS,
    PRECISION_LABELS,
    precision_tip,
)
from gui.widgets import NumberBox, int_box, select_data
from nst.hardware import cpu_has_fast_bfloat16
from nst.settings import (
    COARSEST_SIZE,
    COLOURS,
    DEFAULT_LEARNING_RATES,
    INITS,
    MAX_ITERATIONS,
    MAX_SIZE,
    MAX_STAGES,
    MAX_STYLE_SCALE,
    MIN_SIZE,
    MIN_STYLE_SCALE,
    OPTIMIZERS,
    PRECISIONS,
    Settings,
)
from nst.settings.fields import MAX_SEED

_DEFAULTS = Settings()
MAX_LEARNING_RATE = 1e6  # bounds the spin box only; the engine takes any positive rate


def _combo(names: Any, labels: dict[str, str], tooltip: str) -> QComboBox:
    box = QComboBox()
    for name in names:
        box.addItem(labels.get(name, name), name)
    box.setToolTip(tooltip)
    return box


class SizeBox(QSpinBox):
    """A size in px that takes a typed number above its maximum as the maximum and says so
    (``clamped``): Qt's own box refuses the keystroke, so 20000 became 2000 unsaid."""

    clamped = pyqtSignal(int)  # the number typed

    def __init__(self, minimum: int, value: int, tooltip: str) -> None:
        super().__init__()  # set up as gui.widgets.int_box, in pixels
        self.setRange(minimum, MAX_SIZE)
        self.setValue(value)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.setToolTip(tooltip)
        self.setSuffix(" px")

    def _typed(self, text: str) -> int | None:
        digits = text.removesuffix(self.suffix()).strip()
        return int(digits) if digits.isdigit() else None

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        typed = self._typed(text)
        if typed is not None and typed > self.maximum():
            return QValidator.Intermediate, text, pos  # fixup() makes it the maximum
        return super().validate(text, pos)

    def fixup(self, text: str) -> str:
        typed = self._typed(text)
        if typed is not None and typed > self.maximum():
            self.clamped.emit(typed)
            return f"{self.maximum()}{self.suffix()}"
        return super().fixup(text)


class RunControlsPanel(QWidget):
    changed = pyqtSignal()  # any value changed: the window checks whether Run can start

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rate_user_set = False
        self._updating_rate = False  # set while the panel itself changes the rate
        self._weights_path: str | None = None  # from a recipe; no control of its own
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        groups = (self._build_optimization(), self._build_colours(), self._build_speed())
        for group in (*groups, self._build_sizes(), self._build_folder()):
            layout.addWidget(group)
        layout.addStretch(1)
        self.optimizer_box.currentIndexChanged.connect(self._optimizer_changed)
        self.rate_box.valueChanged.connect(self._rate_edited)
        self.init_box.currentIndexChanged.connect(self._init_changed)
        self.colour_box.currentIndexChanged.connect(self._colour_changed)
        self.colour_slider.valueChanged.connect(self._colour_changed)
        self._colour_changed()
        for combo in (self.precision_box, self.stages_box, self.colour_box):
            combo.currentIndexChanged.connect(self.changed)
        for box in (
            self.colour_slider,
            self.iterations_box,
            self.seed_box,
            self.size_box,
            self.work_size_box,
            self.style_scale_box,
        ):
            box.valueChanged.connect(self.changed)
        self.folder_edit.textChanged.connect(self.changed)

    # ------------------------------------------------------------------ building

    def _build_optimization(self) -> QGroupBox:
        self.optim_group = QGroupBox("Optimization")
        form = QFormLayout(self.optim_group)
        self.optimizer_box = _combo(
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
        self.rate_reset.setToolTip("Go back to this optimizer's default learning rate.")
        self.rate_reset.clicked.connect(self.reset_learning_rate)
        row = QHBoxLayout()
        row.addWidget(self.rate_box, 1)
        row.addWidget(self.rate_reset)
        form.addRow("Learning rate:", row)
        self.iterations_box = int_box(1, MAX_ITERATIONS, _DEFAULTS.iterations, "How many "
                                      "optimization steps to run; more steps, more style, "
                                      "longer wait.")  # fmt: skip
        form.addRow("Iterations:", self.iterations_box)
        self.init_box = _combo(
            INITS,
            INIT_LABELS,
            "The image the optimization starts from: the content image "
            "keeps the most of the photo; noise gives the freest result.",
        )
        form.addRow("Start from:", self.init_box)
        self.seed_box = int_box(0, MAX_SEED, _DEFAULTS.seed, "The random seed of the starting "
                                "noise; the same seed gives the same result.")  # fmt: skip
        form.addRow("Seed:", self.seed_box)
        return self.optim_group

    def _build_colours(self) -> QGroupBox:
        self.colour_group = QGroupBox("Colours")
        form = QFormLayout(self.colour_group)
        self.colour_box = _combo(
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
        return self.colour_group

    def _build_speed(self) -> QGroupBox:
        speed = QGroupBox("Speed")
        form = QFormLayout(speed)
        tip = precision_tip(cpu_has_fast_bfloat16())
        self.precision_box = _combo(PRECISIONS, PRECISION_LABELS, tip)
        form.addRow("Precision:", self.precision_box)
        self.stages_box = QComboBox()
        self.stages_box.addItem("Automatic", 0)
        self.stages_box.addItem("Off", 1)
        for count in range(2, MAX_STAGES + 1):
            self.stages_box.addItem(f"{count} sizes", count)
        self.stages_box.setToolTip(
            "Coarse-to-fine: optimize a small version first, then enlarge it and refine it "
            f"at twice the size, up to the working size. Automatic starts at {COARSEST_SIZE} "
            "px; it reaches a good result in far less time at large sizes."
        )
        form.addRow("Coarse-to-fine:", self.stages_box)
        return speed

    def _build_sizes(self) -> QGroupBox:
        sizes = QGroupBox("Size")
        form = QFormLayout(sizes)
        # MAX_SIZE: past it one image's activations no longer fit in 24 GiB (constants.py).
        limit = f"from {MIN_SIZE} to {MAX_SIZE} px; larger would not fit in memory"
        self.size_box = SizeBox(
            MIN_SIZE, _DEFAULTS.size, f"The longest side of the result in pixels, {limit}."
        )
        form.addRow("Output size:", self.size_box)
        self.work_size_box = SizeBox(0, 0, "The longest side the optimization runs at, then "
                                     f"scaled up to the output size; smaller is much faster. "
                                     f"{limit[0].upper()}{limit[1:]}.")  # fmt: skip
        self.work_size_box.setSpecialValueText("Same as output")
        form.addRow("Working size:", self.work_size_box)
        self.size_note = QLabel(wordWrap=True, visible=False)  # a typed size above the limit
        form.addRow(self.size_note)
        for box, what in ((self.size_box, "output"), (self.work_size_box, "working")):
            box.clamped.connect(lambda typed, what=what: self._say_limit(what, typed))
            box.valueChanged.connect(self._hide_limit)
        scales = round(MIN_STYLE_SCALE * 100), round(MAX_STYLE_SCALE * 100)
        self.style_scale_box = int_box(*scales, 100, "The painting's size relative to the "
                                       "result: below 100% its brush strokes come out finer, "
                                       "above 100% larger.")  # fmt: skip
        self.style_scale_box.setSuffix(" %")
        self.style_scale_box.setSingleStep(10)
        form.addRow("Style scale:", self.style_scale_box)
        return sizes

    def _say_limit(self, what: str, typed: int) -> None:
        self.size_note.setText(f"The {what} size is at most {MAX_SIZE} px: {typed} became "
                               f"{MAX_SIZE}.")  # fmt: skip
        self.size_note.setVisible(True)

    def _hide_limit(self, value: int) -> None:
        if value < MAX_SIZE:
            self.size_note.setVisible(False)

    def _build_folder(self) -> QGroupBox:
        output = QGroupBox("Output folder")
        row = QHBoxLayout(output)
        self.folder_edit = QLineEdit()
        self.folder_edit.setToolTip(
            "Every finished run is saved here as PNG with its recipe "
            "(.json); existing files are never overwritten."
        )
        self.folder_button = QPushButton("Browse…")
        self.folder_button.setToolTip("Choose the folder results are saved in.")
        self.folder_button.clicked.connect(self.choose_output_folder)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.folder_button)
        return output

    # ------------------------------------------------------------------ Settings

    @property
    def folder(self) -> str:
        return self.folder_edit.text().strip()

    def values(self) -> dict[str, Any]:
        return {
            "optimizer": self.optimizer_box.currentData(),
            "learning_rate": self.rate_box.value() if self._rate_user_set else None,
            "iterations": self.iterations_box.value(),
            "size": self.size_box.value(),
            "work_size": self.work_size_box.value() or None,
            "style_size": None,  # the window sets the style's size by its scale
            "style_scale": self.style_scale_box.value() / 100,
            "init": self.init_box.currentData(),
            "seed": self.seed_box.value(),
            "weights": self._weights_path,
            "precision": self.precision_box.currentData(),
            "colour": self.colour_box.currentData(),
            "colour_strength": self.colour_slider.value() / 100,
            "stages": self.stages_box.currentData() or None,
        }

    def show_settings(self, settings: Settings, *, rate_user_set: bool | None = None) -> None:
        """``rate_user_set`` None: the rate counts as the user's own when it differs from
        the optimizer's default."""
        self._updating_rate = True
        try:
            select_data(self.optimizer_box, settings.optimizer)
            rate = settings.resolved_learning_rate
            if rate_user_set is None:
                rate_user_set = settings.learning_rate is not None and (
                    rate != DEFAULT_LEARNING_RATES[settings.optimizer]
                )
            self._rate_user_set = rate_user_set
            self.rate_box.setValue(rate)
        finally:
            self._updating_rate = False
        self._update_rate_reset()
        self.iterations_box.setValue(settings.iterations)
        select_data(self.init_box, settings.init)
        self.seed_box.setValue(settings.seed)
        select_data(self.precision_box, settings.precision)
        select_data(self.colour_box, settings.colour)
        self.colour_slider.setValue(round(settings.colour_strength * 100))
        select_data(self.stages_box, settings.stages or 0)
        self.size_box.setValue(settings.size)
        self.work_size_box.setValue(settings.work_size or 0)
        scale = settings.style_scale
        if settings.style_size:  # a recipe from the command line: its size as a scale
            scale = settings.style_size / settings.resolved_work_size
        self.style_scale_box.setValue(round(scale * 100))
        self._weights_path = settings.weights
        self._init_changed()

    def set_method(self, method: str) -> None:
        # The optimization's own controls mean nothing to the instant method.
        self.optim_group.setEnabled(method != "instant")
        # A texture has no photo: no colours to keep, and nothing to start from but noise.
        self.colour_group.setEnabled(method != "texture")
        self.init_box.setEnabled(method == "gatys")

    def run_at_size(self, size: int) -> None:
        """Set the working size (the output size too when they are the same)."""
        box = self.work_size_box if self.work_size_box.value() else self.size_box
        box.setValue(size)

    # ------------------------------------------------------------------ control logic

    def _colour_changed(self) -> None:
        self.colour_slider.setEnabled(self.colour_box.currentData() == "style")
        self.colour_label.setText(f"{self.colour_slider.value()}%")

    def _optimizer_changed(self) -> None:
        # Each optimizer has its own scale of learning rate; a rate the user typed is
        # theirs to keep, but the default follows the optimizer.
        if not self._rate_user_set:
            self._set_rate(DEFAULT_LEARNING_RATES[self.optimizer_box.currentData()])
        self._update_rate_reset()
        self.changed.emit()

    def _set_rate(self, value: float) -> None:
        self._updating_rate = True
        try:
            self.rate_box.setValue(value)
        finally:
            self._updating_rate = False

    def _rate_edited(self) -> None:
        if not self._updating_rate:
            self._rate_user_set = True
            self._update_rate_reset()
        self.changed.emit()

    def reset_learning_rate(self) -> None:
        self._rate_user_set = False
        self._set_rate(DEFAULT_LEARNING_RATES[self.optimizer_box.currentData()])
        self._update_rate_reset()
        self.changed.emit()

    @property
    def rate_user_set(self) -> bool:
        return self._rate_user_set

    def _update_rate_reset(self) -> None:
        default = DEFAULT_LEARNING_RATES[self.optimizer_box.currentData()]
        self.rate_reset.setEnabled(self._rate_user_set)
        self.rate_reset.setToolTip(
            f"Go back to this optimizer's default learning rate ({default:g})."
        )

    def _init_changed(self) -> None:
        # The seed only shapes the starting noise (while a run goes on, the whole tab is
        # disabled, so the seed is too).
        self.seed_box.setEnabled(self.init_box.currentData() == "noise")
        self.changed.emit()

    def choose_output_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Choose the output folder", self.folder_edit.text() or str(Path.home())
        )
        if folder:
            self.folder_edit.setText(folder)

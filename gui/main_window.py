"""The main window: pick two images, set the run's parameters, run, watch, keep the result.

Layout: a control panel on the left (images, a "Run" tab and a "Layers" tab, the Run
button with a line saying what is missing); on the right the content image beside the
live preview or result, the result's actions, the loss curve and the progress bar.

The window never computes a loss: a RunWorker drives the engine on a QThread and reports
Progress records, preview arrays and the final Result through signals. TensorFlow is not
imported here (nor by anything this module imports): the window must open at once.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
from PyQt5.QtCore import Qt, QThread, QTimer, QUrl, pyqtSignal
from PyQt5.QtGui import (
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeySequence,
)
from PyQt5.QtWidgets import (
    QAction,
    QApplication,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui import recipes
from gui.app_settings import AppSettings
from gui.history import HistoryPanel
from gui.instant_preview import InstantPreview
from gui.layers import LayerList
from gui.loss_plot import LossPlot
from gui.picker import ImagePicker
from gui.style_mix import StyleMix
from gui.sweep import SweepPanel
from gui.widgets import ImageView, NumberBox, int_box, numpy_to_qimage
from gui.worker import RunOutcome, RunWorker
from nst import memory
from nst.errors import NstError
from nst.hardware import cpu_has_fast_bfloat16
from nst.imaging import images
from nst.settings import (
    COARSEST_SIZE,
    COLOUR_LABELS,
    COLOURS,
    DEFAULT_LEARNING_RATES,
    INITS,
    MAX_ITERATIONS,
    MAX_SIZE,
    MAX_STAGES,
    MAX_STYLE_SCALE,
    METHOD_LABELS,
    METHODS,
    MIN_SIZE,
    MIN_STYLE_SCALE,
    OPTIMIZER_LABELS,
    OPTIMIZERS,
    PRECISION_LABELS,
    PRECISIONS,
    Settings,
    SettingsError,
    ratio_to_strength,
    strength_to_ratio,
)
from nst.vgg.layers import PAPER_CONTENT_LAYERS, PAPER_STYLE_LAYERS

log = logging.getLogger(__name__)

APP_TITLE = "Style Transfer"
_DEFAULTS = Settings()

INIT_LABELS = {
    "content": "The content image",
    "noise": "White noise",
    "style": "The style image",
    "instant": "The instant result",
}

# Settings field -> the control's label, so that a validation message names what the
# user sees ("Working size: ..."), not the dataclass field.
FIELD_LABELS = {
    "content": "Content image",
    "style": "Style image",
    "content_layers": "Content layers",
    "style_layers": "Style layers",
    "content_weight": "Content weight",
    "style_weight": "Style weight",
    "tv_weight": "Smoothness (TV) weight",
    "optimizer": "Optimizer",
    "learning_rate": "Learning rate",
    "iterations": "Iterations",
    "size": "Output size",
    "work_size": "Working size",
    "style_size": "Style size",
    "init": "Start from",
    "seed": "Seed",
    "weights": "Weights file",
    "method": "Method",
    "style_strength": "Style strength",
    "extra_styles": "Extra style images",
    "style_image_weight": "Style image weight",
    "precision": "Precision",
    "colour": "Colours",
    "colour_strength": "Photo's colours",
    "stages": "Coarse-to-fine",
    "style_masks": "Regions",
    "style_scale": "Style scale",
    "texture_aspect": "Proportions",
}

# Texture proportions offered in the window (width:height); None: the painting's own.
TEXTURE_ASPECTS = (
    ("The painting's", None),
    ("Square (1:1)", 1.0),
    ("Landscape (3:2)", 1.5),
    ("Wide (16:9)", 16 / 9),
    ("Portrait (2:3)", 2 / 3),
    ("Tall (9:16)", 9 / 16),
)

CONTENT_PLACEHOLDER = (
    "The content image appears here.\nDrop a photo on the Content picker, or press Ctrl+O."
)

# The largest weight a loss term may get; the engine takes any finite number, this only
# bounds the spin box (style weights of 1e4 and more are used with unnormalized losses).
MAX_LOSS_WEIGHT = 1e9
MAX_LEARNING_RATE = 1e6


def describe_settings_error(exc: SettingsError) -> str:
    """ "work_size: must not exceed ..." -> "Working size: must not exceed ..."."""
    name = exc.field.split(".")[0]
    text = str(exc)
    detail = text.split(": ", 1)[1] if ": " in text else text
    return f"{FIELD_LABELS.get(name, name)}: {detail}."


def describe_missing(missing: list[str]) -> str:
    """["choose a content image", "choose a style image"] -> "To run, choose a content
    image and a style image." (the shared verb said once)."""
    if not missing:
        return ""
    verbs = {item.split(" ", 1)[0] for item in missing}
    if len(verbs) == 1 and len(missing) > 1:
        verb = verbs.pop()
        rest = [item.split(" ", 1)[1] for item in missing]
        return f"To run, {verb} {' and '.join(rest)}."
    return f"To run, {' and '.join(missing)}."


def clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def speed_text(steps: int, elapsed: float) -> str:
    """Steps per second, or seconds per step when a step takes longer than a second."""
    if elapsed <= 0 or steps <= 0:
        return ""
    rate = steps / elapsed
    return f"{rate:.1f} it/s" if rate >= 1 else f"{1 / rate:.1f} s/it"


class MainWindow(QMainWindow):
    # Emitted with the RunWorker just before its thread starts (for tests and plug-ins
    # that want the worker's own signals from the very first one).
    run_started = pyqtSignal(object)

    def __init__(self, app_settings: AppSettings | None = None, *, restore: bool = True) -> None:
        super().__init__()
        self.store = app_settings if app_settings is not None else AppSettings()
        self._thread: QThread | None = None
        self._worker: RunWorker | None = None
        self._outcome: RunOutcome | None = None
        self._result_image: QImage | None = None
        self._rate_user_set = False
        self._updating_rate = False  # set while the window itself changes the rate
        self._weights_path: str | None = None  # from a recipe; no control of its own
        self._last_step = 0
        self._close_after_stop = False
        self._closing = False
        self.last_message: tuple[str, str] | None = None  # (title, text), for tests and logs
        self.memory_box: QMessageBox | None = None  # the last "not enough memory" offer
        self._rerun_pending: Settings | None = None  # a History re-run waiting for its images
        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        self.preview = InstantPreview(self)
        self._build_actions()
        self._build_ui()
        self._build_menus()
        self._connect()
        if restore:
            self.restore_settings()
        else:  # the defaults, written once in nst.settings
            self.apply_settings(Settings(), rate_user_set=False)
            self.folder_edit.setText(self.store.output_folder())

    # ------------------------------------------------------------------ building

    def _action(self, text: str, tip: str, slot: Any, shortcut: Any = None) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work with the menu bar hidden, too
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.act_open_content = a(
            "Open &content image…",
            "Choose the photo to restyle.",
            lambda: self.content_picker.open_dialog(),
            QKeySequence.Open,
        )
        self.act_open_style = a(
            "Open &style image…",
            "Choose the painting whose style to take.",
            lambda: self.style_picker.open_dialog(),
            "Ctrl+Shift+O",
        )
        self.act_load_recipe = a(
            "&Load recipe…",
            "Load a run's settings from a recipe file (.json) or a result PNG.",
            self.load_recipe_dialog,
            "Ctrl+L",
        )
        self.act_save_recipe = a(
            "Save &recipe…",
            "Save the current settings as a recipe file to load again later.",
            self.save_recipe_dialog,
            "Ctrl+Shift+S",
        )
        self.act_save = a(
            "&Save result",
            "Save the result into the output folder, with its recipe.",
            self.save_result,
        )
        self.act_save_as = a(
            "Save result &as…",
            "Save the result under a name and format you choose.",
            self.save_result_as,
            QKeySequence.Save,
        )
        self.act_copy = a(
            "&Copy result",
            "Copy the result image to the clipboard.",
            self.copy_result,
            "Ctrl+Shift+C",
        )
        self.act_open_folder = a(
            "Open output &folder",
            "Show the output folder in the file manager.",
            self.open_output_folder,
        )
        self.act_quit = a(
            "&Quit",
            "Close the window (a run in progress is stopped first).",
            self.close,
            QKeySequence.Quit,
        )
        self.act_run = a(
            "&Run",
            "Start the style transfer with these settings (Ctrl+R).",
            self.start_run,
            "Ctrl+R",
        )
        self.act_stop = a(
            "S&top",
            "Stop the run after the current step and keep the best image so far (Esc).",
            self.stop_run,
            Qt.Key_Escape,
        )
        self.act_defaults = a(
            "Restore &default layers",
            "Go back to the paper's layers and the default loss weights.",
            self.restore_default_layers,
        )
        self.act_about = a("&About", "About this application.", self.show_about)
        self.act_stop.setEnabled(False)
        for act in (self.act_save, self.act_save_as, self.act_copy):
            act.setEnabled(False)

    def _build_ui(self) -> None:
        splitter = QSplitter(Qt.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_controls())
        splitter.addWidget(self._build_results())
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter
        self.setCentralWidget(splitter)
        self._build_status_bar()
        self.resize(1440, 900)

    def _build_controls(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(8, 8, 8, 8)

        self.content_picker = ImagePicker("content image", "Content", "photos")
        self.style_picker = ImagePicker("style image", "Style", "paintings")
        pickers = QHBoxLayout()
        pickers.addWidget(self.content_picker)
        pickers.addWidget(self.style_picker)
        layout.addLayout(pickers)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._scrolling(self._build_run_tab()), "Run")
        self.tabs.addTab(self._scrolling(self._build_layers_tab()), "Layers && weights")
        self.tabs.setToolTip("")
        layout.addWidget(self.tabs, 1)

        self.run_button = QPushButton("Run")
        self.run_button.setMinimumHeight(38)
        font = self.run_button.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.run_button.setFont(font)
        self.run_button.setToolTip(
            "Start the style transfer with these settings (Ctrl+R); while it runs, stop it (Esc)."
        )
        self.run_button.clicked.connect(self._run_or_stop)
        layout.addWidget(self.run_button)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setToolTip("What the run still needs before it can start.")
        self.problem_label.setStyleSheet("color: #b3261e;")
        layout.addWidget(self.problem_label)
        panel.setMinimumWidth(400)
        panel.setMaximumWidth(560)
        return panel

    @staticmethod
    def _scrolling(widget: QWidget) -> QScrollArea:
        # On a small screen the controls scroll instead of being squeezed or clipped.
        area = QScrollArea()
        area.setWidget(widget)
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        return area

    def _build_run_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)

        method = QGroupBox("Method")
        form = QFormLayout(method)
        self.method_box = QComboBox()
        for name in METHODS:
            self.method_box.addItem(METHOD_LABELS[name], name)
        self.method_box.setToolTip(
            "Gatys: the optimization, faithful, minutes on a CPU. "
            "Instant: a trained network, a fraction of a second, "
            "rougher. The instant preview shows the latter either way."
        )
        form.addRow("Method:", self.method_box)
        self.aspect_box = QComboBox()
        for label, value in TEXTURE_ASPECTS:
            self.aspect_box.addItem(label, value)
        self.aspect_box.setToolTip(
            "The texture's width to height; its longest side is the output size."
        )
        self.aspect_label = QLabel("Proportions:")
        form.addRow(self.aspect_label, self.aspect_box)
        self.style_mix = StyleMix()
        self.style_mix.context = lambda: (self.content_picker.path, self.folder_edit.text().strip())
        form.addRow(self.style_mix)
        layout.addWidget(method)

        optim = QGroupBox("Optimization")
        self.optim_group = optim
        form = QFormLayout(optim)
        self.optimizer_box = QComboBox()
        for name in OPTIMIZERS:
            self.optimizer_box.addItem(OPTIMIZER_LABELS[name], name)
        self.optimizer_box.setToolTip(
            "The method that updates the image each step: L-BFGS "
            "converges in the fewest steps; Adam is steadier."
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
        self.iterations_box = int_box(
            1,
            MAX_ITERATIONS,
            _DEFAULTS.iterations,
            "How many optimization steps to run; more steps, more style, longer wait.",
        )
        form.addRow("Iterations:", self.iterations_box)
        self.init_box = QComboBox()
        for name in INITS:
            self.init_box.addItem(INIT_LABELS.get(name, name), name)
        self.init_box.setToolTip(
            "The image the optimization starts from: the content image "
            "keeps the most of the photo; noise gives the freest result."
        )
        form.addRow("Start from:", self.init_box)
        self.seed_box = int_box(
            0,
            2**31 - 1,
            _DEFAULTS.seed,
            "The random seed of the starting noise; the same seed gives the same result.",
        )
        form.addRow("Seed:", self.seed_box)
        layout.addWidget(optim)
        layout.addWidget(self._build_colour_group())
        layout.addWidget(self._build_speed_group())

        sizes = QGroupBox("Size")
        form = QFormLayout(sizes)
        self.size_box = int_box(
            MIN_SIZE, MAX_SIZE, _DEFAULTS.size, "The longest side of the result in pixels."
        )
        self.size_box.setSuffix(" px")
        form.addRow("Output size:", self.size_box)
        self.work_size_box = int_box(
            0,
            MAX_SIZE,
            0,
            "The longest side the optimization runs at, then scaled "
            "up to the output size; smaller is much faster.",
        )
        self.work_size_box.setSpecialValueText("Same as output")
        self.work_size_box.setSuffix(" px")
        form.addRow("Working size:", self.work_size_box)
        self.style_scale_box = int_box(
            round(MIN_STYLE_SCALE * 100),
            round(MAX_STYLE_SCALE * 100),
            100,
            "The painting's size relative to the result: "
            "below 100% its brush strokes come out finer, above "
            "100% larger.",
        )
        self.style_scale_box.setSuffix(" %")
        self.style_scale_box.setSingleStep(10)
        form.addRow("Style scale:", self.style_scale_box)
        layout.addWidget(sizes)

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
        layout.addWidget(output)
        layout.addStretch(1)
        return tab

    def _build_layers_tab(self) -> QWidget:
        tab = QWidget()
        layout = QVBoxLayout(tab)
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
        self.defaults_button.clicked.connect(self.restore_default_layers)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.defaults_button)
        layout.addLayout(row)
        layout.addStretch(1)
        return tab

    def _build_results(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(4, 8, 8, 4)

        views = QSplitter(Qt.Horizontal)
        self.content_view = ImageView(CONTENT_PLACEHOLDER)
        self.content_view.setToolTip("The content image, for comparison with the result.")
        self.result_view = ImageView(
            "The result appears here.\nChoose a content and a style image, then press Run."
        )
        self.result_view.setToolTip(
            "The image being optimized while a run goes on; the result when it ends."
        )
        self.preview_view = ImageView(
            "The instant preview appears here\nonce a content and a style image are chosen."
        )
        self.preview_view.setToolTip(
            "A feed-forward stylization (Ghiasi et al. 2017) that "
            "follows the style strength and weights as they move."
        )
        views.addWidget(self.content_view)
        views.addWidget(self.preview_view)
        views.addWidget(self.result_view)

        actions = QHBoxLayout()
        self.save_button = self._action_button(self.act_save, "Save")
        self.save_as_button = self._action_button(self.act_save_as, "Save As…")
        self.copy_button = self._action_button(self.act_copy, "Copy")
        self.folder_open_button = self._action_button(self.act_open_folder, "Open folder")
        self.saved_label = QLabel()
        self.saved_label.setTextInteractionFlags(Qt.TextBrowserInteraction)
        self.saved_label.setOpenExternalLinks(True)
        self.saved_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.saved_label.setToolTip("Where the result was saved.")
        actions.addWidget(self.saved_label, 1)
        for button in (
            self.save_button,
            self.save_as_button,
            self.copy_button,
            self.folder_open_button,
        ):
            actions.addWidget(button)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(views, 1)
        top_layout.addLayout(actions)

        self.loss_plot = LossPlot()
        vertical = QSplitter(Qt.Vertical)
        vertical.setChildrenCollapsible(False)
        vertical.addWidget(top)
        vertical.addWidget(self.loss_plot)
        vertical.setStretchFactor(0, 3)
        vertical.setStretchFactor(1, 1)
        self.vertical_splitter = vertical
        self.history_panel = HistoryPanel(field_labels=FIELD_LABELS)
        self.result_tabs = QTabWidget()
        self.result_tabs.addTab(vertical, "Result")
        self.result_tabs.addTab(self.history_panel, "History")
        # The Sweep tab shares the right-hand side: a contact sheet needs the room.
        self.sweep_panel = SweepPanel(
            self.current_settings, lambda: self.folder_edit.text().strip()
        )
        self.sweep_panel.full_size_requested.connect(self.render_sweep_cell)
        self.sweep_panel.running_changed.connect(lambda _running: self._validate())
        self.sweep_panel.ready.connect(self._on_ready)
        self.result_tabs.addTab(self.sweep_panel, "Sweep")
        self.result_tabs.setTabToolTip(
            0, "The run: the result beside the content image, and the loss curve."
        )
        self.result_tabs.setTabToolTip(
            1, "Every result in the output folder, with its recipe: re-run one, or compare two."
        )
        self.result_tabs.setTabToolTip(
            2,
            "Render a grid of small results over one or two "
            "settings, and re-render any cell at full size.",
        )
        layout.addWidget(self.result_tabs, 1)

        progress = QHBoxLayout()
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("")  # no "0%" before anything has run
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setToolTip("Steps done out of the iterations asked for.")
        self.progress_label = QLabel("Ready")
        self.progress_label.setMinimumWidth(320)
        self.progress_label.setToolTip("Step, speed in iterations per second, and the time left.")
        progress.addWidget(self.progress_bar, 1)
        progress.addWidget(self.progress_label)
        layout.addLayout(progress)
        return panel

    @staticmethod
    def _action_button(action: QAction, text: str) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        # The button shows a short label; the action keeps its menu text.
        action.changed.connect(lambda: button.setText(text))
        button.setText(text)
        button.setMinimumWidth(72)
        return button

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.device_label = QLabel("Device: found on the first run")
        self.device_label.setToolTip(
            "Where the optimization runs: the GPU TensorFlow sees, "
            "else the CPU. Known once the model has loaded."
        )
        self.weights_label = QLabel("Weights: loaded on the first run")
        self.weights_label.setToolTip("Where the VGG19 weights come from.")
        for widget in (self.device_label, self.weights_label):
            widget.setContentsMargins(8, 0, 8, 0)
        separator = QFrame()
        separator.setFrameShape(QFrame.VLine)
        separator.setFrameShadow(QFrame.Sunken)
        bar.addPermanentWidget(self.device_label)
        bar.addPermanentWidget(separator)
        bar.addPermanentWidget(self.weights_label)

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        menu.addAction(self.act_open_content)
        menu.addAction(self.act_open_style)
        samples = menu.addMenu("Sample images")
        samples.setToolTipsVisible(True)
        samples.addMenu(self.content_picker.samples_menu).setText("As content")
        samples.addMenu(self.style_picker.samples_menu).setText("As style")
        menu.addSeparator()
        menu.addAction(self.act_load_recipe)
        menu.addAction(self.act_save_recipe)
        menu.addSeparator()
        menu.addAction(self.act_save)
        menu.addAction(self.act_save_as)
        menu.addAction(self.act_copy)
        menu.addAction(self.act_open_folder)
        menu.addSeparator()
        menu.addAction(self.act_quit)
        menu = self.menuBar().addMenu("&Run")
        menu.addAction(self.act_run)
        menu.addAction(self.act_stop)
        menu.addSeparator()
        menu.addAction(self.act_defaults)
        menu = self.menuBar().addMenu("&Help")
        menu.addAction(self.act_about)

    def _connect(self) -> None:
        for picker in (self.content_picker, self.style_picker):
            picker.changed.connect(self._validate)
            picker.busy.connect(lambda _busy: self._validate())
            picker.failed.connect(lambda text: self.show_message("Cannot use this image", text))
        self.content_picker.changed.connect(self._show_content)
        for picker in (self.content_picker, self.style_picker):
            picker.changed.connect(self._picked)
        self.style_picker.changed.connect(self.style_mix.set_main_name)
        self.style_mix.changed.connect(self._validate)
        self.style_mix.changed.connect(self.request_preview)
        self.method_box.currentIndexChanged.connect(self._method_changed)
        self.aspect_box.currentIndexChanged.connect(self._validate)
        self.style_mix.strength_moved.connect(self._strength_moved)
        for box in (self.content_weight_box, self.style_weight_box):
            box.valueChanged.connect(self._show_strength)
        self.preview.ready.connect(self._on_instant_preview)
        self.preview.failed.connect(self._on_instant_failed)
        self.optimizer_box.currentIndexChanged.connect(self._optimizer_changed)
        self.rate_box.valueChanged.connect(self._rate_edited)
        self.init_box.currentIndexChanged.connect(self._init_changed)
        self.colour_slider.valueChanged.connect(self._validate)
        for combo in (self.precision_box, self.stages_box, self.colour_box):
            combo.currentIndexChanged.connect(self._validate)
        for box in (
            self.iterations_box,
            self.seed_box,
            self.size_box,
            self.work_size_box,
            self.style_scale_box,
            self.content_weight_box,
            self.style_weight_box,
            self.tv_weight_box,
        ):
            box.valueChanged.connect(self._validate)
        self.content_layers.changed.connect(self._validate)
        self.style_layers.changed.connect(self._validate)
        self.folder_edit.textChanged.connect(self._validate)
        self.folder_edit.textChanged.connect(self.history_panel.set_folder)
        self.history_panel.rerun_requested.connect(self.rerun)
        self.history_panel.load_requested.connect(self.load_from_history)
        for picker in (self.content_picker, self.style_picker):
            picker.changed.connect(self._start_pending_rerun)
            picker.failed.connect(self._start_pending_rerun)

    # ------------------------------------------------------------------ settings <-> widgets

    def _build_colour_group(self) -> QGroupBox:
        group = QGroupBox("Colours")
        self.colour_group = group
        form = QFormLayout(group)
        self.colour_box = QComboBox()
        for name in COLOURS:
            self.colour_box.addItem(COLOUR_LABELS[name], name)
        self.colour_box.setToolTip(
            "Whose colours the result has: the painting's; or the photo's, either by "
            "recolouring the painting to the photo's colours before the run, or by "
            "transferring only light and dark and keeping the photo's colours."
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
        self.colour_box.currentIndexChanged.connect(self._colour_changed)
        self.colour_slider.valueChanged.connect(self._colour_changed)
        self._colour_changed()
        return group

    def _colour_changed(self) -> None:
        self.colour_slider.setEnabled(self.colour_box.currentData() == "style")
        self.colour_label.setText(f"{self.colour_slider.value()}%")

    def _build_speed_group(self) -> QGroupBox:
        speed = QGroupBox("Speed")
        form = QFormLayout(speed)
        self.precision_box = QComboBox()
        for name in PRECISIONS:
            self.precision_box.addItem(PRECISION_LABELS[name], name)
        here = (
            "This computer's CPU has it."
            if cpu_has_fast_bfloat16()
            else "This computer's CPU lacks it: Fast is only faster here on a GPU."
        )
        self.precision_box.setToolTip(
            "Fast computes VGG19 in bfloat16, faster per step on CPUs with AVX-512 BF16 or "
            "AMX and on GPUs with tensor cores, many times slower elsewhere; losses, image "
            f"and gradient stay float32. Exact computes everything in float32. {here}"
        )
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

    def widget_values(self) -> dict[str, Any]:
        """The controls' values as keyword arguments for Settings (not validated)."""
        return {
            "content": self.content_picker.path,
            "style": self.style_picker.path,
            "content_layers": self.content_layers.weights(),
            "style_layers": self.style_layers.weights(),
            "content_weight": self.content_weight_box.value(),
            "style_weight": self.style_weight_box.value(),
            "tv_weight": self.tv_weight_box.value(),
            "optimizer": self.optimizer_box.currentData(),
            "learning_rate": self.rate_box.value() if self._rate_user_set else None,
            "iterations": self.iterations_box.value(),
            "size": self.size_box.value(),
            "work_size": self.work_size_box.value() or None,
            "style_size": None,  # the window sets the style's size by its scale
            "style_scale": self.style_scale_box.value() / 100,
            "style_masks": self.style_mix.style_masks(),
            "texture_aspect": self.aspect_box.currentData(),
            "init": self.init_box.currentData(),
            "seed": self.seed_box.value(),
            "weights": self._weights_path,
            "method": self.method_box.currentData(),
            "style_strength": self.style_mix.style_strength(),
            "extra_styles": tuple(self.style_mix.extra_styles()),
            "style_image_weight": self.style_mix.main_style_weight(),
            "precision": self.precision_box.currentData(),
            "colour": self.colour_box.currentData(),
            "colour_strength": self.colour_slider.value() / 100,
            "stages": self.stages_box.currentData() or None,
        }

    def current_settings(self) -> Settings:
        """The run the controls describe; raises SettingsError when a value is not allowed."""
        return Settings(**self.widget_values())

    def apply_settings(self, settings: Settings, *, rate_user_set: bool | None = None) -> None:
        """Show ``settings`` in the controls. Images are loaded only when named (a recipe
        without images keeps the ones already chosen). ``rate_user_set`` None: the rate
        counts as the user's own when it differs from the optimizer's default."""
        for picker, path in (
            (self.content_picker, settings.content),
            (self.style_picker, settings.style),
        ):
            if path and path != picker.path:
                picker.set_path(path)
        self._updating_rate = True
        try:
            self._select(self.optimizer_box, settings.optimizer)
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
        self._select(self.init_box, settings.init)
        self.seed_box.setValue(settings.seed)
        self._select(self.precision_box, settings.precision)
        self._select(self.colour_box, settings.colour)
        self.colour_slider.setValue(round(settings.colour_strength * 100))
        self._select(self.stages_box, settings.stages or 0)
        self.size_box.setValue(settings.size)
        self.work_size_box.setValue(settings.work_size or 0)
        scale = settings.style_scale
        if settings.style_size:  # a recipe from the command line: its size as a scale
            scale = settings.style_size / settings.resolved_work_size
        self.style_scale_box.setValue(round(scale * 100))
        aspect = settings.texture_aspect
        index = next(
            (
                i
                for i, (_, v) in enumerate(TEXTURE_ASPECTS)
                if v is not None and aspect is not None and abs(v - aspect) < 1e-3
            ),
            0,
        )
        if aspect is not None and index == 0:  # proportions the list lacks: add them
            self.aspect_box.addItem(f"{aspect:.3g}:1", aspect)
            index = self.aspect_box.count() - 1
        self.aspect_box.setCurrentIndex(index)
        self.content_weight_box.setValue(settings.content_weight)
        self.style_weight_box.setValue(settings.style_weight)
        self.tv_weight_box.setValue(settings.tv_weight)
        self.content_layers.set_weights(settings.content_layers)
        self.style_layers.set_weights(settings.style_layers)
        self._weights_path = settings.weights
        self._select(self.method_box, settings.method)
        self.style_mix.set_values(
            settings.style_strength,
            settings.style_image_weight,
            settings.extra_styles,
            settings.style_masks,
        )
        self._method_changed()
        self._init_changed()
        self._validate()

    @staticmethod
    def _select(box: QComboBox, data: str) -> None:
        index = box.findData(data)
        if index >= 0:
            box.setCurrentIndex(index)

    def restore_settings(self) -> None:
        """The controls, window geometry and folders as the last session left them."""
        settings = self.store.run_settings()
        # A remembered image that has since moved is dropped quietly: a message about a
        # file the user did not just choose would only puzzle them at start-up.
        kept = {
            name: path
            for name in ("content", "style")
            if (path := getattr(settings, name)) and os.path.isfile(path)
        }
        settings = settings.replace(content=kept.get("content", ""), style=kept.get("style", ""))
        self.apply_settings(settings, rate_user_set=self.store.get("run/learning_rate") > 0)
        self.folder_edit.setText(self.store.output_folder())
        image_folder = self.store.get("dialogs/image_folder")
        self.content_picker.dialog_folder = self.style_picker.dialog_folder = image_folder
        geometry = self.store.get("window/geometry")
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = self.store.get("window/splitter")
        if not state.isEmpty():
            self.splitter.restoreState(state)

    def save_settings(self) -> None:
        values = self.widget_values()
        self.store.store_run(values)
        if not self._rate_user_set:
            self.store.set("run/learning_rate", 0.0)
        self.store.set("output/folder", self.folder_edit.text().strip())
        folder = self.content_picker.dialog_folder or self.style_picker.dialog_folder
        self.store.set("dialogs/image_folder", folder)
        self.store.set("window/geometry", self.saveGeometry())
        self.store.set("window/splitter", self.splitter.saveState())
        self.store.sync()

    # ------------------------------------------------------------------ instant preview

    def request_preview(self) -> bool:
        """Ask for a new instant preview of the current images, strength and weights."""
        if self.method_box.currentData() == "texture":
            self.preview.cancel()  # a preview asked for before the switch must not show
            self.preview_view.set_image(None)
            self.preview_view.set_placeholder(
                "The instant preview restyles a photo;\nthe texture method uses none."
            )
            return False
        styles = [
            (self.style_picker.path, self.style_mix.main_style_weight()),
            *self.style_mix.extra_styles(),
        ]
        asked = self.preview.request(
            self.content_picker.path, styles, self.style_mix.style_strength()
        )
        if asked and self.preview_view.image() is None:
            self.preview_view.set_placeholder(
                "Making the instant preview…\nThe first one loads the network (a few seconds)."
            )
        elif not asked:
            self.preview_view.set_image(None)
            self.preview_view.set_placeholder(
                "The instant preview appears here\nonce a content and a style image are chosen."
            )
        return asked

    def _picked(self, path: str) -> None:
        self.preview.forget(path)
        self.request_preview()

    def _on_instant_preview(self, array: np.ndarray, seconds: float) -> None:
        height, width = array.shape[:2]
        self.preview_view.set_image(
            numpy_to_qimage(array), f"Instant preview · {width} × {height} · {seconds:.2f} s"
        )

    def _on_instant_failed(self, message: str) -> None:
        self.preview_view.set_image(None)
        self.preview_view.set_placeholder("No instant preview.")
        self.statusBar().showMessage(message, 15000)

    def _method_changed(self) -> None:
        method = self.method_box.currentData()
        # The optimization's own controls mean nothing to the instant method.
        self.optim_group.setEnabled(method != "instant")
        # A texture has no photo: no colours to keep, and nothing to start from but noise.
        self.colour_group.setEnabled(method != "texture")
        self.init_box.setEnabled(method == "gatys")
        for widget in (self.aspect_label, self.aspect_box):
            widget.setVisible(method == "texture")
        self.style_mix.set_method(method)
        self._show_strength()
        self._show_content(self.content_picker.path)
        self.request_preview()
        self._validate()

    def _strength_moved(self, position: float) -> None:
        """The optimization's strength slider sets the style weight (log scale)."""
        ratio = strength_to_ratio(position)
        content = self.content_weight_box.value()
        self._moving_strength = True
        try:
            self.style_weight_box.setValue(ratio * (content if content > 0 else 1.0))
            if content <= 0:
                self.content_weight_box.setValue(1.0)
        finally:
            self._moving_strength = False

    def _show_strength(self) -> None:
        if getattr(self, "_moving_strength", False):
            return
        content = self.content_weight_box.value()
        ratio = self.style_weight_box.value() / content if content > 0 else float("inf")
        self.style_mix.set_ratio_position(ratio_to_strength(ratio))

    # ------------------------------------------------------------------ control logic

    def _optimizer_changed(self) -> None:
        # Each optimizer has its own scale of learning rate; a rate the user typed is
        # theirs to keep, but the default follows the optimizer.
        if not self._rate_user_set:
            self._set_rate(DEFAULT_LEARNING_RATES[self.optimizer_box.currentData()])
        self._update_rate_reset()
        self._validate()

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
        self._validate()

    def reset_learning_rate(self) -> None:
        self._rate_user_set = False
        self._set_rate(DEFAULT_LEARNING_RATES[self.optimizer_box.currentData()])
        self._update_rate_reset()
        self._validate()

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
        # The seed only shapes the starting noise.
        self.seed_box.setEnabled(self.init_box.currentData() == "noise" and not self.is_running)
        self._validate()

    def restore_default_layers(self) -> None:
        self.content_layers.set_weights(PAPER_CONTENT_LAYERS)
        self.style_layers.set_weights(PAPER_STYLE_LAYERS)
        self.content_weight_box.setValue(_DEFAULTS.content_weight)
        self.style_weight_box.setValue(_DEFAULTS.style_weight)
        self.tv_weight_box.setValue(_DEFAULTS.tv_weight)
        self._validate()

    def choose_output_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Choose the output folder", self.folder_edit.text() or str(Path.home())
        )
        if folder:
            self.folder_edit.setText(folder)

    def _show_content(self, path: str) -> None:
        loaded = self.content_picker.loaded
        if self.method_box.currentData() == "texture":
            self.content_view.set_image(None)
            self.content_view.set_placeholder(
                "The texture method uses no photo:\nit grows a texture from the style image alone."
            )
            return
        if loaded is None:
            self.content_view.set_image(None)
            self.content_view.set_placeholder(CONTENT_PLACEHOLDER)
            return
        self.content_view.set_image(
            loaded.display, f"Content · {os.path.basename(path)} · {loaded.width} × {loaded.height}"
        )

    # ------------------------------------------------------------------ validation

    def problem(self) -> str:
        """Why Run cannot start now, in one sentence; "" when it can."""
        if self.is_running:
            return ""
        if self.sweep_panel.is_running:
            return "A sweep is rendering; stop it on the Sweep tab or wait for it to end."
        try:
            settings = self.current_settings()
        except SettingsError as exc:
            return describe_settings_error(exc)
        loading = [p.role for p in (self.content_picker, self.style_picker) if p.is_loading]
        if loading:
            return f"Loading the {' and the '.join(loading)}…"
        missing = settings.missing_inputs()
        if not self.folder_edit.text().strip():
            missing.append("choose an output folder")
        return describe_missing(missing)

    def _validate(self) -> None:
        if self.is_running:
            return
        problem = self.problem()
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))
        self.run_button.setEnabled(not problem)
        self.act_run.setEnabled(not problem)
        self.act_save_recipe.setEnabled(not problem.startswith(tuple(FIELD_LABELS.values())))

    # ------------------------------------------------------------------ running

    @property
    def is_running(self) -> bool:
        return self._thread is not None

    def _run_or_stop(self) -> None:
        if self.is_running:
            self.stop_run()
        else:
            self.start_run()

    def start_run(self) -> bool:
        """Start a run with the current settings; False (and why, on screen) if it cannot."""
        if self.is_running or self.problem():
            return False
        settings = self.current_settings()
        try:
            folder = images.check_output_dir(self.folder_edit.text().strip())
        except NstError as exc:
            self.show_message("Cannot run", str(exc))
            return False
        fit = self._memory_fit(settings)
        if fit is not None and not fit.fits:
            self._offer_smaller_size(fit, settings)
            return False
        # A preview every step; the worker thins them to what is worth repainting.
        run_settings = settings.replace(preview_every=1)
        self.save_settings()
        self._reset_for_run(run_settings)

        thread = QThread(self)
        worker = RunWorker(run_settings, str(folder))
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self._on_progress)
        worker.preview.connect(self._on_preview)
        worker.status.connect(self._on_status)
        worker.ready.connect(self._on_ready)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(thread.quit)
        worker.failed.connect(thread.quit)
        # deleteLater must run while the worker's thread can still process it.
        thread.finished.connect(worker.deleteLater, Qt.DirectConnection)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        self._set_running(True)
        self.run_started.emit(worker)
        thread.start()
        return True

    def render_sweep_cell(self, settings: Settings) -> bool:
        """A cell chosen on the Sweep tab, as a normal run at the window's size."""
        self.apply_settings(settings)
        self.result_tabs.setCurrentIndex(0)
        return self.start_run()

    def _memory_fit(self, settings: Settings) -> memory.Fit | None:
        """Whether the run fits in free memory (None when the images' sizes are unknown)."""
        content, style = self.content_picker.loaded, self.style_picker.loaded
        if style is None:
            return None
        if settings.method == "texture":
            aspect = settings.texture_aspect or style.width / style.height
            dims = (max(1, round(1024 * min(1.0, aspect))), max(1, round(1024 / max(1.0, aspect))))
        elif content is None:
            return None
        else:
            dims = (content.width, content.height)
        return memory.check(settings, dims, (style.width, style.height))

    def _offer_smaller_size(self, fit: memory.Fit, settings: Settings) -> None:
        """Say the run would not fit and offer to run at the largest size that does."""
        text = memory.message(fit, settings)
        self.problem_label.setText(text)
        self.problem_label.setVisible(True)
        box = self.show_message("Not enough memory for this size", text)
        if fit.largest_size:
            box.setStandardButtons(QMessageBox.Cancel)
            use = box.addButton(f"Run at {fit.largest_size} px", QMessageBox.AcceptRole)
            box.setDefaultButton(use)
            use.clicked.connect(lambda: self.run_at_size(fit.largest_size or 0))
        self.memory_box = box

    def run_at_size(self, size: int) -> bool:
        """Set the working size (the output size too when they are the same) and run."""
        if self.work_size_box.value():
            self.work_size_box.setValue(size)
        else:
            self.size_box.setValue(size)
        return self.start_run()

    def stop_run(self) -> None:
        if self._worker is None:
            return
        self._worker.stop()
        self.run_button.setText("Stopping…")
        self.run_button.setEnabled(False)
        self.act_stop.setEnabled(False)
        self.statusBar().showMessage("Stopping after the current step…")

    def _reset_for_run(self, settings: Settings) -> None:
        self._outcome = None
        self._result_image = None
        self._last_step = 0
        self.loss_plot.clear(settings.iterations)
        self.progress_bar.setRange(0, settings.iterations)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("%p%")
        self.progress_label.setText("Starting…")
        self.result_view.set_image(None)
        self.result_view.set_placeholder("Starting the run…")
        self.saved_label.setText("")
        for act in (self.act_save, self.act_save_as, self.act_copy):
            act.setEnabled(False)

    def _set_running(self, running: bool) -> None:
        self.run_button.setText("Stop" if running else "Run")
        self.run_button.setEnabled(True)
        self.run_button.setToolTip(
            "Stop the run after the current step and keep the best image so far (Esc)."
            if running
            else "Start the style transfer with these settings (Ctrl+R); while it runs, stop it "
            "(Esc)."
        )
        self.act_run.setEnabled(not running)
        self.act_stop.setEnabled(running)
        # Settings are fixed for the run in progress: editing them would suggest otherwise.
        for widget in (self.content_picker, self.style_picker, self.tabs):
            widget.setEnabled(not running)
        for act in (self.act_open_content, self.act_open_style, self.act_load_recipe):
            act.setEnabled(not running)
        self.problem_label.setVisible(False)
        self.sweep_panel.block_for_run(running)
        if not running:
            self._init_changed()
            self._validate()

    def _on_status(self, text: str) -> None:
        self.statusBar().showMessage(text)
        self.progress_label.setText(text)
        if text.startswith("Loading the model"):
            self.result_view.set_placeholder(
                "Loading the model…\nThe first run takes a few seconds more."
            )

    def _on_ready(self, device: str, weights: str) -> None:
        self.device_label.setText(f"Device: {device}")
        self.weights_label.setText(f"Weights: {weights}")
        self.weights_label.setToolTip(f"Where the VGG19 weights come from: {weights}")

    def _on_progress(self, progress: Any) -> None:
        self._last_step = progress.step
        self.progress_bar.setRange(0, progress.total)
        self.progress_bar.setValue(progress.step)
        parts = [
            f"Step {progress.step} of {progress.total}",
            speed_text(progress.step, progress.elapsed),
        ]
        if progress.eta is not None and progress.step < progress.total:
            parts.append(f"{clock(progress.eta)} left")
        self.progress_label.setText(" · ".join(p for p in parts if p))
        self.loss_plot.add(progress.step, progress.losses)
        if self.result_view.image() is not None:
            self.result_view.set_caption(f"Live · step {progress.step} of {progress.total}")

    def _on_preview(self, array: np.ndarray) -> None:
        self.result_view.set_image(
            numpy_to_qimage(array),
            f"Live · step {self._last_step} · {array.shape[1]} × {array.shape[0]}",
        )

    def _on_finished(self, outcome: RunOutcome) -> None:
        self._outcome = outcome
        if outcome.result is None:
            self.result_view.set_image(None)
            self.result_view.set_placeholder("Stopped before the first step.")
            self.progress_label.setText("Stopped")
            self.statusBar().showMessage("Stopped before the first step.", 8000)
            return
        result = outcome.result
        self._result_image = numpy_to_qimage(result.image)
        height, width = result.image.shape[:2]
        steps = f"{result.steps} step{'s' if result.steps != 1 else ''}"
        if outcome.stopped:
            caption = (
                f"Stopped at step {result.steps} of {result.settings.iterations} · best "
                f"image so far · {width} × {height} · not saved"
            )
            self.progress_label.setText(f"Stopped at step {result.steps}")
            self.statusBar().showMessage("Stopped; use Save or Save As to keep this image.", 10000)
        elif result.settings.method == "instant":
            caption = f"Instant result · {width} × {height} · {result.duration:.2f} s"
            self.progress_label.setText(f"Done in {result.duration:.2f} s")
            self.progress_bar.setValue(self.progress_bar.maximum())
        else:
            caption = f"Result · {width} × {height} · {steps} in {clock(result.duration)}"
            if outcome.save_error:
                caption += " · not saved"
            self.progress_label.setText(f"Done: {steps} in {clock(result.duration)}")
            self.progress_bar.setValue(self.progress_bar.maximum())
        self.result_view.set_image(self._result_image, caption)
        self.act_save_as.setEnabled(True)
        self.act_copy.setEnabled(True)
        self.act_save.setEnabled(not outcome.saved_path)
        if outcome.saved_path:
            self._show_saved(outcome.saved_path)
        elif outcome.save_error and not self._closing:
            self.act_save.setEnabled(True)
            self.show_message(
                "The result was not saved",
                f"{outcome.save_error} The result is still here: use Save As.",
            )

    def _on_failed(self, message: str) -> None:
        self.progress_label.setText("Failed")
        self.result_view.set_placeholder("The run failed.")
        self.statusBar().showMessage(message, 15000)
        if not self._closing and not self._close_after_stop:
            self.show_message("The run failed", message)

    def _on_thread_finished(self) -> None:
        thread = self._thread
        self._thread = None
        self._worker = None
        if thread is not None:
            thread.deleteLater()
        self._set_running(False)
        if self._close_after_stop:
            QTimer.singleShot(0, self.close)

    def shutdown(self, timeout_ms: int = 120_000) -> None:
        """Stop a run in progress and wait for its thread (on quit; blocks)."""
        self._closing = True
        self.sweep_panel.shutdown()
        if self._thread is None:
            return
        if self._worker is not None:
            self._worker.stop()
        thread = self._thread
        thread.quit()
        if not thread.wait(timeout_ms):
            log.error("the run did not stop within %d s", timeout_ms // 1000)

    # ------------------------------------------------------------------ results

    def _show_saved(self, path: str) -> None:
        url = QUrl.fromLocalFile(path).toString()
        name = os.path.basename(path)
        self.saved_label.setText(f'Saved as <a href="{url}">{name}</a>')
        self.saved_label.setToolTip(path)
        self.statusBar().showMessage(f"Saved {path}", 10000)
        self.history_panel.refresh()

    def _result_stem(self) -> str:
        settings = self._outcome.result.settings if self._outcome and self._outcome.result else None
        if settings is None:
            return "result"
        content = None if settings.method == "texture" else settings.content
        return images.result_stem(content, settings.style)

    def save_result(self) -> Path | None:
        """Save the shown result into the output folder (never overwriting)."""
        if not self._outcome or self._outcome.result is None:
            return None
        recipe = dict(self._outcome.recipe)
        try:
            with _wait_cursor():
                path = images.save_result(
                    self._outcome.result.image,
                    self.folder_edit.text().strip(),
                    self._result_stem(),
                    recipe,
                )
        except NstError as exc:
            self.show_message("The result was not saved", str(exc))
            return None
        self._outcome = RunOutcome(self._outcome.result, recipe, str(path))
        self.act_save.setEnabled(False)
        self._show_saved(str(path))
        return path

    def save_result_as(self) -> Path | None:
        if not self._outcome or self._outcome.result is None:
            return None
        folder = self.folder_edit.text().strip() or str(Path.home())
        start = os.path.join(folder, self._result_stem() + ".png")
        path, chosen = QFileDialog.getSaveFileName(
            self, "Save the result as", start, ";;".join(recipes.SAVE_FORMATS)
        )
        if not path:
            return None
        if not Path(path).suffix and chosen in recipes.SAVE_FORMATS:
            path += recipes.SAVE_FORMATS[chosen][1]
        return self.save_result_to(path)

    def save_result_to(self, path: str) -> Path | None:
        assert self._outcome is not None and self._outcome.result is not None
        try:
            with _wait_cursor():
                written = recipes.save_image_as(
                    self._outcome.result.image, path, self._outcome.recipe
                )
        except NstError as exc:
            self.show_message("The result was not saved", str(exc))
            return None
        self._show_saved(str(written[0]))
        return written[0]

    def copy_result(self) -> None:
        if self._result_image is None:
            return
        QGuiApplication.clipboard().setImage(self._result_image)
        self.statusBar().showMessage(
            f"Copied the result ({self._result_image.width()} × {self._result_image.height()}) "
            "to the clipboard.",
            5000,
        )

    def open_output_folder(self) -> None:
        saved = self._outcome.saved_path if self._outcome else ""
        folder = os.path.dirname(saved) if saved else self.folder_edit.text().strip()
        if not folder or not os.path.isdir(folder):
            self.show_message(
                "No output folder yet",
                f"The folder '{folder}' does not exist yet; it is made by the first run."
                if folder
                else "Choose an output folder first.",
            )
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(folder)):
            self.show_message("Cannot open the folder", f"No file manager could open '{folder}'.")

    # ------------------------------------------------------------------ history

    def load_from_history(self, settings: Settings) -> bool:
        """Show a History result's settings in the controls, without running."""
        if self.is_running:
            self.statusBar().showMessage(
                "A run is going on: stop it first to load other settings.", 8000
            )
            return False
        self.apply_settings(settings)
        return True

    def rerun(self, settings: Settings) -> None:
        """Show a History result's settings and run them, once their images have loaded."""
        if not self.load_from_history(settings):
            return
        self.result_tabs.setCurrentIndex(0)
        self._rerun_pending = settings
        self._start_pending_rerun()

    def _start_pending_rerun(self) -> None:
        settings = self._rerun_pending
        if settings is None or any(p.is_loading for p in (self.content_picker, self.style_picker)):
            return
        self._rerun_pending = None
        # A picker that could not load the recipe's image keeps the one it had: running
        # then would make a different picture than the one the user asked to re-run.
        for picker, path in (
            (self.content_picker, settings.content),
            (self.style_picker, settings.style),
        ):
            if path and os.path.abspath(os.path.expanduser(path)) != picker.path:
                self.statusBar().showMessage(
                    f"Not re-run: the {picker.role} "
                    f"'{os.path.basename(path)}' could not be "
                    "loaded.",
                    15000,
                )
                return
        self.start_run()

    # ------------------------------------------------------------------ recipes

    def load_recipe_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Load a recipe",
            self.store.get("dialogs/recipe_folder"),
            "Recipes (*.json);;Results with a recipe (*.png);;All files (*)",
        )
        if path:
            self.store.set("dialogs/recipe_folder", os.path.dirname(path))
            self.load_recipe(path)

    def load_recipe(self, path: str) -> bool:
        """Show a recipe's settings; a message says what could not be used."""
        if self.is_running:
            return False
        try:
            loaded = recipes.load_recipe(path)
        except NstError as exc:
            self.show_message("Cannot load the recipe", str(exc))
            return False
        self.apply_settings(loaded.settings)
        name = os.path.basename(path)
        warning = loaded.warning(name)
        if warning:
            self.show_message("Recipe loaded with warnings", warning, QMessageBox.Information)
        self.statusBar().showMessage(f"Loaded the recipe {name}.", 8000)
        return True

    def save_recipe_dialog(self) -> None:
        start = os.path.join(
            self.store.get("dialogs/recipe_folder") or str(Path.home()), "recipe.json"
        )
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the settings as a recipe", start, "Recipes (*.json)"
        )
        if not path:
            return
        if not path.lower().endswith(".json"):
            path += ".json"
        self.store.set("dialogs/recipe_folder", os.path.dirname(path))
        self.save_recipe(path)

    def save_recipe(self, path: str) -> bool:
        try:
            settings = self.current_settings()
        except SettingsError as exc:
            self.show_message("Cannot save the recipe", describe_settings_error(exc))
            return False
        try:
            recipes.write_text_atomic(path, settings.to_json() + "\n")
        except OSError as exc:
            self.show_message(
                "Cannot save the recipe",
                f"The recipe could not be written to '{path}' ({exc.strerror or exc}).",
            )
            return False
        self.statusBar().showMessage(f"Saved the recipe {os.path.basename(path)}.", 8000)
        return True

    # ------------------------------------------------------------------ messages, events

    def show_message(
        self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Warning
    ) -> QMessageBox:
        """A window-modal message that does not block the event loop (a run's signals
        keep arriving behind it, and tests need no nested loop)."""
        log.info("%s: %s", title, text)
        self.last_message = (title, text)
        box = QMessageBox(icon, title, text, QMessageBox.Ok, self)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()
        return box

    def show_about(self) -> None:
        from nst import __version__

        self.show_message(
            "About Style Transfer",
            f"Style Transfer {__version__}: neural style transfer after Gatys, Ecker and "
            "Bethge (CVPR 2016), on VGG19 weights by Simonyan and Zisserman (CC BY 4.0).",
            QMessageBox.Information,
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        # A recipe dropped anywhere on the window loads it; images go onto a picker.
        if self._dropped_recipe(event) and not self.is_running:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        path = self._dropped_recipe(event)
        if path:
            event.acceptProposedAction()
            self.load_recipe(path)

    @staticmethod
    def _dropped_recipe(event: QDragEnterEvent | QDropEvent) -> str | None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if len(urls) == 1 and urls[0].toLocalFile().lower().endswith(".json"):
            return urls[0].toLocalFile()
        return None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if self.is_running:
            # Stop first and close when the worker's thread has ended: the step in
            # progress finishes (no half-written file), and the window stays responsive
            # meanwhile instead of freezing in a wait.
            self._close_after_stop = True
            self.stop_run()
            self.statusBar().showMessage("Stopping the run before closing…")
            event.ignore()
            return
        self._closing = True
        self.preview.shutdown()
        self.sweep_panel.shutdown()  # a cell stops within a step: a short wait
        try:
            self.save_settings()
        except Exception:  # settings must never keep the window from closing
            log.exception("could not save the settings")
        event.accept()


class _wait_cursor:  # noqa: N801 (used like a function: `with _wait_cursor():`)
    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QApplication.restoreOverrideCursor()

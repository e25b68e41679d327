"""The main window: pick two images, set the run's parameters, run, watch, keep the result.

Layout: a control panel on the left (the image pickers, a "Run" tab and a "Layers" tab,
the Run button with a line saying what is missing); on the right the Result, History
and Sweep tabs over the progress bar.

The window only composes: the state is the model's (gui/model/, no Qt), each panel is a
view of it that writes the user's edits back, the RunController starts and stops the
RunWorker, gui/actions.py builds the menus. The window never computes a loss: TensorFlow
is not imported here (nor by anything this module imports), so the window opens at once.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PyQt5.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.actions import build_actions, build_menus
from gui.app_settings import AppSettings
from gui.batch_view.window_batch import BatchWatching
from gui.gui_thread_gc import collect_on_gui_thread
from gui.history.history_panel import HistoryPanel
from gui.labels import FIELD_LABELS
from gui.model import Change, FolderChanged, JobStep, Phase, RunStateChanged, WindowModel
from gui.panels.inputs_panel import InputsPanel
from gui.panels.layers_panel import LayersPanel
from gui.panels.result_panel import ResultPanel
from gui.panels.run_controls import RunControlsPanel
from gui.panels.status_panel import StatusPanel
from gui.queue.window_queue import WindowQueue
from gui.readiness import describe_not_ready
from gui.recipe_dialogs import RecipeDialogs
from gui.sweep.sweep_panel import SweepPanel
from gui.widgets.scrolling import ScrollingPanel
from gui.widgets.wheel_guard import install_wheel_guard
from gui.workers.instant_preview import InstantPreview
from gui.workers.run_control import RunController
from nst.settings import Settings

log = logging.getLogger(__name__)

APP_TITLE = "Style Transfer"
RUN_TIP = "Start the style transfer with these settings (Ctrl+R); while it runs, stop it (Esc)."
STOP_TIP = "Stop the run after the current step and keep the best image so far (Esc)."


class MainWindow(QMainWindow):
    def __init__(self, app_settings: AppSettings | None = None, *, restore: bool = True) -> None:
        super().__init__()
        collect_on_gui_thread()  # Qt objects in cycles are freed on this thread only
        self.store = app_settings if app_settings is not None else AppSettings()
        self.last_message: tuple[str, str] | None = None  # (title, text), for tests and logs
        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        self.model = WindowModel()
        self.preview = InstantPreview(self)
        build_actions(self)
        self._build_ui()
        build_menus(self)
        install_wheel_guard(self)  # the wheel scrolls the panels, not the control under it
        self.runner = RunController(self, self)
        self.recipes = RecipeDialogs(self, self)
        self._connect()
        if restore:
            self.restore_settings()
        else:  # the defaults, written once in nst.settings
            self.model.set_folder(self.store.output_folder())
        self._validate()

    # ------------------------------------------------------------------ building

    def _build_ui(self) -> None:
        model = self.model
        self.status_panel = StatusPanel(model, self.statusBar())
        self.queue = WindowQueue(self, self)
        self.batch_watch = BatchWatching(self, self)
        self.result_panel = ResultPanel(model, self, self.show_message, self.preview)
        self.controls = RunControlsPanel(model)
        self.inputs = InputsPanel(model, self)
        self.layers_panel = LayersPanel(model)

        splitter = QSplitter(Qt.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_controls())
        splitter.addWidget(self._build_results())
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter
        self.setCentralWidget(splitter)
        self.resize(1440, 900)

    def _build_controls(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.inputs.pickers)
        run_tab = QWidget()
        tab_layout = QVBoxLayout(run_tab)
        tab_layout.addWidget(self.inputs.method_group)
        tab_layout.addWidget(self.controls, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(ScrollingPanel(run_tab), "Run")
        self.tabs.addTab(ScrollingPanel(self.layers_panel), "Layers && weights")
        layout.addWidget(self.tabs, 1)

        self.run_button = QPushButton("Run")
        self.run_button.setMinimumHeight(38)
        font = self.run_button.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.run_button.setFont(font)
        self.run_button.setToolTip(RUN_TIP)
        self.queue.add_button.setMinimumHeight(self.run_button.minimumHeight())
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.queue.add_button)
        layout.addLayout(buttons)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setToolTip("What the run still needs before it can start.")
        self.problem_label.setStyleSheet("color: #b3261e;")
        layout.addWidget(self.problem_label)
        # No fixed minimum: the layout's (the widest control's) keeps every control whole.
        panel.setMaximumWidth(560)
        return panel

    def _build_results(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(4, 8, 8, 4)
        self.history_panel = HistoryPanel(field_labels=FIELD_LABELS)
        # The Sweep tab shares the right-hand side: a contact sheet needs the room.
        self.sweep_panel = SweepPanel(self.model, self.queue.where)  # where the queue runs
        self.result_tabs = QTabWidget()
        for widget, name, tip in (
            (self.result_panel, "Result", "The run: the result beside the content image, and "
             "the loss curve."),
            (self.history_panel, "History", "Every result in the output folder, with its "
             "recipe: re-run one, or compare two."),
            (self.sweep_panel, "Sweep", "Render a grid of small results over one or two "
             "settings, and re-render any cell at full size."),
            (self.queue.panel, "Queue", "Jobs kept to run one after another (Add to queue): "
             "order them, retry them, run them all."),
        ):  # fmt: skip
            self.result_tabs.setTabToolTip(self.result_tabs.addTab(widget, name), tip)
        layout.addWidget(self.result_tabs, 1)
        layout.addWidget(self.status_panel)
        return panel

    def _connect(self) -> None:
        self.run_started = self.runner.started
        self.run_button.clicked.connect(self.runner.run_or_stop)
        self.runner.running_changed.connect(self._set_running)
        self.model.subscribe(self._model_changed)
        self.inputs.message.connect(self.show_message)
        self.result_panel.saved.connect(lambda _path: self.history_panel.refresh())
        self.result_panel.message.connect(self.status_panel.message)
        self.history_panel.set_folder(self.model.folder)
        self.history_panel.rerun_requested.connect(self.runner.rerun)
        self.history_panel.load_requested.connect(self.load_from_history)
        self.sweep_panel.full_size_requested.connect(self.runner.render_sweep_cell)
        self.queue.controller.saved.connect(lambda _folder: self.history_panel.refresh())
        if self.queue.unsaved:
            self.say(
                f"The queue cannot be kept on disk ({self.queue.unsaved}); its jobs last until "
                "the window closes."
            )

    def _model_changed(self, change: Change) -> None:
        if isinstance(change, FolderChanged):
            self.history_panel.set_folder(change.folder)
        if isinstance(change, JobStep):
            return  # a queue job's step changes nothing here
        if not isinstance(change, RunStateChanged):
            self._validate()
        elif change.state.phase in (Phase.STARTING, Phase.LOADING_MODEL):
            self.result_tabs.setCurrentIndex(0)  # a run shows its live image, from any tab

    # ------------------------------------------------------------------ settings

    def widget_values(self) -> dict[str, Any]:
        """The values the controls show, as keyword arguments for Settings (not validated)."""
        return self.model.values()

    def current_settings(self) -> Settings:
        """The run the controls describe; raises SettingsError when a value is not allowed."""
        for problem in self.model.problems.values():
            raise problem
        return self.model.settings

    def apply_settings(self, settings: Settings) -> None:
        """Show ``settings`` (a recipe, History): the model is set once. A recipe without
        images keeps the ones chosen."""
        kept = {name: self.model.value(name) for name in ("content", "style")}
        self.model.load_settings(
            settings.replace(**{name: getattr(settings, name) or kept[name] for name in kept})
        )

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
        self.model.load_settings(settings)
        self.model.set_folder(self.store.output_folder())
        image_folder = self.store.get("dialogs/image_folder")
        self.inputs.content_picker.dialog_folder = self.inputs.style_picker.dialog_folder = (
            image_folder
        )
        geometry = self.store.get("window/geometry")
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = self.store.get("window/splitter")
        if not state.isEmpty():
            self.splitter.restoreState(state)

    def save_settings(self) -> None:
        self.store.store_run(self.model.values())
        self.store.set("output/folder", self.model.folder)
        folder = self.inputs.content_picker.dialog_folder or self.inputs.style_picker.dialog_folder
        self.store.set("dialogs/image_folder", folder)
        self.store.set("window/geometry", self.saveGeometry())
        self.store.set("window/splitter", self.splitter.saveState())
        self.store.sync()

    def load_from_history(self, settings: Settings) -> bool:
        """Show a History result's settings in the controls, without running."""
        if self.is_running:
            self.status_panel.message(
                "A run is going on: stop it first to load other settings.", 8000
            )
            return False
        self.apply_settings(settings)
        return True

    # ------------------------------------------------------------------ running

    @property
    def is_running(self) -> bool:
        return self.runner.is_running

    def start_run(self) -> bool:
        return self.runner.start_run()

    def shutdown(self, timeout_ms: int = 120_000) -> None:
        """Stop a run or sweep in progress and wait for its thread (on quit; blocks)."""
        self.runner.closing = True
        self.sweep_panel.shutdown()
        self.queue.shutdown()
        self.runner.shutdown(timeout_ms)

    def problem(self) -> str:
        """Why Run cannot start now, in one sentence; "" when it can."""
        if self.is_running:
            return ""
        return describe_not_ready(self.model.readiness())

    def _validate(self) -> None:
        if self.is_running:
            return
        problem = self.problem()
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))
        self.run_button.setEnabled(not problem)
        self.act_run.setEnabled(not problem)
        # A recipe can be saved whenever every value is allowed, images or not.
        self.act_save_recipe.setEnabled(not self.model.problems)

    def say(self, text: str, timeout_ms: int = 0) -> None:
        """A line in the status bar (gone after ``timeout_ms``; 0: until the next)."""
        self.status_panel.message(text, timeout_ms)

    def show_problem(self, text: str) -> None:
        self.problem_label.setText(text)
        self.problem_label.setVisible(True)

    def show_stopping(self) -> None:
        self.run_button.setText("Stopping…")
        self.run_button.setEnabled(False)
        self.act_stop.setEnabled(False)

    def _set_running(self, running: bool) -> None:
        self.run_button.setText("Stop" if running else "Run")
        self.run_button.setEnabled(True)
        self.run_button.setToolTip(STOP_TIP if running else RUN_TIP)
        self.act_run.setEnabled(not running)
        self.act_stop.setEnabled(running)
        # The panels disable what the run cannot change (gui/panels/binding.py); its weights
        # stay, and an edit steers the run (gui/workers/run_steering.py).
        self.controls.folder_group.setEnabled(not running)
        for act in (self.act_open_content, self.act_open_style, self.act_load_recipe):
            act.setEnabled(not running)
        self.problem_label.setVisible(False)
        if not running:
            self._validate()

    # ------------------------------------------------------------------ recipes, messages

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

    # ------------------------------------------------------------------ events

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt's name)
        # A recipe dropped anywhere on the window loads it; images go onto a picker.
        if _dropped_recipe(event) and not self.is_running:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        path = _dropped_recipe(event)
        if path:
            event.acceptProposedAction()
            self.recipes.load(path)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if self.is_running:
            # Stop first and close when the worker's thread has ended: the step in
            # progress finishes (no half-written file), and the window stays responsive
            # meanwhile instead of freezing in a wait.
            self.runner.close_after_stop = True
            self.runner.stop_run()
            self.status_panel.message("Stopping the run before closing…")
            event.ignore()
            return
        self.runner.closing = True
        self.preview.shutdown()
        self.sweep_panel.shutdown()  # a cell stops within a step: a short wait
        self.queue.shutdown()  # so does a queue job, which then waits for its turn again
        self.batch_watch.stop()
        try:
            self.save_settings()
        except Exception:  # settings must never keep the window from closing
            log.exception("could not save the settings")
        event.accept()


def _dropped_recipe(event: QDragEnterEvent | QDropEvent) -> str | None:
    urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
    if len(urls) == 1 and urls[0].toLocalFile().lower().endswith(".json"):
        return urls[0].toLocalFile()
    return None

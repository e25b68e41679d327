"""The window's actions (Open, Run, Stop, Save, ...) and its menus, built onto a MainWindow.

The actions are attributes of the window (``window.act_run``) so that its buttons, menus
and tests share them. They are built before the panels whose slots they call, so each
slot is looked up when the action fires.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QKeySequence
from PyQt5.QtWidgets import QAction, QMenuBar

if TYPE_CHECKING:
    from gui.batch_view.window_batch import BatchWatching
    from gui.panels.inputs_panel import InputsPanel
    from gui.panels.layers_panel import LayersPanel
    from gui.panels.result_panel import ResultPanel
    from gui.queue.window_queue import WindowQueue
    from gui.recipe_dialogs import RecipeDialogs
    from gui.workers.run_control import RunController


class ActionHost(Protocol):
    """The window the actions are built onto: what their slots call."""

    batch_watch: BatchWatching
    inputs: InputsPanel
    layers_panel: LayersPanel
    queue: WindowQueue
    recipes: RecipeDialogs
    result_panel: ResultPanel
    runner: RunController

    def addAction(self, action: QAction) -> None: ...  # noqa: N802 (Qt's name)
    def menuBar(self) -> QMenuBar: ...  # noqa: N802 (Qt's name)
    def show_about(self) -> None: ...
    def close(self) -> bool: ...


def _action(
    window: ActionHost, text: str, tip: str, slot: Callable[[], Any], shortcut: Any = None
) -> QAction:
    action = QAction(text, window)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    window.addAction(action)  # shortcuts work with the menu bar hidden, too
    return action


def build_actions(window: ActionHost) -> None:
    """The window's actions, as attributes act_*."""
    w = window
    # (attribute, menu text, tip, slot, shortcut); one row an action.
    table: tuple[tuple[str, str, str, Any, Any], ...] = (
        ("act_open_content", "Open &content image…", "Choose the photo to restyle.",
         lambda: w.inputs.content_picker.open_dialog(), QKeySequence.Open),
        ("act_open_style", "Open &style image…", "Choose the painting whose style to take.",
         lambda: w.inputs.style_picker.open_dialog(), "Ctrl+Shift+O"),
        ("act_load_recipe", "&Load recipe…",
         "Load a run's settings from a recipe file (.json) or a result PNG.",
         lambda: w.recipes.load_dialog(), "Ctrl+L"),
        ("act_save_recipe", "Save &recipe…",
         "Save the current settings as a recipe file to load again later.",
         lambda: w.recipes.save_dialog(), "Ctrl+Shift+S"),
        ("act_save", "&Save result", "Save the result into the output folder, with its recipe.",
         lambda: w.result_panel.save_result(), None),
        ("act_save_as", "Save result &as…", "Save the result under a name and format you choose.",
         lambda: w.result_panel.save_result_as(), QKeySequence.Save),
        ("act_copy", "&Copy result", "Copy the result image to the clipboard.",
         lambda: w.result_panel.copy_result(), "Ctrl+Shift+C"),
        ("act_open_folder", "Open output &folder", "Show the output folder in the file manager.",
         lambda: w.result_panel.open_output_folder(), None),
        ("act_quit", "&Quit", "Close the window (a run in progress is stopped first).",
         w.close, QKeySequence.Quit),
        ("act_run", "&Run", "Start the style transfer with these settings (Ctrl+R).",
         lambda: w.runner.start_run(), "Ctrl+R"),
        ("act_stop", "S&top",
         "Stop the run after the current step and keep the best image so far (Esc).",
         lambda: w.runner.stop_run(), Qt.Key_Escape),
        ("act_add_to_queue", "Add to &queue",
         "Keep these settings as a job in the queue, to run after the others.",
         lambda: w.queue.add_current(), "Ctrl+Shift+Return"),
        ("act_add_folder", "Add a f&older of photos to the queue…",
         "Add one job per photo in a folder, with the current styles and settings.",
         lambda: w.queue.add_folder_dialog(), None),
        ("act_resume", "Res&ume an unfinished run…",
         "Go on with a long run that was stopped or cut short, from its last checkpoint "
         "(the …_unfinished_NNN.json it keeps in its output folder).",
         lambda: w.runner.resume_dialog(), None),
        ("act_watch_batch", "&Watch a batch…",
         "Follow a batch that the command line runs (nst batch): its items, how far it is "
         "and its contact sheet.", lambda: w.batch_watch.watch_dialog(), None),
        ("act_defaults", "Restore &default layers",
         "Go back to the paper's layers and the default loss weights.",
         lambda: w.layers_panel.restore_defaults(), None),
        ("act_about", "&About", "About this application.", w.show_about, None),
    )  # fmt: skip
    for name, text, tip, slot, shortcut in table:
        setattr(window, name, _action(window, text, tip, slot, shortcut))
    window.act_stop.setEnabled(False)
    for act in (window.act_save, window.act_save_as, window.act_copy):
        act.setEnabled(False)


def build_menus(window: Any) -> None:  # an ActionHost with its act_* built
    menu = window.menuBar().addMenu("&File")
    menu.addAction(window.act_open_content)
    menu.addAction(window.act_open_style)
    samples = menu.addMenu("Sample images")
    samples.setToolTipsVisible(True)
    samples.addMenu(window.inputs.content_picker.samples_menu).setText("As content")
    samples.addMenu(window.inputs.style_picker.samples_menu).setText("As style")
    menu.addSeparator()
    menu.addAction(window.act_load_recipe)
    menu.addAction(window.act_save_recipe)
    menu.addSeparator()
    menu.addAction(window.act_save)
    menu.addAction(window.act_save_as)
    menu.addAction(window.act_copy)
    menu.addAction(window.act_open_folder)
    menu.addSeparator()
    menu.addAction(window.act_quit)
    menu = window.menuBar().addMenu("&Run")
    menu.addAction(window.act_run)
    menu.addAction(window.act_stop)
    menu.addSeparator()
    menu.addAction(window.act_add_to_queue)
    menu.addAction(window.act_add_folder)
    menu.addAction(window.act_resume)
    menu.addAction(window.act_watch_batch)
    menu.addSeparator()
    menu.addAction(window.act_defaults)
    menu = window.menuBar().addMenu("&Help")
    menu.addAction(window.act_about)

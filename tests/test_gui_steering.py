"""Steering a run from the window (issue 22): while it runs, the weights stay editable and
each edit goes to the run; what it cannot change is disabled and says why; the loss curve
marks each change; the run's recipe records them and History's Re-run replays them."""

from __future__ import annotations

import threading
from typing import Any

from PyQt5.QtCore import Qt

from gui.main_window import MainWindow
from tests.gui_helpers import RUN_TIMEOUT_MS, pick, start, tiny


def test_moving_a_weight_while_the_run_runs_steers_it_and_a_rerun_replays_it(
    qtbot: Any, window: MainWindow, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=6, size=40)
    window.controls.preview_every = 1
    steered = threading.Event()
    seen: dict[str, Any] = {}

    def on_gui_thread(record: Any) -> None:
        if record.step == 2 and not steered.is_set():
            seen["size enabled"] = window.controls.size_group.isEnabled()
            seen["size tip"] = window.controls.size_group.toolTip()
            seen["method enabled"] = window.inputs.method_box.isEnabled()
            seen["add style enabled"] = window.inputs.style_mix.add_button.isEnabled()
            seen["weights enabled"] = window.layers_panel.style_weight_box.isEnabled()
            window.layers_panel.style_weight_box.setValue(100.0)  # as a user types it
            layers = dict(window.model.value("style_layers"), block5_conv1=0.0)
            window.model.set_field("style_layers", layers)  # a layer switched off
            steered.set()

    def hold(record: Any) -> None:  # on the worker's thread: step 3 waits for the edits
        if record.step == 2:
            steered.wait(30)

    def connect(worker: Any) -> None:
        # In this order: a signal calls its slots in the order they were connected, and
        # the GUI thread's call must be posted before the worker's thread waits for it.
        worker.progress.connect(on_gui_thread)
        worker.progress.connect(hold, Qt.DirectConnection)

    window.run_started.connect(connect)
    start(qtbot, window)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)

    assert seen == {
        "size enabled": False,
        "size tip": "Fixed while the run runs: the image being optimized has its size; "
        "start a new run.",
        "method enabled": False,
        "add style enabled": False,
        "weights enabled": True,
    }
    assert window.controls.size_group.isEnabled()  # given back when the run ends
    assert window.controls.size_group.toolTip() != seen["size tip"]
    outcome = window.result_panel.outcome
    made = ((2, "style_weight", 100.0), (2, "style_layers.block5_conv1", 0.0))  # as edited
    assert outcome.result.settings.changes == made
    assert outcome.recipe["settings"]["changes"] == [list(change) for change in made]
    assert window.result_panel.loss_plot.marks == [
        (2, "style weight 100"),
        (2, "style conv5_1 off"),
    ]

    # History's Re-run: the recipe's settings, changes and all, run again.
    window.runner.rerun(outcome.result.settings)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    replay = window.result_panel.outcome
    assert replay is not outcome and replay.result.settings.changes == made
    assert replay.result.losses == outcome.result.losses


def test_a_recipes_changes_are_shown_before_its_run_and_can_be_cleared(window: MainWindow):
    panel = window.layers_panel
    assert panel.changes_label.isHidden() and panel.changes_clear.isHidden()
    planned = ((20, "style_weight", 100.0), (40, "style_layers.block5_conv1", 0.0))
    window.model.load_settings(window.model.settings.replace(changes=planned))
    assert not panel.changes_label.isHidden()
    assert panel.changes_label.text() == (
        "Changes during the run: after step 20: style weight 100; after step 40: style conv5_1 off"
    )
    panel.changes_clear.click()
    assert window.model.settings.changes == () and panel.changes_label.isHidden()

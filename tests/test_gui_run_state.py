"""The status bar, the result view and the Sweep tab drawn from the model's RunState
(gui/model/run_state.py), without a worker: the words issue 19 found stale, each set
through the model."""

from __future__ import annotations

from typing import Any

import pytest

from gui.main_window import MainWindow
from gui.model import Ending, Engine, Phase, RunState
from gui.panels.status_panel import UNKNOWN_DEVICE
from gui.sweep.words import cell_words
from nst.precision import Precision
from nst.settings import Settings
from nst.sweep.grid import Cell

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("isolated_home")]

FLOAT32 = Precision("automatic", "float32", "CPU without bfloat16 support")
SHEET_LINE = "Done: 2 of 2 cells in 0:03 · contact sheet saved as /tmp/sweep/contact_sheet.png"


def test_the_status_bar_follows_the_run_state(window: MainWindow) -> None:
    status, model = window.status_panel, window.model
    assert status.device_label.text() == UNKNOWN_DEVICE
    engine = Engine("CPU (2 cores)", "VGG19 weights", FLOAT32)
    model.set_run_state(RunState(Phase.PREPARING, 0, 10, "gatys", engine=engine, run=1))
    assert status.progress_label.text() == "Preparing the images…"
    assert status.device_label.text() == "Device: CPU (2 cores) · float32 (automatic)"
    assert FLOAT32.words() in status.device_label.toolTip()
    model.update_run(phase=Phase.RUNNING)
    assert status.progress_label.text() == "Running on CPU (2 cores) in float32"
    model.update_run(step=4, elapsed=2.0, eta=3.0, losses={"total": 1.0})
    assert status.progress_label.text().startswith("Step 4 of 10")
    assert status.progress_bar.value() == 4
    assert window.result_panel.loss_plot.steps == [4]  # the result view follows it too
    model.update_run(phase=Phase.FAILED, ending=Ending(error="The run ran out of memory."))
    assert status.progress_label.text() == "Failed"
    assert window.statusBar().currentMessage() == "The run ran out of memory."
    assert window.result_panel.result_view.placeholder() == "The run failed."


def test_an_instant_run_names_its_device_and_keeps_the_weights(window: MainWindow) -> None:
    status, model = window.status_panel, window.model
    model.set_run_state(RunState(engine=Engine("GPU: H200", "VGG19 weights", FLOAT32)))
    weights = status.weights_label.toolTip()
    model.set_run_state(RunState(Phase.PREPARING, method="instant", run=1))
    assert status.progress_label.text() == "Making the instant result…"
    # the instant network's worker reports where it ran, with no VGG19 weights
    model.update_run(engine=Engine("CPU (2 cores)"))
    model.update_run(phase=Phase.FINISHED, ending=Ending(1, 0.25, has_result=True))
    assert status.device_label.text() == "Device: CPU (2 cores)"
    assert status.weights_label.toolTip() == weights
    assert status.progress_label.text() == "Done in 0.25 s"


def test_a_refused_run_leaves_the_window_as_it_was(window: MainWindow) -> None:
    model = window.model
    before = RunState(Phase.FINISHED, 3, 3, "gatys", ending=Ending(3, 1.0, has_result=True))
    model.set_run_state(before)
    window.runner.phases.started()
    assert model.run_state.active
    window.runner.phases.ended()  # the memory check refused it: never admitted
    assert model.run_state == before


def test_the_sweep_keeps_its_contact_sheet_line_through_a_run(window: MainWindow) -> None:
    panel, model = window.sweep_panel, window.model
    panel._say(SHEET_LINE)  # as a finished sweep says it
    model.set_run_state(RunState(Phase.STARTING))  # Render at full size starts a run
    assert "A run is in progress" in panel.progress_label.text()
    model.set_run_state(RunState(Phase.FINISHED, ending=Ending(2, 1.0, has_result=True)))
    assert panel.progress_label.text() == SHEET_LINE


def test_a_sweep_gives_the_status_bar_its_precision(window: MainWindow) -> None:
    window.sweep_panel._on_ready("CPU (2 cores)", "VGG19 weights", FLOAT32)
    assert window.status_panel.device_label.text() == "Device: CPU (2 cores) · float32 (automatic)"


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ((("style_weight", 100.0),), "Style weight 100"),
        (
            (("style_weight", 0.581256), ("optimizer", "adam")),
            "Style weight 0.581256, Optimizer adam",
        ),
        ((("style_layers.block3_conv1", 0.5),), "Style weight of conv3_1 0.5"),
        ((("learning_rate", None),), "Learning rate default"),
    ],
)
def test_a_cell_is_worded_with_labels_not_field_names(values: Any, words: str) -> None:
    assert cell_words(Cell(0, 0, values, Settings())) == words

"""GUI tests of what the window shows of a run's result (issue 14): a stopped run is
saved like the command line's, captions and paths fit without cutting a number, the loss
legend leaves the curves alone, a computed weight shows rounded, and the result view's
hint follows the chosen images.

Most use a stand-in result (no TensorFlow); one real run checks the saved recipe.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtGui import QFontMetrics, QImage

from gui.main_window import MainWindow
from gui.model import Ending, Engine, Phase, RunState
from gui.widgets.editors import NumberBox
from gui.widgets.image_view import CAPTION_MAX_LINES, ImageView, caption_lines
from gui.widgets.loss_plot import LossPlot, decade_label
from gui.widgets.path_label import elide_path
from gui.workers.run_worker import RunOutcome, RunWorker
from nst.settings import Settings, strength_to_ratio
from tests.gui_helpers import RUN_TIMEOUT_MS, pick, saved_files, start, tiny

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("isolated_home")]

STOPPED_FILES = ["tubingen_starry_night_001.json", "tubingen_starry_night_001.png"]


@dataclass
class StandIn:
    """What the window reads of an nst.run.session Result, without running the engine."""

    settings: Settings
    steps: int = 6
    stopped: bool = True
    duration: float = 3.0
    image: np.ndarray = field(default_factory=lambda: np.full((150, 400, 3), 90, np.uint8))

    def recipe(self) -> dict[str, Any]:
        return {"settings": self.settings.to_dict(), "steps": self.steps, "stopped": self.stopped}


def stand_in(content_path: str, style_path: str, **changes: Any) -> StandIn:
    settings = Settings(content=content_path, style=style_path, iterations=4000)
    return StandIn(settings, **changes)


def numbers(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def assert_numbers_whole(shown: str, full: str) -> None:
    """Every number shown is one of the full text's, whole ("4000", never "4…" or "000");
    a file name elided in the middle ("tubing…001.png") is a path, not a number."""
    words = [w for w in shown.split() if "…" not in w]
    assert set(numbers(" ".join(words))) <= set(numbers(full)), (shown, full)


# --------------------------------------------------------------------------- item 1


def test_a_stopped_run_is_saved_like_the_command_line(
    qtbot: Any, out_dir: Path, content_path: str, style_path: str
) -> None:
    worker = RunWorker(Settings(content=content_path, style=style_path), str(out_dir))
    outcome = worker._keep(stand_in(content_path, style_path), started=0.0)
    assert outcome.stopped and outcome.saved_path == str(out_dir / STOPPED_FILES[1])
    assert saved_files(out_dir) == STOPPED_FILES
    assert json.loads((out_dir / STOPPED_FILES[0]).read_text())["stopped"] is True


def test_a_stopped_result_says_it_was_saved_and_where(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    panel = window.result_panel
    path = str(out_dir / STOPPED_FILES[1])
    window.runner.phases.finished(RunOutcome(stand_in(content_path, style_path), {}, path))
    caption = panel.result_view.caption()
    assert caption.startswith("Stopped at step 6 of 4000")
    assert "saved as tubingen_starry_night_001.png" in caption and "not saved" not in caption
    assert window.status_panel.progress_label.text() == "Stopped at step 6"
    assert window.statusBar().currentMessage().startswith("Saved ")
    assert not window.act_save.isEnabled() and window.act_save_as.isEnabled()
    assert path in panel.saved_label.toolTip()


def test_a_stopped_result_whose_save_failed_says_so_until_saved(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    panel = window.result_panel
    result = stand_in(content_path, style_path)
    outcome = RunOutcome(result, result.recipe(), save_error="The disk is full.")
    window.runner.phases.finished(outcome)
    assert panel.result_view.caption().endswith("not saved")
    assert window.act_save.isEnabled()

    saved = panel.save_result()
    assert saved is not None and saved_files(out_dir) == STOPPED_FILES
    caption = panel.result_view.caption()
    assert "not saved" not in caption and caption.endswith("saved as " + saved.name)
    assert json.loads(saved.with_suffix(".json").read_text())["stopped"] is True


@pytest.mark.slow
def test_stop_saves_the_best_image_with_a_stopped_recipe(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=200)
    records = start(qtbot, window)
    qtbot.waitUntil(lambda: len(records) >= 2, timeout=RUN_TIMEOUT_MS)
    window.runner.stop_run()
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)

    outcome = window.result_panel.outcome
    assert outcome.stopped and outcome.result.steps == records[-1].step >= 2
    assert saved_files(out_dir) == STOPPED_FILES  # no Run or quit can discard it now
    recipe = json.loads((out_dir / STOPPED_FILES[0]).read_text())
    assert recipe["stopped"] is True and recipe["steps"] == outcome.result.steps
    caption = window.result_panel.result_view.caption()
    assert f"Stopped at step {outcome.result.steps} of 200" in caption
    assert "saved as tubingen_starry_night_001.png" in caption and "not saved" not in caption
    assert window.last_message is None


# --------------------------------------------------------------------------- item 5

LONG_CAPTION = (
    "Stopped at step 6 of 4000 · best image so far · 4000 × 1500 · "
    "saved as tubingen_starry_night_001.png"
)


# From the narrowest caption an ImageView has (its minimum width, 160, less margins) up.
@pytest.mark.parametrize("width", [148, 170, 240, 330, 900])
def test_captions_wrap_and_never_cut_a_number(qtbot: Any, width: int) -> None:
    view = ImageView("")
    qtbot.addWidget(view)
    metrics = view.fontMetrics()
    lines = caption_lines(LONG_CAPTION, metrics, width)
    assert 1 <= len(lines) <= CAPTION_MAX_LINES == 2
    assert all(metrics.horizontalAdvance(line) <= width for line in lines)
    assert_numbers_whole(" ".join(lines), LONG_CAPTION)
    assert lines[0].startswith("Stopped at step")
    # What matters stays: the step and the state, first and last; the middle gives way
    # (in the narrowest views the state too: the tooltip has it).
    shown = " ".join(lines)
    assert "of 4000" in shown
    if width >= 240:
        assert "saved as" in shown


def test_a_long_caption_does_not_move_the_image(qtbot: Any) -> None:
    view = ImageView("")
    qtbot.addWidget(view)
    view.resize(200, 300)
    image = QImage(40, 30, QImage.Format_RGB888)
    view.set_image(image, "Result · 40 × 30")
    area = view.image_area()
    assert len(view.caption_lines()) == 1
    view.set_caption(LONG_CAPTION)  # three lines and more at this width, unelided
    assert len(caption_lines(LONG_CAPTION, view.fontMetrics(), 188, max_lines=9)) >= 3
    lines = view.caption_lines()
    assert len(lines) == 2 and view.image_area() == area
    assert LONG_CAPTION in view.tooltip_text()
    view.set_caption("")
    assert view.image_area() == area


def test_an_image_view_keeps_its_full_caption_in_the_tooltip(qtbot: Any) -> None:
    view = ImageView("")
    qtbot.addWidget(view)
    view.setToolTip("The result.")
    view.resize(170, 300)
    view.set_caption(LONG_CAPTION)
    assert len(view.caption_lines()) > 1
    assert view.tooltip_text() == LONG_CAPTION + "\nThe result."


def test_elide_path_keeps_both_ends(qtbot: Any) -> None:
    view = ImageView("")
    qtbot.addWidget(view)
    metrics = view.fontMetrics()
    path = "/home/someone/Pictures/style transfer/results/tubingen_starry_night_012.png"
    short = elide_path(path, metrics, 200)
    assert metrics.horizontalAdvance(short) <= 200 and "…" in short
    assert short.startswith("/home") and short.endswith(".png")
    assert elide_path("a.png", metrics, 200) == "a.png"


def test_at_1024_by_700_captions_links_and_labels_fit(
    qtbot: Any, window: MainWindow, tmp_path: Path, content_path: str, style_path: str
) -> None:
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024)
    folder = tmp_path / "a rather long folder name for results" / "of this week"
    path = str(folder / "tubingen_starry_night_with_a_long_name_001.png")
    outcome = RunOutcome(stand_in(content_path, style_path), {}, path)
    weights = (
        "Keras's VGG19 weights, vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5 (0123456789ab)"
    )
    ending = Ending(4000, 1.0, saved_path=path, has_result=True, outcome=outcome)
    window.model.set_run_state(
        RunState(Phase.FINISHED, 4000, 4000, "gatys", engine=Engine("CPU", weights), ending=ending)
    )
    qtbot.waitUntil(lambda: window.result_panel.saved_label.width() > 0)

    view = window.result_panel.result_view
    room = view.width() - 12
    assert all(view.fontMetrics().horizontalAdvance(line) <= room for line in view.caption_lines())
    assert_numbers_whole(" ".join(view.caption_lines()), view.caption())

    for label, full in (
        (window.result_panel.saved_label, "tubingen_starry_night_with_a_long_name_001.png"),
        (window.status_panel.weights_label, weights),
    ):
        shown = label.shown_text()
        assert QFontMetrics(label.font()).horizontalAdvance(shown) <= label.width(), shown
        assert full in label.toolTip()
        assert "(0123456789ab)" in shown or "0123" not in shown  # a checksum goes whole

    message = window.statusBar().currentMessage()
    assert message.startswith("Saved /") and message.endswith("_001.png") and "…" in message
    room = window.status_panel.message_room()
    assert QFontMetrics(window.statusBar().font()).horizontalAdvance(message) <= room
    assert window.statusBar().toolTip() == f"Saved {path}"


# --------------------------------------------------------------------------- item 6


def test_the_loss_legend_stays_out_of_the_plot(qtbot: Any) -> None:
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(plot.minimumSize())
    plot.clear(60)
    for step in range(1, 61):
        plot.add(step, {"total": 1e6 / step, "content": 1e5, "style": 9e5 / step, "tv": 1e3})
    y_range = plot._y_range()
    area, legend = plot.plot_rect(y_range), plot.legend_rect()
    assert area.width() > 100
    assert legend.left() >= area.right() and legend.right() <= plot.width()
    # Every decade's label fits left of the plot, whole ("10000", not "0000").
    metrics = QFontMetrics(plot.font())
    labels = range(int(y_range[0]), int(y_range[1]) + 1)
    assert all(metrics.horizontalAdvance(decade_label(e)) < area.left() for e in labels)
    assert not plot.grab().isNull()


# --------------------------------------------------------------------------- item 7


def test_a_computed_weight_shows_rounded_and_stays_exact(qtbot: Any) -> None:
    box = NumberBox(0.0, 1e9)
    qtbot.addWidget(box)
    box.setValue(0.14330125702369627)
    assert box.text() == "0.143" and box.value() == 0.14330125702369627
    qtbot.keyClick(box, Qt.Key_Return)  # Enter on the untouched text keeps the value
    assert box.value() == 0.14330125702369627
    box.setValue(12.5)  # a value someone typed shows as typed
    assert box.text() == "12.5" and box.value() == 12.5
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "0.123456")
    qtbot.keyClick(box, Qt.Key_Return)
    assert box.text() == "0.123456" and box.value() == 0.123456
    box.setValue(316227.76601683794)
    assert box.text() == "316228"  # whole digits are never rounded away


def test_the_strength_slider_shows_a_rounded_style_weight(qtbot: Any, window: MainWindow) -> None:
    slider = window.inputs.style_mix.ratio_strength
    slider.setValue(round(slider.maximum() * 0.13))
    position = slider.value() / slider.maximum()
    content = window.layers_panel.content_weight_box.value()
    exact = strength_to_ratio(position) * content
    assert content == 1.0 and exact < 1  # the defaults: 0.757..., not 0.757374
    assert window.layers_panel.style_weight_box.text() == f"{exact:.3g}"
    assert window.current_settings().style_weight == exact  # the Settings keep it exactly


# --------------------------------------------------------------------------- item 9


def test_the_result_hint_follows_the_chosen_images(
    qtbot: Any, open_window: Any, content_path: str, style_path: str
) -> None:
    window = open_window(restore=False, folder=None, show=False)
    panel = window.result_panel
    hint = panel.result_view.placeholder
    assert "Choose a content and a style image" in hint()

    pick(qtbot, window, content_path, None)
    assert "Choose a style image" in hint()
    pick(qtbot, window, None, style_path)
    assert "press Run to make the result" in hint() and "Choose" not in hint()

    method = window.inputs.method_box
    method.setCurrentIndex(method.findData("texture"))
    assert "press Run to grow a texture" in hint()
    window.inputs.style_picker.clear()
    assert "Choose a style image" in hint() and "content" not in hint()

"""The window before a long run: the size limit said when a typed size is above it, the
question with the estimated time and memory, and the step rate each run leaves in the app
settings for the next estimate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PyQt5.QtCore import QSettings, Qt
from PyQt5.QtWidgets import QMessageBox

from gui import run_estimate_words as estimate_words
from gui.app_settings import AppSettings
from gui.main_window import MainWindow
from gui.panels.speed_box import SpeedGroup
from nst import memory
from nst.precision import resolve
from nst.run import estimate
from nst.settings import MAX_SIZE, Settings
from tests.gui_helpers import RUN_TIMEOUT_MS, pick, tiny

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("isolated_home")]


@pytest.fixture
def plenty_of_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """The large runs here fit, whatever this machine has free (the worker's memory check
    would refuse them after the question)."""
    monkeypatch.setattr(memory, "available_bytes", lambda *_: 2**40)


def press_run(qtbot: Any, window: MainWindow) -> None:
    qtbot.mouseClick(window.run_button, Qt.LeftButton)


def button(box: QMessageBox, text: str) -> Any:
    (found,) = [b for b in box.buttons() if b.text() == text]
    return found


def type_size(qtbot: Any, box: Any, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key_Return)


# --------------------------------------------------------------------------- the size limit


def test_a_typed_size_above_the_limit_becomes_the_limit_and_says_so(
    qtbot: Any, window: MainWindow
) -> None:
    controls = window.controls
    assert not controls.size_note.isVisible()
    assert f"to {MAX_SIZE} px" in window.controls.size_box.toolTip()
    type_size(qtbot, window.controls.size_box, "20000")
    assert window.controls.size_box.value() == MAX_SIZE  # not 2000, Qt's own box's silent answer
    assert controls.size_note.isVisible()
    assert controls.size_note.text() == (
        f"The output size is at most {MAX_SIZE} px: 20000 became {MAX_SIZE}."
    )
    type_size(qtbot, window.controls.size_box, "700")  # a size within the limit: the note goes
    assert window.controls.size_box.value() == 700 and not controls.size_note.isVisible()
    type_size(qtbot, controls.work_size_box, "9000")
    assert controls.work_size_box.value() == MAX_SIZE
    assert controls.size_note.text().startswith(f"The working size is at most {MAX_SIZE} px")


# --------------------------------------------------------------------------- the rate


def test_the_step_rate_is_kept_per_precision_across_sessions(tmp_path: Path) -> None:
    path = str(tmp_path / "settings.ini")
    store = AppSettings(QSettings(path, QSettings.IniFormat))
    assert store.step_rate("float32") is None
    store.remember_step_rate("float32", 37.2)
    store.remember_step_rate("bfloat16", 9.5)
    store.remember_step_rate("float32", 39.9)  # the latest replaces the one before
    store.remember_step_rate("float32", float("nan"))  # never kept
    store.sync()
    again = AppSettings(QSettings(path, QSettings.IniFormat))
    assert again.step_rates() == {"float32": 39.9, "bfloat16": 9.5}


@pytest.mark.parametrize("stored", ["not json", "[1, 2]", '{"float32": -1, "bfloat16": "x"}'])
def test_a_damaged_stored_rate_is_ignored(store: AppSettings, stored: str) -> None:
    store.set("estimate/step_rates", stored)
    assert store.step_rate("float32") is None and store.step_rate("bfloat16") is None


@pytest.mark.slow
def test_a_run_leaves_its_measured_rate_in_the_app_settings(
    qtbot: Any, window: MainWindow, store: AppSettings, monkeypatch: pytest.MonkeyPatch,
    content_path: str, style_path: str
) -> None:  # fmt: skip
    # A 48 px run is far under the smallest stage measured; time it all the same.
    monkeypatch.setattr(estimate, "MIN_MEASURED_MEGAPIXELS", 0.0)
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=3)
    used = resolve("automatic").used  # the precision "automatic" picks on this machine
    assert store.step_rate(used) is None
    press_run(qtbot, window)
    assert window.is_running  # nothing measured and small: no question
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    rate = store.step_rate(used)
    assert rate is not None and rate > 0 and store.step_rate("automatic") == rate
    predicted = window.runner.estimate_time(window.current_settings())
    assert predicted is not None and not predicted.rough
    assert predicted.seconds == pytest.approx(rate * 3 * (48 * 36 / 1e6))  # 3 steps at 48x36


@pytest.mark.slow
@pytest.mark.usefixtures("plenty_of_memory")
def test_small_runs_leave_a_rough_figure_for_a_large_run(
    qtbot: Any, window: MainWindow, store: AppSettings, content_path: str, style_path: str
) -> None:
    """Runs under MIN_MEASURED_MEGAPIXELS are not timed as a rate; the question before a
    large run gives a rough range from them rather than 'unknown'."""
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=3)
    press_run(qtbot, window)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    used = resolve("automatic").used
    assert store.step_rate(used) is None  # 48 px: too small for a rate
    rough = store.step_rate("rough/" + used)
    assert rough is not None and rough > 0 and store.step_rate("rough/automatic") == rough
    window.controls.size_box.setValue(2000)
    window.controls.iterations_box.setValue(300)
    predicted = window.runner.estimate_time(window.current_settings())
    assert predicted is not None and predicted.rough and predicted.low < predicted.seconds
    press_run(qtbot, window)
    assert not window.is_running
    text = window.runner.estimate_box.text()
    assert text.startswith(f"This run will take {estimate_words.time_words(predicted)}")
    assert text.startswith("This run will take roughly ")
    assert window.runner.estimate_box.informativeText().startswith("A rough figure")


# --------------------------------------------------------------------------- the question

pytest_question = pytest.mark.usefixtures("plenty_of_memory")


@pytest_question
def test_a_long_run_asks_first_with_its_time_and_memory(
    qtbot: Any, window: MainWindow, store: AppSettings, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    window.controls.size_box.setValue(2000)
    store.remember_step_rate(Settings().precision, 20.0)  # the default: "automatic"
    predicted = window.runner.estimate_time(window.current_settings())
    assert predicted is not None and predicted.seconds > estimate.LONG_RUN_SECONDS
    press_run(qtbot, window)
    assert not window.is_running
    box = window.runner.estimate_box
    assert box is not None and box.isVisible()
    title, text = window.last_message
    assert title == "A long run" and box.text() == text
    words = estimate_words.duration_words(predicted.seconds)
    assert text.startswith(f"This run will take {words} and use ")
    assert text.endswith(" GB of memory. Run it?")
    assert box.informativeText() == estimate_words.advice(predicted)
    button(box, "Cancel").click()
    assert not window.is_running


@pytest_question
def test_an_unmeasured_large_run_says_its_time_is_unknown(
    qtbot: Any, window: MainWindow, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    window.controls.size_box.setValue(2000)
    press_run(qtbot, window)
    assert not window.is_running
    text = window.runner.estimate_box.text()
    assert text.startswith("How long this run will take is unknown until its first steps")
    assert "GB of memory" in text


@pytest_question
def test_a_short_measured_run_asks_nothing_whatever_its_size(
    qtbot: Any, window: MainWindow, store: AppSettings, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    window.controls.size_box.setValue(2000)
    store.remember_step_rate(Settings().precision, 1e-6)  # a very fast machine
    # Asked directly: pressing Run would start a real 2000 px run.
    assert not window.runner._ask_before_long_run(window.current_settings(), None)
    assert window.runner.estimate_box is None and window.last_message is None


@pytest.mark.slow
@pytest_question
def test_run_in_the_question_starts_the_run_without_asking_again(
    qtbot: Any, window: MainWindow, store: AppSettings, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=2)
    store.remember_step_rate(Settings().precision, 1e6)  # a 48 px run predicted at about an hour
    press_run(qtbot, window)
    box = window.runner.estimate_box
    assert not window.is_running and box is not None
    button(box, "Run").click()
    assert window.is_running and window.runner.estimate_box is box  # asked once
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)


def test_a_print_size_run_is_estimated_in_tiles_within_the_memory_given(
    qtbot: Any,
    window: MainWindow,
    store: AppSettings,
    content_path: str,
    style_path: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 4096 px whole would need some 58 GB; within 17 GB its last stage goes in tiles, whose
    # steps cost more a pixel: the question says 17 GB at most and a longer time.
    monkeypatch.setattr(memory, "available_bytes", lambda *_: 20 * 2**30)
    monkeypatch.setattr(memory, "resident_bytes", lambda *_: 2**30)
    pick(qtbot, window, content_path, style_path)
    window.controls.size_box.setValue(4096)
    window.findChildren(SpeedGroup)[0].memory_box.setValue(17)
    settings = window.current_settings()
    assert settings.max_memory == 17
    store.remember_step_rate(settings.precision, 20.0)
    whole = estimate.run_estimate(settings, (1024, 768), 20.0)
    predicted = window.runner.estimate_time(settings)
    dims = window.runner._image_dims(settings)
    plan = memory.stage_memory_here(settings, *dims)  # within 17 GB: the setting's
    assert plan[4096].tile and plan[4096].cost > 1.5
    costs = {size: stage.cost for size, stage in plan.items()}
    tiled = estimate.run_estimate(settings, dims[0], 20.0, costs=costs)
    assert predicted.seconds == pytest.approx(tiled.seconds) and tiled.seconds > whole.seconds
    press_run(qtbot, window)
    text = window.runner.estimate_box.text()
    used = float(text.split(" and use about ")[1].split(" GB")[0])
    assert 10 < used <= 17
    button(window.runner.estimate_box, "Cancel").click()

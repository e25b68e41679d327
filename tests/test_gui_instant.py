"""GUI tests of the instant method and the speed and colour controls (offscreen, real
runs on tiny images).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gui.app_settings import AppSettings
from gui.main_window import MainWindow
from nst.settings import (
    Settings,
)
from tests.gui_helpers import RUN_TIMEOUT_MS, pick, saved_files, tiny

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.usefixtures("isolated_home")]

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- instant mode


def test_instant_preview_follows_the_controls_without_blocking(
    qtbot: Any,
    window: MainWindow,
    content_path: str,
    style_path: str,
    samples: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gui.workers import instant_preview

    calls: list[Any] = []
    real = instant_preview.compute

    def counting(request: Any, cache: Any) -> Any:
        calls.append(request)
        return real(request, cache)

    monkeypatch.setattr(instant_preview, "compute", counting)
    assert window.result_panel.preview_view.image() is None
    pick(qtbot, window, content_path, style_path)
    qtbot.waitUntil(
        lambda: window.result_panel.preview_view.image() is not None, timeout=RUN_TIMEOUT_MS
    )
    assert window.result_panel.preview_view.image().width() == instant_preview.PREVIEW_SIZE
    assert window.result_panel.preview_view.caption().startswith("Instant preview")
    first = window.result_panel.preview_view.image()

    # A drag: many values in a row, each returning at once; one preview for where it rests.
    done = len(calls)
    for value in range(100, 49, -5):
        window.inputs.style_mix.ratio_strength.setValue(value)
    assert len(calls) == done  # each move returned at once: nothing ran on the GUI thread
    qtbot.waitUntil(lambda: window.result_panel.preview_view.image() is not first, timeout=30_000)
    assert not window.preview._timer.isActive()  # nothing more is waiting to run
    assert len(calls) - done == 1 and calls[-1].strength == 0.5

    # A second style with a weight: the preview follows it too.
    window.inputs.style_mix.add(str(samples / "the_scream.jpg"), 0.3)
    qtbot.waitUntil(
        lambda: calls[-1].styles[-1] == (str(samples / "the_scream.jpg"), 0.3), timeout=5_000
    )
    assert window.widget_values()["extra_styles"] == ((str(samples / "the_scream.jpg"), 0.3),)
    # ... which both methods take (the optimization blends the styles' Gram matrices).
    assert window.problem() == ""
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("instant"))
    assert window.problem() == ""


def test_run_with_the_instant_method_saves_its_result(
    qtbot: Any, window: MainWindow, content_path: str, style_path: str, out_dir: Path
) -> None:
    pick(qtbot, window, content_path, style_path)
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("instant"))
    window.controls.size_box.setValue(64)
    assert not window.controls.optim_group.isEnabled()
    with qtbot.waitSignal(window.run_started, timeout=5_000):
        assert window.start_run()
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    assert saved_files(out_dir) == [
        "tubingen_starry_night_001.json",
        "tubingen_starry_night_001.png",
    ]
    recipe = json.loads((out_dir / "tubingen_starry_night_001.json").read_text())
    assert recipe["settings"]["method"] == "instant"
    assert window.result_panel.result_view.caption().startswith("Instant result · 64 × 48")
    # the status bar names the device the network ran on, not "found on the first run"
    engine = window.model.run_state.engine
    assert engine is not None and engine.device and engine.precision is None
    assert window.status_panel.device_label.text() == f"Device: {engine.device}"
    assert window.status_panel.progress_label.text().startswith("Done in ")


def test_instant_settings_round_trip_through_qsettings(
    window: MainWindow, open_window: Any
) -> None:
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("instant"))
    window.inputs.style_mix.strength.setValue(35)
    window.save_settings()
    again = open_window(folder=None, show=False)
    assert again.current_settings().method == "instant"
    assert again.current_settings().style_strength == 0.35


def test_gatys_run_with_the_instant_head_start(
    qtbot: Any, window: MainWindow, content_path: str, style_path: str, out_dir: Path
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=2)
    window.controls.init_box.setCurrentIndex(window.controls.init_box.findData("instant"))
    assert window.controls.init_box.currentText() == "The instant result"
    with qtbot.waitSignal(window.run_started, timeout=5_000):
        assert window.start_run()
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    recipe = json.loads((out_dir / "tubingen_starry_night_001.json").read_text())
    assert recipe["settings"]["init"] == "instant" and recipe["steps"] == 2


def test_speed_controls_reach_the_settings_and_are_remembered(
    qtbot: Any, window: MainWindow, store: AppSettings
) -> None:
    assert "Fast" in window.controls.precision_box.toolTip()
    assert "Coarse-to-fine" in window.controls.stages_box.toolTip()
    window.controls.precision_box.setCurrentIndex(
        window.controls.precision_box.findData("bfloat16")
    )
    window.controls.stages_box.setCurrentIndex(window.controls.stages_box.findData(1))
    settings = window.current_settings()
    assert (settings.precision, settings.stages) == ("bfloat16", 1)
    store.store_run(settings.to_dict())
    assert (store.run_settings().precision, store.run_settings().stages) == ("bfloat16", 1)
    window.apply_settings(Settings(precision="float32", stages=3))
    assert window.controls.precision_box.currentData() == "float32"
    assert window.controls.stages_box.currentData() == 3
    window.apply_settings(Settings())
    assert window.current_settings().stages is None  # "Automatic"


def test_colour_controls_reach_the_settings_and_are_remembered(
    window: MainWindow, store: AppSettings
) -> None:
    assert window.controls.colour_slider.isEnabled()  # the painting's colours: the blend applies
    window.controls.colour_slider.setValue(40)
    assert window.current_settings().colour_strength == 0.4
    window.controls.colour_box.setCurrentIndex(window.controls.colour_box.findData("luminance"))
    assert not window.controls.colour_slider.isEnabled()  # luminance only keeps the photo's colours
    settings = window.current_settings()
    assert settings.colour == "luminance"
    store.store_run(settings.to_dict())
    assert store.run_settings().colour == "luminance"
    window.apply_settings(Settings(colour="match"))
    assert (
        window.controls.colour_box.currentData() == "match"
        and window.controls.colour_slider.value() == 0
    )

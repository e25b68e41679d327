"""The reconstructions of Gatys et al. 2016, Figure 1, from the window: content only (style
weight 0, TV 0, from white noise) and style only (content weight 0), each from a single
layer, run to a saved result whose recipe says so. Also the precision box's "Automatic"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from nst.settings import Settings
from tests.gui_helpers import RUN_TIMEOUT_MS, pick, start, tiny

if TYPE_CHECKING:
    from gui.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("isolated_home")]


def _only(layers: Any, name: str) -> None:
    """Check ``name`` alone among a layer table's boxes."""
    for layer, check in layers.checks.items():
        check.setChecked(layer == name)


def _run(qtbot: Any, window: MainWindow, out_dir: Path) -> dict[str, Any]:
    assert window.problem() == "" and window.run_button.isEnabled()
    records = start(qtbot, window)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    assert records, "the run made no step"
    [recipe] = sorted(out_dir.glob("*.json"))
    return json.loads(recipe.read_text())


@pytest.mark.slow  # a real run through the window
def test_content_only_reconstruction_from_noise(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=3, size=48)
    window.layers_panel.style_weight_box.setValue(0.0)
    window.layers_panel.tv_weight_box.setValue(0.0)
    _only(window.layers_panel.content_layers, "block2_conv2")
    window.controls.init_box.setCurrentIndex(window.controls.init_box.findData("noise"))
    settings = window.current_settings()
    assert (settings.style_weight, settings.tv_weight, settings.init) == (0.0, 0.0, "noise")
    assert dict(settings.content_layers) == {"block2_conv2": 1.0}
    recipe = _run(qtbot, window, out_dir)
    assert recipe["settings"]["style_weight"] == 0 and recipe["settings"]["tv_weight"] == 0
    assert recipe["steps"] >= 1 and recipe["final_losses"]["style"] == 0
    assert recipe["final_losses"]["content"] > 0
    assert recipe["precision_used"] in ("float32", "bfloat16")
    device = window.status_panel.device_label  # the status bar says which it used, and why
    assert recipe["precision_used"] in device.text()
    assert recipe["precision_reason"] in device.toolTip()


@pytest.mark.slow  # a real run through the window
def test_style_only_reconstruction(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=3, size=48)
    window.layers_panel.content_weight_box.setValue(0.0)
    _only(window.layers_panel.style_layers, "block1_conv1")
    window.controls.init_box.setCurrentIndex(window.controls.init_box.findData("noise"))
    settings = window.current_settings()
    assert settings.content_weight == 0.0 and dict(settings.style_layers) == {"block1_conv1": 1.0}
    recipe = _run(qtbot, window, out_dir)
    assert recipe["settings"]["content_weight"] == 0
    assert recipe["steps"] >= 1 and recipe["final_losses"]["content"] == 0
    assert recipe["final_losses"]["style"] > 0


def test_precision_offers_automatic_first_and_keeps_the_choice(window: MainWindow) -> None:
    box = window.controls.precision_box
    assert box.itemData(0) == "automatic" and box.itemText(0) == "Automatic"
    assert box.currentData() == "automatic" and "Automatic" in box.toolTip()
    for name in ("float32", "bfloat16", "automatic"):
        window.apply_settings(Settings(precision=name))
        assert box.currentData() == name and window.current_settings().precision == name

"""GUI tests: settings kept in QSettings and recipes loaded into the window (offscreen)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PyQt5.QtCore import QSettings

from gui.app_settings import AppSettings
from gui.main_window import MainWindow
from nst.settings import (
    Settings,
)
from tests.gui_helpers import pick, wait_loaded

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.usefixtures("isolated_home")]

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- settings, recipes


def test_settings_round_trip_through_qsettings(
    qtbot: Any, open_window: Any, tmp_path: Path, content_path: str, style_path: str
) -> None:
    first = open_window(folder=None, show=False)
    pick(qtbot, first, content_path, style_path)
    first.controls.optimizer_box.setCurrentIndex(first.controls.optimizer_box.findData("adam"))
    first.controls.rate_box.setValue(7.5)
    first.controls.iterations_box.setValue(42)
    first.controls.size_box.setValue(300)
    first.controls.work_size_box.setValue(200)
    first.layers_panel.tv_weight_box.setValue(0.5)
    first.layers_panel.style_layers.checks["block3_conv2"].setChecked(True)
    first.layers_panel.style_layers.spins["block3_conv2"].setValue(0.75)
    first.controls.folder_edit.setText(str(tmp_path / "mine"))
    first.close()  # saves
    assert (tmp_path / "settings.ini").exists()

    reread = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    second = open_window(reread, folder=None, show=False)
    wait_loaded(qtbot, second)
    restored = second.current_settings()
    assert restored.content == content_path and restored.style == style_path
    assert restored.optimizer == "adam" and restored.learning_rate == 7.5
    assert second.controls.rate_user_set
    assert (restored.iterations, restored.size, restored.work_size) == (42, 300, 200)
    assert restored.tv_weight == 0.5
    assert restored.style_layers["block3_conv2"] == 0.75
    assert second.controls.folder_edit.text() == str(tmp_path / "mine")


def test_bad_stored_values_fall_back_to_defaults(tmp_path: Path) -> None:
    qsettings = QSettings(str(tmp_path / "bad.ini"), QSettings.IniFormat)
    store = AppSettings(qsettings)
    # a value from a hand edit or another version: the good fields are kept
    qsettings.setValue(
        "run/settings", json.dumps({"iterations": "lots", "optimizer": "newton", "size": 64})
    )
    settings = store.run_settings()
    assert settings.iterations == Settings().iterations
    assert settings.optimizer == Settings().optimizer
    assert settings.size == 64
    for corrupt in ("{not json", "[1, 2]", "42"):
        qsettings.setValue("run/settings", corrupt)
        assert store.run_settings() == Settings()
    with pytest.raises(KeyError):
        store.get("no/such/key")


def test_settings_round_trip_as_one_value(store: AppSettings, content_path: str) -> None:
    settings = Settings(
        content=content_path,
        optimizer="adam",
        learning_rate=3.5,
        extra_styles=(("a.jpg", 2.0), ("b.jpg", 0.37)),
        style_layers={"block1_conv1": 0.5, "block3_conv1": 2.0},
        work_size=200,
        colour="match",
    )
    store.store_run(settings.to_dict())
    store.sync()
    assert store.run_settings() == settings
    assert AppSettings(store.qsettings).run_settings() == settings


def test_recipe_beside_a_result_loads_into_the_widgets(
    window: MainWindow, tmp_path: Path, qtbot: Any, content_path: str, style_path: str
) -> None:
    recipe = {
        "settings": {
            "content": content_path,
            "style": style_path,
            "content_layers": {"block5_conv2": 2.0},
            "style_layers": {"block1_conv1": 1.0, "block2_conv1": 0.5},
            "content_weight": 3.0,
            "style_weight": 50.0,
            "tv_weight": 0.0,
            "optimizer": "adam",
            "learning_rate": 6.0,
            "iterations": 77,
            "size": 320,
            "work_size": 160,
            "style_size": None,
            "init": "noise",
            "seed": 9,
            "preview_every": 10,
            "weights": None,
        },
        "weights": {"source": "test"},
        "steps": 77,
        "device": "CPU",
    }
    path = tmp_path / "tubingen_starry_night_001.json"
    path.write_text(json.dumps(recipe))
    assert window.recipes.load(str(path))
    wait_loaded(qtbot, window)
    shown = window.current_settings()
    assert shown.optimizer == "adam" and window.controls.rate_box.value() == 6.0
    assert shown.iterations == 77 and shown.size == 320 and shown.work_size == 160
    assert (
        window.controls.init_box.currentData() == "noise" and window.controls.seed_box.value() == 9
    )
    assert window.layers_panel.content_layers.weights() == {"block5_conv2": 2.0}
    assert window.layers_panel.style_layers.weights() == {"block1_conv1": 1.0, "block2_conv1": 0.5}
    assert (shown.content_weight, shown.style_weight, shown.tv_weight) == (3.0, 50.0, 0.0)
    assert shown.content == content_path and shown.style == style_path
    assert window.run_button.isEnabled()


def test_recipe_with_unknown_fields_names_them(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "future.json"
    path.write_text(json.dumps({"iterations": 12, "brush": "big", "colour_mode": 2}))
    assert window.recipes.load(str(path))
    assert window.controls.iterations_box.value() == 12
    title, text = window.last_message
    assert "brush" in text and "colour_mode" in text and "ignored" in text


def test_recipe_with_bad_values_loads_the_rest_and_names_them(
    window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps({"iterations": 12, "optimizer": "newton", "size": "big"}))
    assert window.recipes.load(str(path))
    assert window.controls.iterations_box.value() == 12
    assert window.controls.optimizer_box.currentData() == Settings().optimizer
    assert window.controls.size_box.value() == Settings().size
    title, text = window.last_message
    assert title == "Recipe loaded with warnings" and "\n" not in text
    assert "optimizer" in text and "newton" in text and "size" in text and "'big'" in text


def test_unreadable_recipe_changes_nothing(window: MainWindow, tmp_path: Path) -> None:
    before = window.widget_values()
    (tmp_path / "list.json").write_text("[1, 2]")
    assert not window.recipes.load(str(tmp_path / "list.json"))
    assert "list.json" in window.last_message[1]
    (tmp_path / "broken.json").write_text("{not json")
    assert not window.recipes.load(str(tmp_path / "broken.json"))
    assert "not valid JSON" in window.last_message[1]
    assert window.widget_values() == before


def test_saved_recipe_loads_back(window: MainWindow, tmp_path: Path) -> None:
    window.controls.iterations_box.setValue(33)
    window.controls.optimizer_box.setCurrentIndex(window.controls.optimizer_box.findData("rmsprop"))
    path = tmp_path / "mine.json"
    assert window.recipes.save(str(path))
    assert json.loads(path.read_text())["iterations"] == 33
    window.controls.iterations_box.setValue(5)
    window.controls.optimizer_box.setCurrentIndex(0)
    assert window.recipes.load(str(path))
    assert window.controls.iterations_box.value() == 33
    assert window.controls.optimizer_box.currentData() == "rmsprop"
    assert not window.controls.rate_user_set  # the default rate stays a default

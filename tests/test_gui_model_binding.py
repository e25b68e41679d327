"""The window's panels bound to its model (gui/model/): each field edited by exactly one
panel, chosen by the settings table's groups; a recipe sets the model once; one value has
one editor-model; the run's state travels typed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

import gui.model.fields as model_fields
from gui.main_window import MainWindow
from gui.model import Phase, RunState, SettingsChanged, fields_in, window_fields
from gui.panels.colours_box import ColoursGroup
from gui.panels.inputs_panel import InputsPanel
from gui.panels.layers_panel import LayersPanel
from gui.panels.optimization_box import OptimizationGroup
from gui.panels.size_box import SizeGroup
from gui.panels.speed_box import SpeedGroup
from gui.panels.style_mix import StyleMix
from nst.settings import FIELDS, Settings
from nst.settings.fields import GROUPS
from tests.gui_helpers import pick

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("isolated_home")]

PANELS = (
    InputsPanel,
    StyleMix,
    OptimizationGroup,
    ColoursGroup,
    SpeedGroup,
    SizeGroup,
    LayersPanel,
)


def editors(name: str) -> list[str]:
    owners = [panel.__name__ for panel in PANELS if name in fields_in(*panel.GROUPS)]
    return owners + (["the window"] if name in window_fields() else [])


def test_every_field_is_edited_by_exactly_one_panel_from_its_group() -> None:
    assert {group for panel in PANELS for group in panel.GROUPS} <= set(GROUPS)
    for spec in FIELDS:
        assert len(editors(spec.name)) == 1, (spec.name, editors(spec.name))


def test_a_field_added_to_the_table_finds_its_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    new = dataclasses.replace(FIELDS[0], name="grain", kind="float", group="speed")
    monkeypatch.setattr(model_fields, "FIELDS", (*FIELDS, new))
    assert editors("grain") == ["SpeedGroup"]


def test_loading_a_recipe_sets_the_model_once(
    qtbot: Any,
    window: MainWindow,
    tmp_path: Path,
    content_path: str,
    style_path: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pick(qtbot, window, content_path, style_path)
    recipe = Settings(
        content=content_path,
        style=style_path,
        optimizer="adam",
        iterations=42,
        content_weight=2.0,
        style_weight=50.0,
        colour="match",
        size=300,
        work_size=200,
        style_layers={"block1_conv1": 1.0, "block3_conv1": 0.5},
        precision="float32",
    )
    path = tmp_path / "recipe.json"
    path.write_text(json.dumps(recipe.to_dict()))
    validations, previews, changes = [], [], []
    validate = window._validate
    monkeypatch.setattr(window, "_validate", lambda: (validations.append(1), validate()))
    monkeypatch.setattr(window.preview, "request", lambda *args: previews.append(args))
    window.model.subscribe(changes.append)
    assert window.recipes.load(str(path))
    assert len(validations) == 1 and len(previews) == 1
    assert changes == [SettingsChanged(changes[0].fields, loaded=True)]
    assert window.current_settings() == recipe  # exactly as saved, nothing rewritten
    assert window.controls.optimizer_box.currentData() == "adam"
    assert window.layers_panel.style_layers.weights() == {"block1_conv1": 1.0, "block3_conv1": 0.5}


def test_a_content_weight_of_0_stays_0(window: MainWindow) -> None:
    mix = window.inputs.style_mix
    window.layers_panel.content_weight_box.setValue(0.0)
    assert window.current_settings().content_weight == 0.0
    assert not mix.ratio_strength.isEnabled()  # no ratio to a weight of 0
    window.layers_panel.style_weight_box.setValue(25.0)
    settings = window.current_settings()
    assert (settings.content_weight, settings.style_weight) == (0.0, 25.0)
    window.layers_panel.content_weight_box.setValue(5.0)
    assert mix.ratio_strength.isEnabled()
    mix.ratio_strength.setValue(80)  # the slider moves the style weight only
    assert window.current_settings().content_weight == 5.0
    assert window.layers_panel.style_weight_box.value() == window.current_settings().style_weight


def test_an_invalid_edit_is_kept_and_named_and_rewrites_nothing(window: MainWindow) -> None:
    window.controls.work_size_box.setValue(1024)  # above the output size
    assert window.controls.work_size_box.value() == 1024 and window.controls.size_box.value() == 512
    assert window.problem().startswith("Working size:")
    assert not window.act_save_recipe.isEnabled() and not window.run_button.isEnabled()
    window.controls.size_box.setValue(2048)
    assert window.current_settings().work_size == 1024 and window.act_save_recipe.isEnabled()


def test_the_result_view_follows_the_typed_run_state(window: MainWindow) -> None:
    view = window.result_panel.result_view
    window.model.set_run_state(RunState(Phase.LOADING_MODEL))
    assert view.placeholder().startswith("Loading the model")

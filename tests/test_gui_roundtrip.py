"""Settings -> recipe -> the window's Load recipe -> Settings is the identity, for any
valid Settings (every field, drawn from the table), and through History's Re-run and Load
settings into the window (tests/test_roundtrip.py has the engine's reader, ``nst
--config`` and History's entries). The
window shows each value and rewrites none, even one its control cannot show (a rate above
the box's range, a style weight above its slider's end)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings

from gui.main_window import MainWindow
from nst.settings import DEFAULT_LEARNING_RATES, Settings
from tests.gui_helpers import pick, wait_loaded
from tests.settings_strategy import any_settings

pytestmark = [pytest.mark.gui, pytest.mark.fuzz, pytest.mark.usefixtures("isolated_home")]


@hypothesis_settings(max_examples=30)  # each example drives the whole window
@given(settings=any_settings())
def test_load_recipe_gives_back_the_settings(
    qtbot: Any,
    window: MainWindow,
    tmp_path: Path,
    content_path: str,
    style_path: str,
    settings: Settings,
) -> None:
    if not window.inputs.content_picker.path:
        pick(qtbot, window, content_path, style_path)
    # The window loads the images it is given: the drawn paths name no file.
    settings = settings.replace(content=content_path, style=style_path)
    path = tmp_path / "recipe.json"
    path.write_text(json.dumps(settings.to_dict()))
    assert window.recipes.load(str(path))
    wait_loaded(qtbot, window)
    assert window.current_settings() == settings
    # History's Re-run and Load settings show an entry's settings the same way.
    window.apply_settings(Settings())
    assert window.load_from_history(settings)
    assert window.current_settings() == settings
    # A changed optimizer after loading gets that optimizer's own rate, unless one was chosen.
    other = "adam" if settings.optimizer != "adam" else "sgd"
    optimizer = window.controls.optimizer_box
    optimizer.setCurrentIndex(optimizer.findData(other))
    changed = window.current_settings()
    assert changed.learning_rate == settings.learning_rate
    if settings.learning_rate is None:
        assert changed.resolved_learning_rate == DEFAULT_LEARNING_RATES[other]

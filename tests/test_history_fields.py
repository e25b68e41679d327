"""What History shows of a recipe, from the settings table: every field that changes a
run of its method (a Gatys run's extra styles too), numbers as the form shows them, the
form's words for values chosen for you, and stopped results marked."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from gui.history.details import display_value, setting_rows, summary
from gui.labels import AUTOMATIC_WORDS, FIELD_LABELS
from nst.history import Entry, recipe_differences
from nst.imaging.save import save_result
from nst.settings import FIELDS, Settings
from nst.settings.fields import automatic_fields
from tests.recipes import saved


def entry_for(folder: Path, settings: Settings, *, stopped: bool = False) -> Entry:
    png = saved(settings, folder, stopped=stopped)
    recipe = json.loads(png.with_suffix(".json").read_text())
    return Entry(path=str(png), recipe=recipe, modified=0.0)


def test_a_gatys_run_shows_its_extra_styles_and_their_weights(tmp_path):
    settings = Settings(
        content="/p/a.png",
        style="/p/b.png",
        extra_styles=(("/p/c.png", 0.25),),
        style_image_weight=0.75,
    )
    rows = dict(setting_rows(entry_for(tmp_path, settings).settings, FIELD_LABELS))
    assert rows["Extra style images"] == "c.png 0.25"
    assert rows["Style image weight"] == "0.75"


def test_each_method_shows_the_fields_that_change_its_result(tmp_path):
    for method in ("gatys", "instant", "texture"):
        settings = Settings(content="/p/a.png", style="/p/b.png", method=method)
        shown = {label for label, _ in setting_rows(settings, FIELD_LABELS)}
        expected = {s.label for s in FIELDS if method in s.methods and s.compared}
        assert shown == expected, method
    instant = {label for label, _ in setting_rows(Settings(method="instant"), FIELD_LABELS)}
    assert "Optimizer" not in instant and "Live preview every" not in instant


def test_a_computed_weight_reads_as_the_form_shows_it():
    assert display_value("style_weight", 0.58125615) == "0.581"
    assert display_value("style_weight", 2000.0) == "2000"
    assert display_value("style_layers", {"block1_conv1": 1 / 3}) == "block1_conv1 0.333"
    left = {"settings": Settings(style_weight=0.58125615).to_dict()}
    right = {"settings": Settings(style_weight=10.0).to_dict()}
    assert recipe_differences(left, right) == [("style_weight", 0.58125615, 10.0)]


def test_values_chosen_for_you_read_in_the_forms_words():
    assert set(AUTOMATIC_WORDS) == automatic_fields()
    rows = dict(setting_rows(Settings(), FIELD_LABELS))
    assert rows["Working size"] == "Same as output"
    assert rows["Learning rate"] == "The optimizer's default"


def test_a_stopped_result_is_marked(tmp_path):
    settings = Settings(content="/p/a.png", style="/p/b.png", iterations=20)
    assert "stopped" in summary(entry_for(tmp_path, settings, stopped=True), with_size=False)
    assert "stopped" not in summary(entry_for(tmp_path, settings), with_size=False)


def test_save_and_save_as_write_numbers_alike(tmp_path):
    """A NumPy number in a recipe (a loss read off a tensor) is a number in both files."""
    from nst.imaging.export import save_image_as

    recipe = {"final_losses": {"total": np.float32(0.5)}, "steps": np.int64(3)}
    image = np.zeros((4, 4, 3), np.uint8)
    by_save = save_result(image, tmp_path, "r", recipe).with_suffix(".json")
    saved_as = save_image_as(image, str(tmp_path / "copy.png"), recipe)[1]
    assert json.loads(by_save.read_text()) == json.loads(saved_as.read_text())
    assert json.loads(saved_as.read_text())["final_losses"]["total"] == 0.5

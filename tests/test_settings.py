from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nst.settings import (
    DEFAULT_LEARNING_RATES,
    FIELDS,
    OPTIMIZERS,
    FieldSpec,
    RecipeError,
    Settings,
    SettingsError,
    field_names,
    field_spec,
    read_recipe,
    sweepable_fields,
)
from nst.vgg.layers import CONV_LAYERS, PAPER_CONTENT_LAYERS

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_follow_the_paper() -> None:
    s = Settings()
    assert s.optimizer == "lbfgs"
    assert dict(s.content_layers) == PAPER_CONTENT_LAYERS == {"block4_conv2": 1.0}
    assert list(s.style_layers) == [f"block{i}_conv1" for i in range(1, 6)]
    assert s.init == "content"
    assert len(CONV_LAYERS) == 16


def test_every_optimizer_has_a_default_rate() -> None:
    assert set(DEFAULT_LEARNING_RATES) == set(OPTIMIZERS)
    for name in OPTIMIZERS:
        assert Settings(optimizer=name).resolved_learning_rate == DEFAULT_LEARNING_RATES[name]
    assert Settings(optimizer="adam", learning_rate=0.5).resolved_learning_rate == 0.5


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"style_layers": {"block9_conv1": 1}}, "style_layers", "unknown layer"),
        ({"content_layers": {"conv4_2": 1}}, "content_layers", "unknown layer"),
        ({"style_layers": {"block1_conv1": -1}}, "style_layers.block1_conv1", "0 or more"),
        ({"style_layers": {"block1_conv1": 0}}, "style_layers", "at least one style layer"),
        ({"style_layers": {}}, "style_layers", "at least one style layer"),
        ({"content_weight": -0.1}, "content_weight", "0 or more"),
        ({"style_weight": float("nan")}, "style_weight", "finite"),
        ({"tv_weight": "a lot"}, "tv_weight", "number"),
        ({"optimizer": "newton"}, "optimizer", "lbfgs, adam"),
        ({"learning_rate": 0}, "learning_rate", "above 0"),
        ({"iterations": 0}, "iterations", "between 1 and"),
        ({"iterations": 2.5}, "iterations", "whole number"),
        ({"size": 8}, "size", "between 16 and"),
        ({"size": 100_000}, "size", "between 16 and"),
        ({"size": 256, "work_size": 512}, "work_size", "must not exceed"),
        ({"style_size": 4}, "style_size", "between 16"),
        ({"init": "zeros"}, "init", "content, noise, style"),
        ({"seed": -1}, "seed", "between 0"),
        ({"content": 5}, "content", "file path"),
    ],
)
def test_invalid_settings_name_the_field(changes: dict, field: str, words: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings(**changes)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert words in str(info.value)


def test_layers_are_kept_in_network_order() -> None:
    s = Settings(style_layers={"block5_conv1": 1, "block1_conv1": 2})
    assert list(s.style_layers) == ["block1_conv1", "block5_conv1"]
    assert s.layers_in_use == ("block1_conv1", "block4_conv2", "block5_conv1")


def test_zero_weight_layers_are_not_in_use() -> None:
    s = Settings(content_layers={"block4_conv2": 0}, style_layers={"block1_conv1": 1})
    assert s.layers_in_use == ("block1_conv1",)


def test_json_round_trip() -> None:
    s = Settings(
        content="/a/b.jpg",
        style="/c/d.png",
        style_layers={"block2_conv1": 0.5, "block3_conv1": 1},
        optimizer="adam",
        learning_rate=3.0,
        size=300,
        work_size=200,
        seed=7,
    )
    again = Settings.from_dict(json.loads(s.to_json()))
    assert again == s


def test_from_dict_accepts_a_result_recipe_and_rejects_unknown_fields() -> None:
    recipe = {"settings": {"size": 128, "iterations": 3}, "device": "CPU"}
    assert Settings.from_dict(recipe).size == 128
    with pytest.raises(SettingsError, match="brush"):
        Settings.from_dict({"brush": "round"})
    assert Settings.from_dict({"brush": "round", "size": 64}, strict=False).size == 64


def test_missing_inputs_are_field_names() -> None:
    assert Settings().missing_inputs() == ("content", "style")
    assert Settings(method="texture").missing_inputs() == ("style",)
    assert Settings(content="a.jpg", style="b.jpg").missing_inputs() == ()


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().size = 5  # type: ignore[misc]


# --------------------------------------------------------------------------- the table


def test_the_table_lists_every_field_once_in_the_dataclass_order() -> None:
    assert field_names() == tuple(f.name for f in dataclasses.fields(Settings))
    assert [spec.name for spec in FIELDS] == list(field_names())


@pytest.mark.parametrize("spec", [s for s in FIELDS if s.low is not None or s.choices],
                         ids=lambda s: s.name)  # fmt: skip
def test_each_range_and_choice_of_the_table_is_checked(spec: FieldSpec) -> None:
    if spec.choices:
        bad: object = "no such choice"
    elif spec.high is not None:
        bad = spec.high * 2 + 1
    else:
        bad = spec.low - 1 if spec.low is not None else None
    with pytest.raises(SettingsError) as info:
        Settings(**{spec.name: bad})
    assert info.value.field == spec.name


def test_sweepable_fields_name_their_kind() -> None:
    fields = sweepable_fields()
    assert fields["style_weight"] == ("float", False)
    assert fields["learning_rate"] == ("float", True)
    assert fields["iterations"] == ("int", False) and fields["stages"] == ("int", True)
    assert fields["optimizer"] == ("str", False)
    assert field_spec("optimizer").choices == OPTIMIZERS
    # what a sweep cannot vary: the inputs, the sizes, the method and its own settings
    for name in ("content", "style", "weights", "size", "method", "style_strength"):
        assert name not in fields


def test_the_engine_knows_nothing_of_the_command_line() -> None:
    code = (
        "import sys, nst.settings, nst.history\n"
        "assert 'argparse' not in sys.modules and 'nst_cli' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --------------------------------------------------------------------------- recipes


def test_read_recipe_anchors_relative_paths_at_the_recipe(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "r.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"settings": {
        "content": "../photo.jpg", "style": "/abs/paint.jpg", "style_masks": ["m.png", ""],
        "extra_styles": [["x.jpg", 2]], "brush": "round", "iterations": 5,
    }}))  # fmt: skip
    read = read_recipe(path)
    assert read.unknown == ("brush",)
    assert read.values["content"] == str(tmp_path / "photo.jpg")
    assert read.values["style"] == "/abs/paint.jpg"
    loaded = read.load()
    assert loaded.settings.style_masks == (str(path.parent / "m.png"), "")
    assert loaded.settings.extra_styles == ((str(path.parent / "x.jpg"), 2.0),)
    assert loaded.settings.iterations == 5 and "brush" in loaded.warning("r.json")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "does not exist"),
        (b"{oops", "not valid JSON (line 1"),
        (b"[1]", "JSON object"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "can read"),
        (b"plain text", "not valid JSON"),
    ],
)
def test_bad_recipe_files_are_one_sentence_naming_the_file(
    tmp_path: Path, content: bytes | None, words: str
) -> None:
    path = tmp_path / "odd.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RecipeError) as info:
        read_recipe(path)
    assert "odd.json" in str(info.value) and words in str(info.value)
    assert "\n" not in str(info.value)

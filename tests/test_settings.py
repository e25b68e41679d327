from __future__ import annotations

import json

import pytest

from nst.settings import (
    DEFAULT_LEARNING_RATES,
    OPTIMIZERS,
    Settings,
    SettingsError,
)
from nst.vgg.layers import CONV_LAYERS, PAPER_CONTENT_LAYERS


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


def test_missing_inputs_in_words() -> None:
    assert Settings().missing_inputs() == ["choose a content image", "choose a style image"]
    assert Settings(content="a.jpg", style="b.jpg").missing_inputs() == []


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().size = 5  # type: ignore[misc]

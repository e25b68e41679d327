"""Sweeps (nst/sweep): axis parsing, the cells' settings and the contact sheet, without
TensorFlow.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nst.settings import Settings, field_names
from nst.sweep.axes import (
    NOT_SWEPT,
    SweepError,
    example_values,
    make_axis,
    parse_axis,
    sweepable_names,
)
from nst.sweep.grid import Sweep
from nst.sweep.runner import new_sweep_folder
from nst.sweep.sheet import contact_sheet, layout_of
from nst.vgg.layers import CONV_LAYERS


@pytest.fixture
def base(content_path: str, style_path: str) -> Settings:
    return Settings(content=content_path, style=style_path)


# --------------------------------------------------------------------------- axes


def test_axes_parse_numbers_words_layers_and_sets() -> None:
    assert parse_axis("style_weight=1,10,100").values == (1.0, 10.0, 100.0)
    assert parse_axis(" optimizer = lbfgs, adam ").values == ("lbfgs", "adam")
    assert parse_axis("iterations=10,2e1").values == (10, 20)
    assert parse_axis("learning_rate=default,2").values == (None, 2.0)
    assert parse_axis("style_layers.block3_conv1=0,0.5").values == (0.0, 0.5)
    assert parse_axis("layer_set=conv1_1,conv1_1-5_1").values == ("conv1_1", "conv1_1-5_1")
    assert parse_axis("ratio=1e-1,1e3").label == "style : content"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("colour_weight=1,2", "is not a setting a sweep can vary"),
        ("style_weight", "is not NAME=VALUE"),
        ("style_weight=", "give its values separated by commas"),
        ("style_weight=1,,2", "remove the extra comma"),
        ("style_weight=ten", "'ten' is not a number"),
        ("iterations=1.5", "'1.5' is not a whole number"),
        ("style_weight=1,1", "given twice"),
        ("optimizer=newton", "is not one of lbfgs, adam"),
        ("layer_set=conv9", "the sets are conv1_1"),
        ("style_layers.block9_conv1=1", "is not a VGG19 conv layer"),
        ("size=64,128", "cannot be swept"),
        ("content=a.jpg,b.jpg", "run one sweep per photo"),
        ("seed=" + ",".join(str(i) for i in range(17)), "at most 16"),
    ],
)
def test_bad_axes_say_what_is_allowed(text: str, words: str) -> None:
    with pytest.raises(SweepError) as info:
        parse_axis(text)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_every_sweepable_name_comes_from_settings_and_its_prefill_is_valid(base: Settings) -> None:
    names = sweepable_names()
    # The one-value fields of Settings are found from its types: a field added later
    # (style masks, texture mode, ...) is sweepable without a change in nst/sweep.py.
    for field in (
        "style_weight",
        "tv_weight",
        "learning_rate",
        "optimizer",
        "iterations",
        "init",
        "seed",
        "colour",
        "stages",
    ):
        assert field in names
    assert not set(NOT_SWEPT) & set(names)
    assert "content_layers" not in names and "extra_styles" not in names
    assert set(names) >= {f"style_layers.{layer}" for layer in CONV_LAYERS}
    for name in names:
        if name.split(".")[0] in field_names() or name in ("ratio", "layer_set"):
            values = example_values(name, base)
            assert len(values) >= 2, name
            # every suggested value makes a valid run: the window's prefill never fails
            texts = ",".join("default" if v is None else str(v) for v in values)
            Sweep(base, [make_axis(name, texts)], cell_size=32)


def test_every_one_value_setting_is_an_axis_or_says_why_not() -> None:
    # The settings table decides what is sweepable; a one-value field it leaves out must
    # have the reason the sweep gives the user, so that a new setting is never silently
    # missing from sweeps.
    from nst.settings import FIELDS

    many_values = {"layers", "styles", "masks"}  # swept one layer at a time, or not at all
    for spec in FIELDS:
        if spec.kind in many_values:
            continue
        assert spec.sweepable != (spec.name in NOT_SWEPT), spec.name


def test_cells_combine_two_axes_and_restore_the_full_size(base: Settings) -> None:
    sweep = Sweep(
        base.replace(style_size=256, iterations=300),
        [
            parse_axis("layer_set=conv1_1,conv1_1-3_1"),
            parse_axis("style_layers.block1_conv1=0.5,4"),
        ],
        cell_size=64,
    )
    assert (sweep.columns, sweep.rows) == (2, 2) and len(sweep.cells) == 4
    cell = sweep.cells[3]  # row 2, column 2
    assert (cell.row, cell.column) == (1, 1)
    assert cell.settings.style_layers == {
        "block1_conv1": 4.0, "block2_conv1": 1.0, "block3_conv1": 1.0,
    }  # fmt: skip
    assert cell.settings.size == 64 and cell.settings.work_size is None
    assert cell.settings.style_size == 32  # 256 of 512: the same share of the cell
    assert cell.stem == "r2c2_layer_set-conv1_1-3_1_style_conv1_1-4"
    full = sweep.full_size(cell, base.replace(size=768, iterations=200))
    assert full.size == 768 and full.iterations == 200 and full.style_size is None
    assert full.style_layers == cell.settings.style_layers

    ratio = Sweep(base, [parse_axis("ratio=10,100"), parse_axis("content_weight=1,5")], 32)
    assert [c.settings.style_weight for c in ratio.cells] == [10.0, 100.0, 50.0, 500.0]
    iterations = Sweep(base, [parse_axis("iterations=5,7")], 32)
    assert iterations.full_size(iterations.cells[1]).iterations == 7  # varied: the cell's


def test_bad_sweeps_are_refused_before_anything_runs(base: Settings) -> None:
    weight = parse_axis("style_weight=1,10")
    with pytest.raises(SweepError, match="vary only one of them"):
        Sweep(base, [weight, parse_axis("ratio=1,2")])
    with pytest.raises(SweepError, match="at most 2 settings"):
        Sweep(base, [weight, parse_axis("seed=1,2"), parse_axis("tv_weight=1,2")])
    with pytest.raises(SweepError, match="varied twice"):
        Sweep(base, [weight, weight])
    with pytest.raises(SweepError, match="choose a content image"):
        Sweep(Settings(style=base.style), [weight])
    only_one = base.replace(style_layers={"block1_conv1": 1.0})
    with pytest.raises(SweepError, match=r"style_layers.block1_conv1=0: style_layers"):
        Sweep(only_one, [parse_axis("style_layers.block1_conv1=0,1")])


def test_a_new_folder_for_every_sweep(tmp_path: Path) -> None:
    (tmp_path / "sweep_a_b_001").mkdir()
    (tmp_path / "sweep_a_b_002").write_text("a user's file, not a folder")
    folder = new_sweep_folder(tmp_path, "a_b")
    assert folder.name == "sweep_a_b_003" and folder.is_dir()
    assert (tmp_path / "sweep_a_b_002").read_text() == "a user's file, not a folder"


def test_contact_sheet_places_each_cell_under_its_headers(base: Settings) -> None:
    sweep = Sweep(base, [parse_axis("style_weight=1,10,100"), parse_axis("optimizer=lbfgs,adam")],
                  cell_size=40)  # fmt: skip
    cell = (40, 30)
    pictures = {i: np.full((30, 40, 3), 20 * i, np.uint8) for i in range(5)}  # the 6th: none
    sheet = contact_sheet(sweep, pictures, cell)
    layout = layout_of(sweep, cell)
    assert sheet.size == (layout.width, layout.height)
    assert layout.width >= layout.left + 3 * 40 and layout.height >= layout.top + 2 * 30
    for index, c in enumerate(sweep.cells):
        x, y = layout.cell_origin(c.row, c.column)
        box = np.asarray(sheet.crop((x, y, x + 40, y + 30)))
        if index < 5:
            assert (box == 20 * index).all(), index
        else:  # not run: a grey box with words in it
            assert (box[0, 0] == 228).all() and box.min() < 100
    # the headers hold ink (the values and axis names) above and left of the cells
    pixels = np.asarray(sheet)
    assert pixels[: layout.top].min() < 100 and pixels[:, : layout.left].min() < 100

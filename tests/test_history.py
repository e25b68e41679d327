"""History: the engine's listing of an output folder (nst.history).

Results are made the way the app makes them, with save_result and real recipes; two
tests run the real engine at 32 px (marked slow), the others none.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageFile

from gui.history.details import display_value, summary
from nst import history
from nst.errors import ImageError
from nst.history import list_results, recipe_differences
from nst.imaging.save import result_stem, save_result
from nst.settings import Settings, read_recipe
from nst.settings.recipe import MAX_RECIPE_BYTES
from tests.bad_inputs import png_claiming
from tests.history_helpers import ADAM, CONTENT, LBFGS, STYLE, pixels, recipe_for, save

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("isolated_home")]


# --------------------------------------------------------------------------- engine


def test_lists_results_newest_first_with_their_recipes(tmp_path: Path) -> None:
    old = save(tmp_path, LBFGS, at=1_000_000, seed=1)
    new = save(tmp_path, ADAM, at=2_000_000, seed=2)
    middle = save(tmp_path, LBFGS.replace(size=48), at=1_500_000, seed=3)
    entries = list_results(tmp_path)
    assert [e.path for e in entries] == [str(new), str(middle), str(old)]
    first = entries[0]
    assert first.has_recipe and first.problem == ""
    assert summary(first) == "Adam, 300 steps, 512 px, loss 0.75"
    assert summary(first, with_size=False) == "Adam, 300 steps, loss 0.75"
    assert first.settings is not None and first.settings.optimizer == "adam"
    assert (first.content_name, first.style_name) == ("tubingen.jpg", "starry_night.jpg")
    assert first.losses["total"] == 0.75 and first.duration == 12.5 and first.steps == 300
    assert first.modified == 2_000_000
    assert summary(entries[2]) == "L-BFGS, 20 steps, 64 px, loss 0.75"


def test_results_saved_in_the_same_instant_list_the_later_counter_first(tmp_path: Path) -> None:
    paths = [save(tmp_path, LBFGS, at=1_000_000, seed=i) for i in range(3)]
    assert [e.name for e in list_results(tmp_path)] == [p.name for p in reversed(paths)]


def test_unchanged_results_are_reused_and_changed_ones_read_again(tmp_path: Path) -> None:
    same = save(tmp_path, ADAM, at=1_000_000, seed=1)
    edited = save(tmp_path, LBFGS, at=2_000_000, seed=2)
    first = {e.path: e for e in list_results(tmp_path)}
    recipe_path = edited.with_suffix(".json")
    recipe = json.loads(recipe_path.read_text())
    recipe["steps"] = 7
    recipe_path.write_text(json.dumps(recipe))
    os.utime(recipe_path, (3_000_000, 3_000_000))
    again = {e.path: e for e in list_results(tmp_path, known=first)}
    assert again[str(same)] is first[str(same)]
    assert again[str(edited)] is not first[str(edited)] and again[str(edited)].steps == 7


def test_png_without_a_recipe_is_listed_as_having_none(tmp_path: Path) -> None:
    Image.fromarray(pixels()).save(tmp_path / "holiday.png")
    [entry] = list_results(tmp_path)
    assert entry.name == "holiday.png" and entry.recipe is None and not entry.has_recipe
    assert entry.settings is None and summary(entry) == "No recipe"
    assert entry.losses == {} and entry.duration is None and entry.content_name == ""
    assert "holds no recipe" in entry.problem


def test_the_png_copy_stands_in_for_a_missing_json(tmp_path: Path) -> None:
    path = save(tmp_path, ADAM)
    path.with_suffix(".json").unlink()
    [entry] = list_results(tmp_path)
    assert entry.recipe == recipe_for(ADAM) and entry.problem == ""


def test_corrupt_json_falls_back_to_the_png_copy_and_says_so(tmp_path: Path) -> None:
    path = save(tmp_path, ADAM)
    path.with_suffix(".json").write_text('{"settings": {"optimizer": "ad')
    [entry] = list_results(tmp_path)
    assert entry.recipe == recipe_for(ADAM)
    assert entry.problem.startswith(f"The recipe '{path.stem}.json' is not valid JSON (line 1")


@pytest.mark.parametrize(
    "text, why",
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2, 3]", "does not hold a JSON object"),
        ("\udcff", "is not valid JSON"),  # not UTF-8
        ("[" * 100_000, "is not valid JSON"),  # nested past the recursion limit
        (" " * (MAX_RECIPE_BYTES + 1), "too large"),
    ],
)
def test_unreadable_json_beside_a_plain_png_gives_no_recipe_and_one_sentence(
    tmp_path: Path, text: str, why: str
) -> None:
    Image.fromarray(pixels()).save(tmp_path / "a_b_001.png")
    (tmp_path / "a_b_001.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    [entry] = list_results(tmp_path)
    assert entry.recipe is None and why in entry.problem and "a_b_001.json" in entry.problem
    assert summary(entry) == "No recipe"


@pytest.mark.parametrize("content", [b"", b"not a png at all", b"\x89PNG\r\n\x1a\n\0\0"])
def test_damaged_png_is_listed_never_raises(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "broken.png").write_bytes(content)
    [entry] = list_results(tmp_path)
    assert entry.recipe is None and entry.problem
    with pytest.raises(ImageError, match="broken.png"):
        history.thumbnail(entry.path, 64)


def test_thumbnail_refuses_a_decompression_bomb_in_one_sentence(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_claiming(100_000, 100_000))
    with pytest.raises(ImageError, match="bomb.png"):
        history.thumbnail(str(bomb), 64)


def test_thumbnail_fits_the_size_and_keeps_the_aspect(tmp_path: Path) -> None:
    path = save_result(pixels(height=60, width=200), tmp_path, "wide", {"a": 1})
    thumb = history.thumbnail(str(path), 50)
    assert thumb.shape == (15, 50, 3) and thumb.dtype == np.uint8


def test_recipe_with_odd_values_never_breaks_the_summary(tmp_path: Path) -> None:
    path = save(tmp_path, ADAM)
    recipe = json.loads(path.with_suffix(".json").read_text())
    recipe["settings"]["size"] = "huge"  # a hand edit: the default is used
    recipe["final_losses"] = {"total": 10**400, "style": "x"}
    recipe["steps"] = True
    recipe["duration_s"] = None
    path.with_suffix(".json").write_text(json.dumps(recipe))
    [entry] = list_results(tmp_path)
    assert summary(entry) == "Adam, 300 steps, 512 px"
    assert entry.losses == {} and entry.steps is None and entry.duration is None


def test_only_pngs_in_the_folder_itself_are_listed(tmp_path: Path) -> None:
    save(tmp_path, ADAM)
    sub = tmp_path / "older"
    save(sub, ADAM)
    (tmp_path / "folder.png").mkdir()
    (tmp_path / ".tubingen_starry_night_x.png").write_bytes(b"temporary")  # save_result's
    Image.fromarray(pixels()).save(tmp_path / "photo.jpg")
    (tmp_path / "notes.json").write_text("{}")
    assert [e.name for e in list_results(tmp_path)] == ["tubingen_starry_night_001.png"]


def test_a_missing_folder_has_no_results(tmp_path: Path) -> None:
    assert list_results(tmp_path / "not yet") == []
    (tmp_path / "file").write_text("x")
    assert list_results(tmp_path / "file") == []


def test_instant_results_summarize_their_time(tmp_path: Path) -> None:
    instant = Settings(content=CONTENT, style=STYLE, method="instant", size=256)
    recipe = {"settings": instant.to_dict(), "duration_s": 0.31, "output_size": [256, 192]}
    save_result(pixels(), tmp_path, "inst", recipe)
    [entry] = list_results(tmp_path)
    assert summary(entry) == "Instant, 256 px, 0.31 s"


def test_relative_paths_are_taken_from_the_results_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history, File > Load recipe and the command line read a recipe by one rule:
    its relative paths are relative to the recipe's folder, never the current folder."""
    results = tmp_path / "results"
    results.mkdir()
    recipe = {"settings": {"content": "photo.jpg", "style": "art/paint.jpg",
                           "extra_styles": [["more.jpg", 2]]}}  # fmt: skip
    png = save_result(pixels(), results, "moved", recipe)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "photo.jpg").write_bytes(b"only here, in the current folder")
    monkeypatch.chdir(elsewhere)
    [entry] = list_results(results)
    assert entry.settings is not None
    assert entry.settings.content == str(results / "photo.jpg")
    assert entry.settings.style == str(results / "art" / "paint.jpg")
    assert entry.settings.extra_styles == ((str(results / "more.jpg"), 2.0),)
    for source in (png, png.with_suffix(".json")):
        loaded = read_recipe(str(source)).load()
        assert loaded.settings.content == str(results / "photo.jpg")
        assert loaded.settings.style == str(results / "art" / "paint.jpg")


def test_recipe_differences_lists_the_settings_that_differ() -> None:
    a, b = recipe_for(ADAM), recipe_for(ADAM.replace(iterations=100, size=256, style=CONTENT))
    assert recipe_differences(a, b) == [
        ("style", STYLE, CONTENT),
        ("iterations", 300, 100),
        ("size", 512, 256),
    ]
    assert recipe_differences(a, a) == []


def test_recipe_differences_reads_recipes_as_settings_do() -> None:
    lbfgs = recipe_for(LBFGS)
    # the default learning rate, written out or left to the optimizer, is the same rate;
    # a missing field is its default; the preview interval does not change the picture
    implicit = {"settings": {**LBFGS.to_dict(), "preview_every": 1}}
    del implicit["settings"]["tv_weight"]
    assert implicit["settings"]["learning_rate"] is None
    assert recipe_differences(lbfgs, implicit) == []
    newer = {"settings": {**LBFGS.to_dict(), "sharpness": 2}}
    assert recipe_differences(LBFGS.to_dict(), newer) == [("sharpness", None, 2)]
    adam = recipe_for(LBFGS.replace(optimizer="adam"))
    assert recipe_differences(lbfgs, adam) == [
        ("optimizer", "lbfgs", "adam"),
        ("learning_rate", 1.0, 4.0),
    ]


def test_format_value_names_files_and_layers() -> None:
    fmt = history.format_value
    assert fmt("style", STYLE) == "starry_night.jpg"
    assert (
        fmt("style_layers", {"block1_conv1": 1.0, "block2_conv1": 0.5})
        == "block1_conv1 1, block2_conv1 0.5"
    )
    assert fmt("work_size", None) == "automatic" and fmt("weights", None) == "automatic"
    assert fmt("seed", None) == "none" and fmt("colour", "match") == "match"
    assert (
        fmt("extra_styles", [[STYLE, 0.5], [CONTENT, 1]]) == "starry_night.jpg 0.5; tubingen.jpg 1"
    )
    assert fmt("extra_styles", []) == "none"
    changes = [[51, "style_weight", 100.0], [101, "style_layers.block5_conv1", 0.0]]
    assert fmt("changes", changes) == "51:style_weight=100; 101:style_layers.block5_conv1=0"
    assert fmt("changes", []) == "none" and fmt("tileable", True) == "yes"
    assert fmt("style_weight", 1e-05) == "1e-05" and fmt("iterations", 300) == "300"
    # The engine gives a choice's name; the window puts it in its own words.
    assert fmt("optimizer", "lbfgs") == "lbfgs" and fmt("optimizer", "new") == "new"
    assert display_value("optimizer", "lbfgs") == "L-BFGS"
    assert display_value("colour", "match").startswith("The photo")


def test_listing_500_results_reads_no_pixels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The History tab lists the folder on the GUI thread: it must stay fast, so it reads
    the recipes and never decodes a picture (thumbnails are made in the background).
    500 copies of one result; how fast it is, the README's figure, is measured, not
    asserted here."""
    first = save(tmp_path, ADAM)
    png, text = first.read_bytes(), first.with_suffix(".json").read_text()
    for i in range(2, 501):
        (tmp_path / f"r_{i:03d}.png").write_bytes(png)
        (tmp_path / f"r_{i:03d}.json").write_text(text)
    decoded: list[Any] = []
    real_load = ImageFile.ImageFile.load  # what decodes a PNG's pixels
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda im: decoded.append(im) or real_load(im))
    entries = list_results(tmp_path)
    summaries = [summary(e) for e in entries]
    assert len(entries) == 500 and all(e.has_recipe for e in entries)
    assert set(summaries) == {"Adam, 300 steps, 512 px, loss 0.75"}
    assert decoded == []


@pytest.fixture(scope="module")
def real_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    """Two real 32 px results, L-BFGS and Adam, saved the way the command line saves them."""
    from nst.run import session as transfer

    folder = tmp_path_factory.mktemp("real")
    results = []
    for optimizer in ("lbfgs", "adam"):
        settings = Settings(
            content=CONTENT, style=STYLE, size=32, iterations=2, optimizer=optimizer
        )
        result = transfer.run(settings)
        save_result(result.image, folder, result_stem(CONTENT, STYLE), result.recipe())
        results.append(result)
    return folder, results


@pytest.mark.slow
def test_real_results_list_with_their_recipes(real_results: tuple[Path, list[Any]]) -> None:
    folder, (lbfgs, adam) = real_results
    entries = list_results(folder)
    assert [e.name for e in entries] == [
        "tubingen_starry_night_002.png",
        "tubingen_starry_night_001.png",
    ]
    newest, oldest = entries
    assert newest.settings.optimizer == "adam" and oldest.settings.optimizer == "lbfgs"
    loss = f"{adam.losses['total']:.3g}"
    assert summary(newest) == f"Adam, 2 steps, 32 px, loss {loss}"
    assert newest.duration == pytest.approx(adam.duration, abs=0.001)
    assert oldest.settings == lbfgs.settings
    assert recipe_differences(oldest.recipe, newest.recipe) == [
        ("optimizer", "lbfgs", "adam"),
        ("learning_rate", 1.0, 4.0),
    ]
    assert history.thumbnail(newest.path, 16).shape[1] == 16

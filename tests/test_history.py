"""History: the engine's listing of an output folder (nst.history) and the History tab.

Results are made the way the app makes them, with save_result and real recipes; two
tests run the real engine at 32 px (marked slow), the others none. GUI tests run under
QT_QPA_PLATFORM=offscreen with pytest-qt, like test_gui.py, in a tmp_path HOME so nothing
touches the user's files.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageFile
from PyQt5.QtCore import Qt

from gui.history.compare import CompareDialog
from gui.history.details import details_html, display_value, summary
from gui.history.history_panel import HistoryPanel
from gui.history.thumbnails import THUMBNAIL_SIZE, thumbnail_pool
from gui.labels import FIELD_LABELS
from gui.main_window import MainWindow
from nst import history
from nst.errors import ImageError
from nst.history import Entry, list_results, recipe_differences
from nst.imaging.save import result_stem, save_result
from nst.settings import Settings, read_recipe
from nst.settings.recipe import MAX_RECIPE_BYTES
from tests.bad_inputs import png_claiming

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("isolated_home")]

SAMPLES = Path(__file__).resolve().parent.parent / "gui" / "samples"
CONTENT = str(SAMPLES / "tubingen.jpg")
STYLE = str(SAMPLES / "starry_night.jpg")


def recipe_for(
    settings: Settings, *, steps: int | None = None, loss: float = 0.75, duration: float = 12.5
) -> dict[str, Any]:
    """A recipe shaped as nst.run.result.Result.recipe() writes it."""
    return {
        "settings": settings.to_dict(),
        "learning_rate_used": settings.resolved_learning_rate,
        "weights": {"source": "test", "path": None, "sha256": "0" * 64},
        "versions": {"nst": "test"},
        "device": "CPU",
        "duration_s": duration,
        "steps": settings.iterations if steps is None else steps,
        "stopped": False,
        "converged": False,
        "final_losses": {"total": loss, "content": loss / 2, "style": loss / 2, "tv": 0.0},
        "output_size": [32, 24],
        "created": "2024-01-01T00:00:00+0000",
    }


def pixels(seed: int = 0, height: int = 24, width: int = 32) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def save(
    folder: Path,
    settings: Settings,
    *,
    at: float | None = None,
    seed: int = 0,
    stem: str = "tubingen_starry_night",
    **recipe: Any,
) -> Path:
    """Save a tiny result as the app does; ``at`` sets its modification time."""
    path = save_result(pixels(seed), folder, stem, recipe_for(settings, **recipe))
    if at is not None:
        os.utime(path, (at, at))
    return path


ADAM = Settings(content=CONTENT, style=STYLE, optimizer="adam", iterations=300, size=512)
LBFGS = Settings(content=CONTENT, style=STYLE, iterations=20, size=64)


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


# --------------------------------------------------------------------------- the panel


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three results, the newest an Adam run, and a PNG without a recipe, the oldest."""
    out = tmp_path / "results"
    out.mkdir()
    Image.fromarray(pixels(9)).save(out / "holiday.png")
    os.utime(out / "holiday.png", (500_000, 500_000))
    save(out, LBFGS, at=1_000_000, seed=1)
    save(out, LBFGS.replace(size=48, style=CONTENT), at=1_500_000, seed=2)
    save(out, ADAM, at=2_000_000, seed=3)
    return out


@pytest.fixture
def panel(qtbot: Any, folder: Path) -> HistoryPanel:
    widget = HistoryPanel(field_labels=FIELD_LABELS)
    qtbot.addWidget(widget)
    widget.set_folder(str(folder))
    widget.refresh()
    yield widget
    thumbnail_pool().waitForDone(10_000)


def names(panel: HistoryPanel) -> list[str]:
    items = [panel.list_widget.item(r) for r in range(panel.list_widget.count())]
    return [item.text().split("\n")[0] for item in items]


def select(panel: HistoryPanel, *rows: int) -> None:
    panel.select_paths([panel.entries[r].path for r in rows])


def test_panel_lists_the_results_with_thumbnails(qtbot: Any, panel: HistoryPanel) -> None:
    assert names(panel) == [
        "tubingen_starry_night_003",
        "tubingen_starry_night_002",
        "tubingen_starry_night_001",
        "holiday",
    ]
    assert panel.stack.currentWidget() is panel.list_widget
    assert panel.folder_label.text().startswith("4 results in ")
    qtbot.waitUntil(lambda: panel.thumbnails_pending() == 0, timeout=10_000)
    icon = panel.list_widget.item(0).icon()
    # the 32 px result, enlarged like the others to fill the grid
    assert not icon.isNull() and icon.availableSizes()[0].width() == THUMBNAIL_SIZE
    assert panel.list_widget.item(3).text() == "holiday\nNo recipe"
    assert "Adam, 300 steps" in panel.list_widget.item(0).toolTip()
    assert not panel.compare_button.isEnabled() and not panel.rerun_button.isEnabled()


def test_empty_folder_says_what_to_do(qtbot: Any, tmp_path: Path) -> None:
    widget = HistoryPanel()
    qtbot.addWidget(widget)
    widget.set_folder(str(tmp_path / "new"))
    widget.refresh()
    assert widget.stack.currentWidget() is widget.empty_label
    assert widget.empty_label.text().startswith(f"No results in {tmp_path / 'new'} yet: press Run")
    widget.set_folder("")
    widget.refresh()
    assert "Choose an output folder" in widget.empty_label.text()


def test_selecting_one_shows_its_recipe_and_enables_rerun(panel: HistoryPanel) -> None:
    select(panel, 0)
    text = panel.details_label.text()
    for words in (
        "tubingen_starry_night_003.png",
        "Adam, 300 steps, 512 px, loss 0.75",
        "Optimizer",
        "starry_night.jpg",
        "block4_conv2 1",
        "12.5 s",
    ):
        assert words in text, words
    assert panel.rerun_button.isEnabled() and panel.load_button.isEnabled()
    assert not panel.compare_button.isEnabled()


def test_a_result_without_recipe_can_be_seen_not_rerun(panel: HistoryPanel) -> None:
    select(panel, 3)
    assert "No recipe" in panel.details_label.text()
    assert "holds no recipe" in panel.details_label.text()
    assert not panel.rerun_button.isEnabled() and not panel.load_button.isEnabled()


def test_selecting_two_enables_compare_and_three_disables_it(panel: HistoryPanel) -> None:
    select(panel, 0, 2)
    assert panel.compare_button.isEnabled() and not panel.rerun_button.isEnabled()
    assert "press Compare" in panel.details_label.text()
    select(panel, 0, 1, 2)
    assert not panel.compare_button.isEnabled()


def test_rerun_and_load_emit_the_results_settings(qtbot: Any, panel: HistoryPanel) -> None:
    select(panel, 1)
    with qtbot.waitSignal(panel.rerun_requested) as rerun:
        qtbot.mouseClick(panel.rerun_button, Qt.LeftButton)
    expected = LBFGS.replace(size=48, style=CONTENT)  # the rate as chosen: the default
    assert rerun.args == [expected]
    with qtbot.waitSignal(panel.load_requested) as load:
        qtbot.mouseClick(panel.load_button, Qt.LeftButton)
    assert load.args == [expected]


def test_compare_shows_both_images_at_one_scale_and_the_differences(
    qtbot: Any, panel: HistoryPanel
) -> None:
    select(panel, 0, 2)
    qtbot.mouseClick(panel.compare_button, Qt.LeftButton)
    dialog = panel.compare_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitExposed(dialog)
    view = dialog.view
    assert all(image is not None and image.width() == 32 for image in view.images)
    assert "tubingen_starry_night_003.png" in view.captions[0]
    assert "tubingen_starry_night_001.png" in view.captions[1]
    assert view.scale() == view.MAX_SCALE  # 32 px results in a large dialog: 4x, both
    table = dialog.table
    rows = [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]
    assert rows == [
        ["Optimizer", "Adam", "L-BFGS"],
        ["Learning rate", "4", "1"],
        ["Iterations", "300", "20"],
        ["Output size", "512", "64"],
    ]
    assert dialog.note_label.text().startswith("4 settings differ")
    view.grab()  # paints without error
    dialog.close()
    qtbot.waitUntil(lambda: panel.compare_dialog is None)


@pytest.mark.parametrize(
    ("changes", "note"),
    [
        ({"iterations": 30}, "1 setting differs (both shown at the same scale):"),
        ({"iterations": 30, "seed": 7}, "2 settings differ (both shown at the same scale):"),
    ],
)
def test_compare_counts_the_differing_settings_in_good_grammar(
    qtbot: Any, tmp_path: Path, changes: dict[str, Any], note: str
) -> None:
    save(tmp_path, LBFGS, at=1_000_000, seed=1)
    save(tmp_path, LBFGS.replace(**changes), at=2_000_000, seed=2)
    left, right = list_results(tmp_path)
    dialog = CompareDialog(left, right, FIELD_LABELS)
    qtbot.addWidget(dialog)
    assert dialog.note_label.text() == note
    assert dialog.table.rowCount() == len(changes)


def test_compare_with_a_result_without_recipe_says_so(qtbot: Any, panel: HistoryPanel) -> None:
    select(panel, 0, 3)
    dialog = panel.open_compare()
    assert dialog is not None and dialog.table.rowCount() == 0
    assert dialog.note_label.text() == (
        "holiday.png has no recipe, so the settings cannot be compared."
    )
    assert all(image is not None for image in dialog.view.images)
    dialog.close()


def test_compare_with_an_unreadable_image_shows_why(
    qtbot: Any, panel: HistoryPanel, folder: Path
) -> None:
    select(panel, 0, 1)
    (folder / "tubingen_starry_night_002.png").write_bytes(b"gone bad")
    dialog = panel.open_compare()
    assert (
        dialog.view.images[1] is None and "tubingen_starry_night_002.png" in dialog.view.problems[1]
    )
    dialog.view.grab()
    dialog.close()


def test_refresh_keeps_the_selection(panel: HistoryPanel, folder: Path) -> None:
    select(panel, 1)
    kept = panel.selected_paths()
    save(folder, ADAM, at=3_000_000, seed=5)
    panel.refresh()
    assert len(panel.entries) == 5 and panel.selected_paths() == kept


def test_panel_follows_the_folder_on_disk(qtbot: Any, panel: HistoryPanel, folder: Path) -> None:
    panel.show()
    qtbot.waitExposed(panel)
    save(folder, ADAM, at=time.time(), seed=6)
    qtbot.waitUntil(lambda: len(panel.entries) == 5, timeout=5_000)
    assert names(panel)[0] == "tubingen_starry_night_004"


def test_a_panel_deleted_while_its_thumbnails_decode_leaves_the_others_theirs(
    qtbot: Any, folder: Path
) -> None:
    from PyQt5 import sip

    closed, kept = HistoryPanel(), HistoryPanel()
    qtbot.addWidget(kept)
    for panel in (closed, kept):
        panel.set_folder(str(folder))
        panel.refresh()
    assert closed.thumbnails_pending() == kept.thumbnails_pending() == 4
    sip.delete(closed)  # as a closed window's panel, while the pool decodes its thumbnails
    qtbot.waitUntil(lambda: kept.thumbnails_pending() == 0, timeout=10_000)
    thumbnail_pool().waitForDone(10_000)
    icons = [kept.list_widget.item(r).icon() for r in range(kept.list_widget.count())]
    sizes = [(i.availableSizes()[0].width(), i.availableSizes()[0].height()) for i in icons]
    assert sizes == [(THUMBNAIL_SIZE, THUMBNAIL_SIZE * 3 // 4)] * 4  # decoded, not blank


def test_hidden_panel_lists_the_folder_when_shown(qtbot: Any, folder: Path) -> None:
    widget = HistoryPanel()
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget._timer.timeout, timeout=5_000):  # the refresh delay
        widget.set_folder(str(folder))
    assert widget.entries == []  # hidden: not listed yet
    widget.show()
    assert len(widget.entries) == 4


def test_every_panel_control_has_a_tooltip(panel: HistoryPanel) -> None:
    from PyQt5.QtWidgets import QAbstractButton

    select(panel, 0, 1)
    dialog = panel.open_compare()
    buttons = panel.findChildren(QAbstractButton)
    assert len(buttons) >= 5
    assert [b.text() for b in buttons if not b.toolTip()] == []
    assert panel.list_widget.toolTip() and panel.details_label.toolTip()
    dialog.close()


def test_details_escape_file_names(tmp_path: Path) -> None:
    entry = Entry(
        path=str(tmp_path / "<b>x</b>.png"),
        recipe=None,
        modified=0.0,
        problem="'<b>x</b>.png' holds no recipe.",
    )
    text = details_html(entry, {})
    assert "<b>x</b>" not in text.replace("<b>&lt;", "")
    assert "&lt;b&gt;x&lt;/b&gt;.png" in text


# --------------------------------------------------------------------------- in the window


@pytest.fixture
def out_dir(folder: Path) -> Path:
    """The window (tests/conftest.py) saves and lists in the folder of results."""
    return folder


def test_window_has_result_and_history_tabs(qtbot: Any, window: MainWindow, folder: Path) -> None:
    tabs = window.result_tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Result", "History", "Sweep", "Queue"]
    assert tabs.widget(1) is window.history_panel and tabs.tabToolTip(1)
    assert window.history_panel.folder == str(folder)
    tabs.setCurrentIndex(1)
    assert len(window.history_panel.entries) == 4
    window.controls.folder_edit.setText(str(folder / "elsewhere"))
    qtbot.waitUntil(lambda: window.history_panel.entries == [], timeout=5_000)


def test_load_settings_from_history_fills_the_window(qtbot: Any, window: MainWindow) -> None:
    panel = window.history_panel
    window.result_tabs.setCurrentIndex(1)
    select(panel, 0)
    qtbot.mouseClick(panel.load_button, Qt.LeftButton)
    qtbot.waitUntil(
        lambda: (
            not window.inputs.content_picker.is_loading
            and not window.inputs.style_picker.is_loading
        ),
        timeout=10_000,
    )
    shown = window.current_settings()
    assert (shown.optimizer, shown.iterations, shown.size) == ("adam", 300, 512)
    assert shown.content == CONTENT and shown.style == STYLE
    assert not window.is_running and window.result_tabs.currentIndex() == 1


@pytest.mark.slow
def test_rerun_from_history_runs_and_lists_the_new_result(
    qtbot: Any, window: MainWindow, folder: Path
) -> None:
    tiny = Settings(content=CONTENT, style=STYLE, size=32, iterations=2)
    save_result(pixels(), folder, "tiny", recipe_for(tiny))
    panel = window.history_panel
    window.result_tabs.setCurrentIndex(1)
    panel.select_paths([str(folder / "tiny_001.png")])
    qtbot.mouseClick(panel.rerun_button, Qt.LeftButton)
    assert window.result_tabs.currentIndex() == 0
    qtbot.waitUntil(lambda: window.is_running, timeout=10_000)
    qtbot.waitUntil(lambda: not window.is_running, timeout=120_000)
    assert window.last_message is None
    saved = window.result_panel.outcome.saved_path
    assert saved and Path(saved).name == "tubingen_starry_night_004.png"
    assert panel.entries[0].path == saved
    assert panel.entries[0].settings.iterations == 2


def test_rerun_with_a_missing_image_does_not_run(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    moved = tmp_path / "moved.jpg"
    shutil.copy(CONTENT, moved)
    window.inputs.content_picker.set_path(STYLE)
    window.inputs.style_picker.set_path(STYLE)
    qtbot.waitUntil(
        lambda: (
            not window.inputs.content_picker.is_loading
            and not window.inputs.style_picker.is_loading
        ),
        timeout=10_000,
    )
    moved.unlink()
    window.runner.rerun(Settings(content=str(moved), style=STYLE, size=32, iterations=2))
    qtbot.waitUntil(lambda: window.runner.rerun_pending is None, timeout=10_000)
    assert not window.is_running
    assert "could not be loaded" in window.statusBar().currentMessage()

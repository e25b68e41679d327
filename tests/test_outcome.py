"""save_outcome (nst/run/outcome.py): the one save after every run, on a small array.

The faults of the save path (a full disk, a folder gone) are made here without a
TensorFlow run: the command line, the window and the sweep all save through this one
function, so what holds here holds for them.
"""

from __future__ import annotations

import errno
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from nst.errors import NstError
from nst.imaging.save import read_recipe_from_png
from nst.run import outcome
from nst.settings import Settings
from tests.bad_inputs import all_files, link_fails_in

IMAGE = np.arange(12 * 16 * 3, dtype=np.uint8).reshape(12, 16, 3)
RECIPE = {"settings": {"size": 16}, "steps": 3}


@pytest.fixture
def settings() -> Settings:
    return Settings(content="/photos/tubingen.jpg", style="/paintings/starry_night.jpg")


@pytest.fixture
def spare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system's temporary folder, for this test alone."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_saves_the_next_free_name_with_its_recipe(tmp_path: Path, settings: Settings) -> None:
    first = outcome.save_outcome(IMAGE, settings, tmp_path, RECIPE)
    second = outcome.save_outcome(IMAGE, settings, tmp_path, RECIPE)
    assert first.in_chosen_folder and first.message() == ""
    assert first.path.name == "tubingen_starry_night_001.png"
    assert second.path.name == "tubingen_starry_night_002.png"
    assert read_recipe_from_png(second.path) == RECIPE
    assert (tmp_path / "tubingen_starry_night_001.json").exists()


def test_a_texture_and_a_sweep_cell_are_named_by_the_engine(
    tmp_path: Path, settings: Settings
) -> None:
    texture = settings.replace(method="texture")
    assert outcome.stem_for(texture) == "texture_starry_night"
    cell = outcome.save_outcome(IMAGE, settings, tmp_path, RECIPE, stem="r1c2_seed-3")
    assert cell.path.name == "r1c2_seed-3_001.png"


def test_disk_full_keeps_the_result_in_the_temporary_folder(
    tmp_path: Path, spare: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    link_fails_in(monkeypatch, out, errno.ENOSPC)
    saved = outcome.save_outcome(IMAGE, settings, out, RECIPE)
    assert saved.path is not None and saved.path.parent == spare / "nst-unsaved"
    assert "No space left on device" in saved.error and str(saved.path) in saved.message()
    assert read_recipe_from_png(saved.path) == RECIPE
    assert all_files(out) == []  # no temporary or half-written file left


def test_disk_full_everywhere_leaves_nothing_and_says_so(
    tmp_path: Path, spare: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    link_fails_in(monkeypatch, out, errno.ENOSPC)
    link_fails_in(monkeypatch, spare / "nst-unsaved", errno.ENOSPC)
    saved = outcome.save_outcome(IMAGE, settings, out, RECIPE)
    assert saved.path is None and "could not be kept anywhere else" in saved.message()
    assert all_files(out) == [] and all_files(spare) == []


def test_a_folder_deleted_since_the_run_began_is_made_again(
    tmp_path: Path, settings: Settings
) -> None:
    out = tmp_path / "deep" / "out"
    out.mkdir(parents=True)
    shutil.rmtree(tmp_path / "deep")
    saved = outcome.save_outcome(IMAGE, settings, out, RECIPE)
    assert saved.in_chosen_folder and saved.path.parent == out


def test_a_caller_that_keeps_the_image_itself_gets_the_error(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    link_fails_in(monkeypatch, out, errno.ENOSPC)
    with pytest.raises(NstError, match="could not be saved in the folder"):
        outcome.save_outcome(IMAGE, settings, out, RECIPE, keep_elsewhere=False)
    assert all_files(out) == []


def test_save_as_writes_exactly_there_and_never_an_unrelated_recipe(tmp_path: Path) -> None:
    from nst.imaging.export import save_image_as

    written = save_image_as(IMAGE, str(tmp_path / "mine.jpg"), RECIPE)
    assert [p.name for p in written] == ["mine.jpg", "mine.json"]
    (tmp_path / "other.json").write_text("the user's own notes")
    written = save_image_as(IMAGE, str(tmp_path / "other.png"), RECIPE)
    assert [p.name for p in written] == ["other.png"]  # their other.json is left alone
    assert (tmp_path / "other.json").read_text() == "the user's own notes"
    assert read_recipe_from_png(tmp_path / "other.png") == RECIPE


def test_save_as_into_a_missing_folder_is_one_sentence(tmp_path: Path) -> None:
    from nst.imaging.export import save_image_as

    with pytest.raises(NstError, match="could not be written"):
        save_image_as(IMAGE, str(tmp_path / "gone" / "mine.png"), RECIPE)
    assert all_files(tmp_path) == []

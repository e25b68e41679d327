"""Tests of nst.imaging.save: result names, the output folder, and saving that never
overwrites or leaves half a result.
"""

from __future__ import annotations

import errno
import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from nst.errors import ImageError
from nst.imaging.load import load_image
from nst.imaging.save import (
    RECIPE_KEY,
    check_output_dir,
    read_recipe_from_png,
    result_stem,
    save_result,
)
from tests.bad_inputs import png_claiming
from tests.image_helpers import gradient, save

# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("content", "style", "expected"),
    [
        (
            "gui/samples/tubingen.jpg",
            "gui/samples/starry_night.jpg",
            "tubingen_starry_night",
        ),
        ("", "starry_night.jpg", "texture_starry_night"),
        (None, "/x/the_scream.jpg", "texture_the_scream"),
        (
            "/home/me/My Photo (2).JPG",
            "woman-with-hat-matisse.jpg",
            "My_Photo_2_woman-with-hat-matisse",
        ),
        (r"C:\Users\me\Été à Paris.png", "a/b/../c.d.e.webp", "Ete_a_Paris_c_d_e"),
        ("東京.jpg", "...", "content_style"),
        ("-rf.png", "x.png", "rf_x"),
    ],
)
def test_result_stem(content, style, expected) -> None:
    assert result_stem(content, style) == expected


def test_result_stem_is_capped_and_safe() -> None:
    stem = result_stem("a" * 300 + ".jpg", "b/" + "c" * 300 + ".png")
    assert len(stem) <= 81
    assert re.fullmatch(r"[A-Za-z0-9_-]+", stem)


# --------------------------------------------------------------------------- output dir


def test_check_output_dir_creates(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b" / "results"
    out = check_output_dir(folder)
    assert out == folder and out.is_dir()
    assert list(out.iterdir()) == []  # the write probe was removed
    assert check_output_dir(str(folder)) == folder  # exists: fine


def test_check_output_dir_on_a_file(tmp_path: Path) -> None:
    path = tmp_path / "results"
    path.write_text("x")
    with pytest.raises(ImageError, match="results") as info:
        check_output_dir(path)
    assert "is a file" in str(info.value)
    with pytest.raises(ImageError, match="cannot be created"):
        check_output_dir(path / "inside")


def test_check_output_dir_not_writable(tmp_path: Path, monkeypatch) -> None:
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(ImageError, match="not writable") as info:
        check_output_dir(tmp_path / "out")
    assert str(tmp_path / "out") in str(info.value)


def test_check_output_dir_chmod(read_only_folder: Path) -> None:
    with pytest.raises(ImageError, match="locked"):
        check_output_dir(read_only_folder)


# --------------------------------------------------------------------------- saving

RECIPE = {
    "content": "tubingen.jpg",
    "style": "starry_night.jpg",
    "steps": 300,
    "losses": {"style": 1.5e4, "content": 2.0},
    "layers": ["block1_conv1"],
}


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_save_result_counts_up_and_round_trips(tmp_path: Path) -> None:
    pixels = gradient(20, 30)
    first = save_result(pixels, tmp_path, "tubingen_starry_night", RECIPE)
    second = save_result(pixels, tmp_path, "tubingen_starry_night", RECIPE)
    assert first == tmp_path / "tubingen_starry_night_001.png"
    assert second == tmp_path / "tubingen_starry_night_002.png"
    assert names(tmp_path) == [
        "tubingen_starry_night_001.json",
        "tubingen_starry_night_001.png",
        "tubingen_starry_night_002.json",
        "tubingen_starry_night_002.png",
    ]  # no temporary files left
    np.testing.assert_array_equal(load_image(first), pixels)
    text = first.with_suffix(".json").read_text(encoding="utf-8")
    assert json.loads(text) == RECIPE
    assert text.rstrip("\n") == json.dumps(RECIPE, indent=2)
    assert read_recipe_from_png(first) == RECIPE
    umask = os.umask(0)
    os.umask(umask)
    assert first.stat().st_mode & 0o777 == 0o666 & ~umask


def test_save_result_never_overwrites(tmp_path: Path) -> None:
    taken = tmp_path / "a_b_001.png"
    taken.write_bytes(b"someone else's picture")
    lone_json = tmp_path / "a_b_002.json"
    lone_json.write_text("{}")
    out = save_result(gradient(), tmp_path, "a_b", RECIPE)
    assert out == tmp_path / "a_b_003.png"  # both names must be free
    assert taken.read_bytes() == b"someone else's picture"
    assert lone_json.read_text() == "{}"
    assert names(tmp_path) == ["a_b_001.png", "a_b_002.json", "a_b_003.json", "a_b_003.png"]


def before_link(monkeypatch, hook) -> None:
    """os.link calls ``hook(Path(dst))`` first, which may raise or take the name, then links."""
    real_link = os.link

    def link(src, dst, *args, **kwargs):
        hook(Path(dst))
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", link)


def linking_the_json_raises(monkeypatch, error: BaseException) -> None:
    """os.link raises ``error`` for the recipe (.json); the PNG links as usual."""

    def fail_for_json(dst: Path) -> None:
        if dst.name.endswith(".json"):
            raise error

    before_link(monkeypatch, fail_for_json)


def test_save_result_race_on_png_name(tmp_path: Path, monkeypatch) -> None:
    # Another process takes a_b_001.png after our directory listing: the link decides.
    def racing(dst: Path) -> None:
        if dst.name == "a_b_001.png":
            dst.write_bytes(b"theirs")

    before_link(monkeypatch, racing)
    out = save_result(gradient(), tmp_path, "a_b", RECIPE)
    assert out.name == "a_b_002.png"
    assert (tmp_path / "a_b_001.png").read_bytes() == b"theirs"
    assert names(tmp_path) == ["a_b_001.png", "a_b_002.json", "a_b_002.png"]


def test_save_result_race_on_json_name(tmp_path: Path, monkeypatch) -> None:
    # The PNG name was free but the JSON name was taken meanwhile: give the PNG back.
    def racing(dst: Path) -> None:
        if dst.name == "a_b_001.json":
            dst.write_text("theirs")

    before_link(monkeypatch, racing)
    out = save_result(gradient(), tmp_path, "a_b", RECIPE)
    assert out.name == "a_b_002.png"
    assert names(tmp_path) == ["a_b_001.json", "a_b_002.json", "a_b_002.png"]


def test_save_result_without_hard_links(tmp_path: Path, monkeypatch) -> None:
    def no_links(src, dst, *args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted")  # FAT, exFAT

    monkeypatch.setattr(os, "link", no_links)
    (tmp_path / "x_y_001.png").write_bytes(b"old")
    out = save_result(gradient(), tmp_path, "x_y", RECIPE)
    assert out.name == "x_y_002.png"
    assert (tmp_path / "x_y_001.png").read_bytes() == b"old"
    assert read_recipe_from_png(out) == RECIPE
    np.testing.assert_array_equal(load_image(out), gradient())
    assert names(tmp_path) == ["x_y_001.png", "x_y_002.json", "x_y_002.png"]


def assert_failed_cleanly(info, folder: Path) -> None:
    err = info.value
    assert str(folder) in str(err)
    assert str(err).endswith(".") and ". " not in str(err)
    assert isinstance(err.__cause__, OSError)
    assert names(folder) == []


def test_save_result_disk_full_at_link(tmp_path: Path, monkeypatch) -> None:
    def full(src, dst, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "link", full)
    with pytest.raises(ImageError, match="No space left") as info:
        save_result(gradient(), tmp_path, "s", RECIPE)
    assert_failed_cleanly(info, tmp_path)


def test_save_result_disk_full_at_second_link(tmp_path: Path, monkeypatch) -> None:
    linking_the_json_raises(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(ImageError) as info:
        save_result(gradient(), tmp_path, "s", RECIPE)
    assert_failed_cleanly(info, tmp_path)  # the PNG that was linked is gone again


def test_save_result_disk_full_while_writing_png(tmp_path: Path, monkeypatch) -> None:
    def full(self, fp, *args, **kwargs):
        fp.write(b"\x89PNG half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", full)
    with pytest.raises(ImageError, match="could not be saved") as info:
        save_result(gradient(), tmp_path, "s", RECIPE)
    assert_failed_cleanly(info, tmp_path)


def test_save_result_interrupted_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    linking_the_json_raises(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        save_result(gradient(), tmp_path, "s", RECIPE)
    assert names(tmp_path) == []


def test_save_result_folder_unusable(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(ImageError, match="blocker"):
        save_result(gradient(), blocker / "out", "s", RECIPE)
    assert names(tmp_path) == ["blocker"]


def test_save_result_recreates_a_deleted_folder(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    out = save_result(gradient(), folder, "s", RECIPE)
    assert out == folder / "s_001.png" and out.exists()


def test_save_result_stem_cannot_escape_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    out = save_result(gradient(), folder, "../../evil", RECIPE)
    assert out.parent == folder
    assert out.name == "evil_001.png"


def test_save_result_float_image_and_odd_recipe(tmp_path: Path) -> None:
    image = gradient().astype(np.float32) + 0.2
    recipe = {"path": Path("/x/y.jpg"), "loss": np.float32(1.5), "shape": np.array([1, 2])}
    out = save_result(image, tmp_path, "f", recipe)
    np.testing.assert_array_equal(load_image(out), gradient())
    assert read_recipe_from_png(out) == {"path": "/x/y.jpg", "loss": 1.5, "shape": [1, 2]}


def test_save_result_rejects_bad_shape(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        save_result(np.zeros((4, 4, 2), np.uint8), tmp_path, "s", RECIPE)
    assert names(tmp_path) == []


def test_read_recipe_from_png_without_one(tmp_path: Path) -> None:
    plain = save(tmp_path, "plain.png", Image.fromarray(gradient()))
    assert read_recipe_from_png(plain) is None
    jpeg = save(tmp_path, "photo.jpg", Image.fromarray(gradient()))
    assert read_recipe_from_png(jpeg) is None
    info = PngInfo()
    info.add_text(RECIPE_KEY, "not json {")
    bad = save(tmp_path, "bad.png", Image.fromarray(gradient()), pnginfo=info)
    assert read_recipe_from_png(bad) is None
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_claiming(100_000, 100_000))
    assert read_recipe_from_png(bomb) is None
    cut = tmp_path / "cut.png"
    cut.write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    assert read_recipe_from_png(cut) is None
    with pytest.raises(ImageError, match="missing.png"):
        read_recipe_from_png(tmp_path / "missing.png")
    with pytest.raises(ImageError, match="folder.png"):
        (tmp_path / "folder.png").mkdir()
        read_recipe_from_png(tmp_path / "folder.png")


def test_bytes_path_accepted(tmp_path: Path) -> None:
    path = save(tmp_path, "b.png", Image.fromarray(gradient()))
    np.testing.assert_array_equal(load_image(os.fsencode(path)), gradient())

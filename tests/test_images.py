"""Tests of nst.imaging (load, resize, save): every mode and bad file, resizing, saving.

Test images are made with Pillow in tmp_path; the bundled samples are loaded too.
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import logging
import os
import re
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageOps
from PIL.PngImagePlugin import PngInfo

from nst.errors import ImageError
from nst.imaging import load
from nst.imaging.load import SUPPORTED_SUFFIXES, load_image
from nst.imaging.resize import resize_longest, to_uint8
from nst.imaging.save import (
    RECIPE_KEY,
    check_output_dir,
    read_recipe_from_png,
    result_stem,
    save_result,
)
from tests.bad_inputs import mutate, mutation_edit, png_claiming

# --------------------------------------------------------------------------- helpers


def save(tmp_path: Path, name: str, im: Image.Image, **params: object) -> Path:
    path = tmp_path / name
    im.save(path, **params)
    return path


def assert_clean_error(exc: ImageError, name: str) -> None:
    """One sentence naming the file, with no surprising implicit exception context."""
    message = str(exc)
    assert name in message
    assert message.startswith("The ")
    assert message.endswith(".")
    assert "\n" not in message
    assert ". " not in message, message  # one sentence
    assert "Traceback" not in message and "<_io" not in message
    # Raised either outside any handler, or with an explicit cause ("from exc" / None):
    # never "During handling of the above exception, another exception occurred".
    assert exc.__context__ is None or exc.__suppress_context__
    assert not isinstance(exc.__cause__, ImageError)


def refuse(path: Path | str, role: str = "content image") -> ImageError:
    with pytest.raises(ImageError) as info:
        load_image(path, role=role)
    assert_clean_error(info.value, os.path.basename(os.fspath(path)))
    assert role in str(info.value)
    return info.value


def assert_rgb(array: np.ndarray, height: int, width: int) -> None:
    assert isinstance(array, np.ndarray)
    assert array.shape == (height, width, 3)
    assert array.dtype == np.uint8
    assert array.flags.c_contiguous and array.flags.writeable


def gradient(height: int = 12, width: int = 16) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack(
        [x * 255 // (width - 1), y * 255 // (height - 1), (x + y) * 7 % 256], axis=2
    ).astype(np.uint8)


# --------------------------------------------------------------------------- constants


def test_public_constants() -> None:
    assert SUPPORTED_SUFFIXES == (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
    assert load.MAX_PIXELS == Image.MAX_IMAGE_PIXELS == 89_478_485


# --------------------------------------------------------------------------- modes


def test_rgb_png_round_trips_exactly(tmp_path: Path) -> None:
    pixels = gradient()
    path = save(tmp_path, "rgb.png", Image.fromarray(pixels))
    out = load_image(path)
    assert_rgb(out, 12, 16)
    np.testing.assert_array_equal(out, pixels)


@pytest.mark.parametrize(
    "name", ["tubingen.jpg", "chelsea.png", "astronaut.png", "starry_night.jpg"]
)
def test_bundled_samples_load(samples: Path, name: str) -> None:
    out = load_image(samples / name, role="style image")
    with Image.open(samples / name) as im:
        width, height = ImageOps.exif_transpose(im).size
    assert_rgb(out, height, width)
    assert out.std() > 10  # a real picture, not a blank


def test_grey_l(tmp_path: Path) -> None:
    grey = np.arange(256, dtype=np.uint8).reshape(16, 16)
    out = load_image(save(tmp_path, "grey.png", Image.fromarray(grey)))
    assert_rgb(out, 16, 16)
    for c in range(3):
        np.testing.assert_array_equal(out[:, :, c], grey)


def test_bilevel_1(tmp_path: Path) -> None:
    im = Image.new("1", (8, 4), 0)
    im.putpixel((3, 2), 1)
    out = load_image(save(tmp_path, "bits.png", im))
    assert_rgb(out, 4, 8)
    assert out[2, 3].tolist() == [255, 255, 255]
    assert out[0, 0].tolist() == [0, 0, 0]


def test_palette_without_transparency(tmp_path: Path) -> None:
    im = Image.new("P", (4, 2))
    im.putpalette([255, 0, 0, 0, 128, 255] + [0] * (254 * 3))
    im.putpixel((1, 1), 1)
    out = load_image(save(tmp_path, "pal.png", im))
    assert_rgb(out, 2, 4)
    assert out[0, 0].tolist() == [255, 0, 0]
    assert out[1, 1].tolist() == [0, 128, 255]


@pytest.mark.parametrize("fmt", ["png", "gif"])
def test_palette_with_transparency_becomes_white(tmp_path: Path, fmt: str) -> None:
    im = Image.new("P", (4, 2))
    im.putpalette([10, 200, 30, 0, 0, 0] + [0] * (254 * 3))
    im.putpixel((2, 0), 1)  # index 1 is transparent
    path = save(tmp_path, f"pal_t.{fmt}", im, transparency=1)
    out = load_image(path)
    assert_rgb(out, 2, 4)
    assert out[0, 2].tolist() == [255, 255, 255]
    assert out[0, 0].tolist() == [10, 200, 30]


def test_rgba_alpha_composited_on_white(tmp_path: Path) -> None:
    rgba = np.zeros((2, 3, 4), dtype=np.uint8)
    rgba[0, 0] = (0, 0, 0, 0)  # fully transparent black -> white
    rgba[0, 1] = (255, 0, 0, 255)  # opaque red stays red
    rgba[0, 2] = (0, 0, 0, 128)  # half-transparent black -> mid grey
    rgba[1, :] = (0, 0, 255, 255)
    out = load_image(save(tmp_path, "rgba.png", Image.fromarray(rgba)))
    assert_rgb(out, 2, 3)
    assert out[0, 0].tolist() == [255, 255, 255]
    assert out[0, 1].tolist() == [255, 0, 0]
    assert np.all(np.abs(out[0, 2].astype(int) - 127) <= 2)
    assert out[1, 0].tolist() == [0, 0, 255]


def test_la_alpha_composited_on_white(tmp_path: Path) -> None:
    la = Image.new("LA", (2, 1))
    la.putpixel((0, 0), (40, 0))
    la.putpixel((1, 0), (40, 255))
    out = load_image(save(tmp_path, "la.png", la))
    assert out[0, 0].tolist() == [255, 255, 255]
    assert out[0, 1].tolist() == [40, 40, 40]


def test_cmyk_jpeg(tmp_path: Path) -> None:
    im = Image.new("CMYK", (16, 8), (0, 255, 255, 0))  # no cyan, full magenta+yellow: red
    path = save(tmp_path, "cmyk.jpg", im, quality=95)
    with Image.open(path) as check:
        assert check.mode == "CMYK"
    out = load_image(path)
    assert_rgb(out, 8, 16)
    r, g, b = out.reshape(-1, 3).mean(axis=0)
    assert r > 240 and g < 15 and b < 15


def test_cmyk_tiff(tmp_path: Path) -> None:
    im = Image.new("CMYK", (4, 4), (255, 0, 255, 0))  # cyan + yellow: green
    out = load_image(save(tmp_path, "cmyk.tif", im))
    assert out[0, 0].tolist() == [0, 255, 0]


@pytest.mark.parametrize("fmt", ["png", "tif"])
def test_16bit_grey_is_scaled_not_clipped(tmp_path: Path, fmt: str) -> None:
    ramp = np.linspace(0, 65535, 256).round().astype(np.uint16).reshape(1, 256)
    im = Image.fromarray(np.repeat(ramp, 4, axis=0))
    assert im.mode == "I;16"
    out = load_image(save(tmp_path, f"deep.{fmt}", im))
    assert_rgb(out, 4, 256)
    row = out[0, :, 0].astype(int)
    assert np.all(np.diff(row) >= 0)  # ordering kept
    assert row[0] == 0 and row[-1] == 255  # full range kept
    assert abs(row[128] - 128) <= 1  # linear: mid-grey in the middle
    assert len(np.unique(row)) > 200  # not clipped to a few white values


def test_32bit_int_tiff(tmp_path: Path) -> None:
    # Values up to 65535 are read as 16-bit data.
    wide = np.array([[0, 32768, 65535]], dtype=np.int32)
    out = load_image(save(tmp_path, "i32.tif", Image.fromarray(wide)))
    assert out[0, :, 0].tolist() == [0, 128, 255]
    # Values in 0..255 are 8-bit data stored wide.
    narrow = np.array([[0, 100, 255]], dtype=np.int32)
    out = load_image(save(tmp_path, "i8.tif", Image.fromarray(narrow)))
    assert out[0, :, 0].tolist() == [0, 100, 255]
    # Negative values: stretched min..max.
    signed = np.array([[-1000, 0, 1000]], dtype=np.int32)
    out = load_image(save(tmp_path, "signed.tif", Image.fromarray(signed)))
    assert out[0, :, 0].tolist() == [0, 128, 255]


def test_float_tiff(tmp_path: Path) -> None:
    unit = np.array([[0.0, 0.5, 1.0, np.nan]], dtype=np.float32)
    im = Image.fromarray(unit)
    assert im.mode == "F"
    out = load_image(save(tmp_path, "f.tif", im))
    assert out[0, :, 1].tolist() == [0, 128, 255, 0]
    wide = np.array([[-5.0, 0.0, 5.0]], dtype=np.float32)
    out = load_image(save(tmp_path, "fw.tif", Image.fromarray(wide)))
    assert out[0, :, 2].tolist() == [0, 128, 255]


@pytest.mark.parametrize("fmt", ["gif", "png", "webp"])
def test_animated_gives_first_frame(tmp_path: Path, fmt: str) -> None:
    red = Image.new("RGB", (8, 6), (255, 0, 0))
    blue = Image.new("RGB", (8, 6), (0, 0, 255))
    params: dict[str, object] = {"save_all": True, "append_images": [blue], "duration": 100}
    if fmt == "webp":
        params["lossless"] = True
    path = save(tmp_path, f"anim.{fmt}", red, **params)
    with Image.open(path) as check:
        assert getattr(check, "n_frames", 1) == 2
    out = load_image(path)
    assert_rgb(out, 6, 8)
    assert out[3, 4].tolist() == [255, 0, 0]


def test_content_decides_not_extension(tmp_path: Path) -> None:
    path = save(tmp_path, "actually_png.jpg", Image.fromarray(gradient()), format="PNG")
    np.testing.assert_array_equal(load_image(path), gradient())


def test_pathlike_and_str_accepted(tmp_path: Path) -> None:
    path = save(tmp_path, "a.bmp", Image.fromarray(gradient()))
    np.testing.assert_array_equal(load_image(str(path)), load_image(path))


# --------------------------------------------------------------------------- EXIF


@pytest.mark.parametrize(
    ("orientation", "turn"),
    [
        (3, lambda a: np.rot90(a, 2)),
        (6, lambda a: np.rot90(a, -1)),  # stored rotated; shown after a quarter turn clockwise
        (8, lambda a: np.rot90(a, 1)),
    ],
)
def test_exif_orientation_applied(tmp_path: Path, orientation: int, turn) -> None:
    width, height = 40, 20
    stored = np.zeros((height, width, 3), dtype=np.uint8)
    stored[:, :] = (0, 0, 255)
    stored[:8, :8] = (255, 0, 0)  # marked top-left corner, as stored
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = save(tmp_path, f"o{orientation}.jpg", Image.fromarray(stored), exif=exif, quality=95)
    out = load_image(path)
    expected = turn(stored)
    assert out.shape == expected.shape
    assert np.abs(out.astype(int) - expected).mean() < 8
    if orientation == 6:
        assert out.shape == (width, height, 3)  # W x H became H x W
        # The stored top-left corner is now the top-right corner.
        assert out[2, height - 3].tolist()[0] > 200 and out[2, height - 3].tolist()[2] < 60
        assert out[2, 2].tolist()[0] < 60


def test_bad_exif_does_not_refuse_the_photo(tmp_path: Path, monkeypatch) -> None:
    path = save(tmp_path, "p.png", Image.fromarray(gradient()))

    def broken(_image):
        raise SyntaxError("not a TIFF file (header b'xx' not valid)")

    monkeypatch.setattr(ImageOps, "exif_transpose", broken)
    np.testing.assert_array_equal(load_image(path), gradient())


def test_pillow_warnings_are_logged_not_printed(tmp_path: Path, monkeypatch, caplog) -> None:
    path = save(tmp_path, "p.png", Image.fromarray(gradient()))
    real = ImageOps.exif_transpose

    def noisy(image):
        warnings.warn("Corrupt EXIF data", UserWarning, stacklevel=1)
        return real(image)

    monkeypatch.setattr(ImageOps, "exif_transpose", noisy)
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        with caplog.at_level(logging.WARNING, logger="nst.imaging.load"):
            load_image(path)
    assert escaped == []
    assert "p.png: Corrupt EXIF data" in caplog.text


# --------------------------------------------------------------------------- refusals


def test_missing_file(tmp_path: Path) -> None:
    err = refuse(tmp_path / "nowhere.jpg")
    assert "not found" in str(err)


def test_folder(tmp_path: Path) -> None:
    folder = tmp_path / "pics.png"
    folder.mkdir()
    assert "folder" in str(refuse(folder))


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    assert "empty" in str(refuse(path, role="style image"))


def test_unreadable_file_chmod(tmp_path: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root can read any file, whatever its permissions")
    path = save(tmp_path, "secret.png", Image.fromarray(gradient()))
    path.chmod(0)
    try:
        assert "permission" in str(refuse(path))
    finally:
        path.chmod(0o644)


def test_unreadable_file_open_denied(tmp_path: Path, monkeypatch) -> None:
    path = save(tmp_path, "secret.png", Image.fromarray(gradient()))
    real_open = builtins.open

    def fake_open(file, *args, **kwargs):
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    assert "permission denied" in str(refuse(path))


def test_unreadable_file_stat_denied(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "locked" / "photo.jpg"

    def fake_stat(p, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", os.fspath(p))

    monkeypatch.setattr(os, "stat", fake_stat)
    assert "permission denied" in str(refuse(path))


def test_non_image_with_image_extension(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("these are my holiday notes, not a photo\n")
    err = refuse(path)
    assert "not a readable image" in str(err)
    assert "JPEG, PNG" in str(err)


def test_unsupported_format_is_refused(tmp_path: Path) -> None:
    # A valid image in a format we do not decode (Pillow could, via another plugin).
    path = save(tmp_path, "icon.png", Image.new("RGB", (16, 16)), format="ICO")
    assert "not a readable image" in str(refuse(path))


@pytest.mark.parametrize(
    ("fmt", "keep"), [("JPEG", 0.5), ("PNG", 0.6), ("WEBP", 0.5), ("BMP", 0.5), ("TIFF", 0.5)]
)
def test_truncated_file(tmp_path: Path, fmt: str, keep: float) -> None:
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)  # not compressible
    buffer = io.BytesIO()
    Image.fromarray(noisy).save(buffer, format=fmt)
    data = buffer.getvalue()
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(data[: int(len(data) * keep)])
    err = refuse(path)
    assert any(word in str(err) for word in ("truncated", "damaged", "not a readable image"))
    if fmt in ("JPEG", "PNG"):
        assert "truncated" in str(err)


def test_damaged_png(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.fromarray(gradient(32, 32)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    idat = data.index(b"IDAT")
    data[idat + 10 : idat + 20] = b"\xff" * 10  # corrupt the compressed pixels
    path = tmp_path / "bad.png"
    path.write_bytes(bytes(data))
    refuse(path)


def test_zero_size_header(tmp_path: Path) -> None:
    path = tmp_path / "nothing.png"
    path.write_bytes(png_claiming(0, 5))
    refuse(path)


def test_zero_size_image_refused_by_our_own_check(tmp_path: Path, monkeypatch) -> None:
    # Pillow's plugins refuse zero sizes themselves; this checks our second line.
    path = save(tmp_path, "flat.png", Image.fromarray(gradient()))

    def empty_image(*args, **kwargs):
        return Image.new("RGB", (0, 5))

    monkeypatch.setattr(Image, "open", empty_image)
    err = refuse(path)
    assert "no pixels" in str(err)


def test_bomb_by_pixel_limit(tmp_path: Path, monkeypatch) -> None:
    path = save(tmp_path, "big.png", Image.fromarray(gradient(12, 16)))
    monkeypatch.setattr(load, "MAX_PIXELS", 12 * 16 - 1)
    err = refuse(path)
    assert "too large" in str(err) and "16 x 12" in str(err)
    monkeypatch.setattr(load, "MAX_PIXELS", 12 * 16)
    assert_rgb(load_image(path), 12, 16)


@pytest.mark.parametrize("side", [100_000, 10_000])
def test_bomb_header_is_refused_without_decoding(tmp_path: Path, side: int) -> None:
    # 100000^2 is past Pillow's own error threshold (2 x MAX_IMAGE_PIXELS); 10000^2 is
    # only past its warning threshold, which must refuse too. Nothing is decoded: a
    # 10-gigapixel decode would take minutes and 30 GB.
    path = tmp_path / f"bomb{side}.png"
    path.write_bytes(png_claiming(side, side))
    assert path.stat().st_size < 200
    err = refuse(path)
    assert "too large" in str(err)


def test_keyboard_interrupt_is_not_swallowed(tmp_path: Path, monkeypatch) -> None:
    path = save(tmp_path, "p.png", Image.fromarray(gradient()))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Image, "open", interrupted)
    with pytest.raises(KeyboardInterrupt):
        load_image(path)


def test_default_role_word(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match=r"^The image 'x\.png' was not found"):
        load_image(tmp_path / "x.png")


# --------------------------------------------------------------------------- fuzz


def _encoded(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(gradient(12, 16)).save(buffer, format=fmt)
    return buffer.getvalue()


_SEEDS = {fmt: _encoded(fmt) for fmt in ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")}


@pytest.mark.fuzz  # examples and deadline: the hypothesis profile in conftest.py
@given(fmt=st.sampled_from(sorted(_SEEDS)), edits=st.lists(mutation_edit, min_size=1, max_size=4))
def test_fuzzed_files_load_or_raise_image_error(tmp_path: Path, fmt: str, edits) -> None:
    path = tmp_path / f"fuzz.{fmt.lower()}"
    path.write_bytes(mutate(_SEEDS[fmt], edits))
    try:
        out = load_image(path)
    except ImageError as exc:
        assert_clean_error(exc, path.name)
    else:
        assert out.ndim == 3 and out.shape[2] == 3 and out.dtype == np.uint8
        assert out.shape[0] >= 1 and out.shape[1] >= 1


# --------------------------------------------------------------------------- arrays


@pytest.mark.parametrize(
    ("shape", "size", "expected"),
    [
        ((50, 100, 3), 20, (10, 20, 3)),
        ((100, 50, 3), 20, (20, 10, 3)),
        ((30, 40, 3), 400, (300, 400, 3)),  # upscaling
        ((1, 1000, 3), 10, (1, 10, 3)),  # a side never drops below 1 px
        ((768, 1024, 3), 512, (384, 512, 3)),
        ((7, 9), 18, (14, 18)),
        ((8, 8, 4), 4, (4, 4, 4)),
    ],
)
def test_resize_longest_shapes(shape, size, expected) -> None:
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, size=shape, dtype=np.uint8)
    out = resize_longest(image, size)
    assert out.shape == expected
    assert out.dtype == np.uint8


def test_resize_longest_content_and_float() -> None:
    image = np.zeros((40, 80, 3), dtype=np.uint8)
    image[:, 40:] = 200  # left half black, right half grey
    out = resize_longest(image, 20)
    assert out.shape == (10, 20, 3)
    assert out[:, :8].max() <= 5 and out[:, 12:].min() >= 195
    flat = np.full((30, 60, 3), 77.25, dtype=np.float32)
    out_f = resize_longest(flat, 10)
    assert out_f.dtype == np.float32 and out_f.shape == (5, 10, 3)
    np.testing.assert_allclose(out_f, 77.25, atol=1e-3)
    ringing = resize_longest(image.astype(np.float32), 20)
    assert ringing.min() >= 0.0 and ringing.max() <= 255.0


def test_resize_longest_same_size_is_a_copy() -> None:
    image = gradient()
    out = resize_longest(image, 16)
    np.testing.assert_array_equal(out, image)
    assert out is not image and not np.shares_memory(out, image)


@pytest.mark.parametrize("size", [0, -3, 2.5, True])
def test_resize_longest_bad_size(size) -> None:
    with pytest.raises(ValueError):
        resize_longest(gradient(), size)


def test_to_uint8() -> None:
    values = np.array([-5.0, 0.4, 0.6, 1.5, 254.6, 300.0, np.nan, np.inf], dtype=np.float32)
    assert to_uint8(values).tolist() == [0, 0, 1, 2, 255, 255, 0, 255]
    assert to_uint8(values).dtype == np.uint8
    assert to_uint8(np.zeros((2, 2, 3), np.float32)).shape == (2, 2, 3)


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

"""Tests of nst.imaging's loading and resizing: every image mode, EXIF, arrays.

Test images are made with Pillow in tmp_path; the bundled samples are loaded too.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from nst.imaging import load
from nst.imaging.load import SUPPORTED_SUFFIXES, load_image
from nst.imaging.resize import resize_longest, to_uint8
from tests.image_helpers import assert_rgb, gradient, save

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

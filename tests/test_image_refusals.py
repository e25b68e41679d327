"""Tests of nst.imaging's refusals: every bad file is one ImageError sentence, fuzzed too."""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from nst.errors import ImageError
from nst.imaging import load
from nst.imaging.load import load_image
from tests.bad_inputs import mutate, mutation_edit, png_claiming
from tests.image_helpers import assert_clean_error, assert_rgb, gradient, refuse, save

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

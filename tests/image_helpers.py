"""Helpers for the nst.imaging tests (test_images*.py): test images, refusals, checks."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nst.errors import ImageError
from nst.imaging.load import load_image


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

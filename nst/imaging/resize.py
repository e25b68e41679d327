"""Arrays to the engine's sizes and type: resize by the longest side, round to uint8.

This module is part of the engine: NumPy and Pillow only, never Qt.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image


def resize_longest(image: np.ndarray, size: int) -> np.ndarray:
    """Scale ``image`` so its longest side is ``size`` pixels, keeping its aspect ratio.

    Each side stays at least 1 pixel. Lanczos (Pillow) is used both ways: it is the
    sharpest of Pillow's filters and, downscaling, antialiases properly. uint8 input
    gives uint8 output; float input (0..255) gives float output of the same dtype,
    clipped to 0..255 (Lanczos rings slightly past the input's range at edges).
    Accepts H x W, or H x W x C. The result is always a new array.
    """
    if isinstance(size, bool) or int(size) != size or size < 1:
        raise ValueError(f"size must be a positive integer, not {size!r}")
    size = int(size)
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"expected an H x W or H x W x C image, not shape {image.shape}")
    new_h, new_w = longest_dims(image.shape[:2], size)
    if (new_h, new_w) == image.shape[:2]:
        return image.copy()

    if image.dtype == np.uint8:
        if image.ndim == 3 and image.shape[2] == 3:
            return _resize_plane(image, new_w, new_h)
        if image.ndim == 2:
            return _resize_plane(image, new_w, new_h)
        planes = [_resize_plane(image[:, :, c], new_w, new_h) for c in range(image.shape[2])]
        return np.stack(planes, axis=2)
    if np.issubdtype(image.dtype, np.floating):
        work = image.astype(np.float32, copy=False)
        if work.ndim == 2:
            out = _resize_plane(work, new_w, new_h)
        else:
            # Pillow resizes float images only as single-channel "F" planes.
            out = np.stack(
                [_resize_plane(work[:, :, c], new_w, new_h) for c in range(work.shape[2])],
                axis=2,
            )
        return np.clip(out, 0.0, 255.0).astype(image.dtype, copy=False)
    raise TypeError(f"expected a uint8 or float image, not {image.dtype}")


def resize_wrapped(image: np.ndarray, size: int) -> np.ndarray:
    """A uint8 (H, W, 3) picture that tiles, scaled as :func:`resize_longest` scales it but
    as the middle of a 3 x 3 tiling, so that its edges go on meeting (Lanczos reads past
    each edge into the copy beside it, not into a mirror of the edge)."""
    height, width = image.shape[:2]
    new_h, new_w = longest_dims(image.shape[:2], size)
    tiled = Image.fromarray(np.ascontiguousarray(np.tile(image, (3, 3, 1))))
    box = (width, height, 2 * width, 2 * height)
    return np.array(tiled.resize((new_w, new_h), Image.Resampling.LANCZOS, box=box))


def longest_dims(shape: tuple[int, ...], size: int) -> tuple[int, int]:
    """The (height, width) :func:`resize_longest` gives an image of ``shape`` (H, W, ...)."""
    height, width = shape[:2]
    scale = size / max(height, width)
    # round() on the longest side gives exactly `size`; the other keeps the aspect.
    return max(1, round(height * scale)), max(1, round(width * scale))


def least_size(shape: tuple[int, ...], short_side: int) -> int:
    """The least longest side at which :func:`resize_longest` leaves an image of ``shape``
    at least ``short_side`` px across (and at least ``short_side`` itself)."""
    short, long = min(shape[:2]), max(shape[:2])
    size = max(short_side, math.ceil(short_side * long / short))  # enough: no rounding down
    # round() may reach short_side from a little below; step down to the least that does.
    while size > short_side and min(longest_dims(shape, size - 1)) >= short_side:
        size -= 1
    return size


def _resize_plane(plane: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize one Pillow-compatible array (RGB or L uint8, or F float32) with Lanczos."""
    src = Image.fromarray(np.ascontiguousarray(plane))
    # reducing_gap=3.0: a big downscale first shrinks by an integer factor with a box
    # filter, then Lanczos-filters the rest. Pillow's docs: with a gap of 3 or more the
    # result is "indistinguishable from fair resampling in most cases", and much faster.
    out = src.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return np.array(out)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Float (0..255) to uint8: round to nearest, clip to 0..255. NaN becomes 0."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image.copy()
    values = np.nan_to_num(image.astype(np.float64), nan=0.0, posinf=255.0, neginf=0.0)
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)

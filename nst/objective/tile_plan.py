"""Where the tiles of a tiled evaluation lie (nst/objective/tiled.py): pure arithmetic.

Each tile is an inner part, and the inner parts partition the image, plus a halo around
it clipped at the image's borders. Its features are computed on the inner part with its
halo and only the inner part's count (Galerne et al., "Scaling Painting Style Transfer",
EGSR 2024). Two numbers make that exact, both read off VGG19's layer table here:

- the pooling grid: tiles start on multiples of 2^(poolings before the deepest layer)
  pixels (16 for block5), so that a tile's poolings pair the same pixels as the whole
  image's and its positions are the whole image's positions, shifted;
- the halo: the gradient at an inner pixel comes from every position that sees it, and
  each of those must see only pixels in the tile: about the receptive field's reach
  before plus after a position (70 + 85 px for block5_conv1, whose receptive field is
  156 px: those and its own 16 px cell less one), 150 px with the cells on the grid,
  rounded up to the grid: 160 (exact_halo).

An image whose sides are not multiples of the grid needs nothing more: the tiles at its
bottom and right end where it ends, so their VALID poolings drop the same odd last pixels
as the whole image's (tests/test_tiled.py, 250x122 px).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nst.vgg.layers import CONV_LAYERS, POOL_AFTER


@dataclass(frozen=True)
class Tile:
    """One tile, in the image's pixels: (top, left, bottom, right), bottom and right past
    the end."""

    inner: tuple[int, int, int, int]  # the pixels this tile accounts for
    outer: tuple[int, int, int, int]  # the inner part and its halo: what the network sees

    @property
    def inner_in_outer(self) -> tuple[int, int, int, int]:
        """The inner part in the outer part's own pixels."""
        top, left = self.outer[:2]
        return (
            self.inner[0] - top,
            self.inner[1] - left,
            self.inner[2] - top,
            self.inner[3] - left,
        )


def _deepest(layers: tuple[str, ...]) -> str:
    return max(layers, key=CONV_LAYERS.index)


def pools_before(layer: str) -> int:
    """How many 2x2 poolings come before ``layer``: its positions are 2^that pixels apart."""
    return sum(name in POOL_AFTER for name in CONV_LAYERS[: CONV_LAYERS.index(layer)])


def pooling_grid(layers: tuple[str, ...]) -> int:
    """The pixels between tile origins: the stride of the deepest of ``layers``."""
    return 2 ** pools_before(_deepest(layers))


def reach(layer: str) -> tuple[int, int]:
    """How far before and after its own cell of pixels a position of ``layer`` sees.

    A position p of a layer with stride s sees pixels s*p - before .. s*p + after: each
    3x3 convolution adds one position, s pixels, on both sides; a 2x2 pooling (VALID)
    adds the second position of its window, s pixels, after. block5_conv1: (70, 85).
    """
    stride, before, after = 1, 0, 0
    for name in CONV_LAYERS[: CONV_LAYERS.index(layer) + 1]:
        before, after = before + stride, after + stride
        if name in POOL_AFTER and name != layer:
            after += stride
            stride *= 2
    return before, after


def exact_halo(layers: tuple[str, ...]) -> int:
    """The least halo on the pooling grid that keeps the loss and its gradient exact.

    The gradient at an inner pixel x comes from the positions that see it: those whose
    cell (stride s, on the grid as x's part is) starts from x - after to x + before; each
    of them must see only the tile's pixels, down to (x - after) - before and up to
    (x + before) + after, counted from the inner part's first and last pixel with the
    cells' starts rounded to the stride. block5_conv1: 150 px, 160 on the grid.
    """
    deepest = _deepest(layers)
    before, after = reach(deepest)
    stride, grid = 2 ** pools_before(deepest), pooling_grid(layers)
    first = stride * (after // stride) + before  # before the inner part's first pixel
    last = stride * ((before - 1) // stride) + after + 1  # after its last one
    return grid * math.ceil(max(first, last) / grid)


def _spans(length: int, inner: int, halo: int) -> list[tuple[int, int, int, int]]:
    """Along one axis: (inner start, inner end, outer start, outer end) per tile."""
    return [
        (start, min(start + inner, length), max(0, start - halo), min(length, start + inner + halo))
        for start in range(0, length, inner)
    ]


def plan_tiles(height: int, width: int, tile: int, halo: int, grid: int = 16) -> list[Tile]:
    """Tiles of ``tile`` x ``tile`` inner pixels (fewer at the bottom and right edges),
    each with ``halo`` px around it, row by row.

    ``tile`` and ``halo`` must be multiples of ``grid`` (see :func:`pooling_grid`), so that
    every inner and outer part starts on the grid.
    """
    if tile < grid or tile % grid or halo < 0 or halo % grid:
        raise ValueError(f"tile and halo must be multiples of {grid} px, not {tile} and {halo}")
    if height < 1 or width < 1:
        raise ValueError(f"an image of {width}x{height} px has no tiles")
    return [
        Tile((top, left, bottom, right), (out_top, out_left, out_bottom, out_right))
        for top, bottom, out_top, out_bottom in _spans(height, tile, halo)
        for left, right, out_left, out_right in _spans(width, tile, halo)
    ]

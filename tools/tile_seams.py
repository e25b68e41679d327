"""Whether a picture tiles: its joins, where copies laid edge to edge meet, against the same
statistics between neighbouring columns (rows) inside it (issue 22).

    python -m tools.tile_seams IMAGE ...

For each direction two statistics, each measured at the join (the last column beside the
first) and at the places inside that lie where the join lies on VGG19's pooling grid
(column 16k - 1 beside 16k: GRID):

- gradient: the mean absolute difference of the two neighbouring columns' pixels;
- colour: the difference of the mean colours of the BAND px on either side.

Only places on the join's footing: the poolings make the pixel steps between columns
4k - 1 and 4k some 40% larger than elsewhere in any picture the network made (measured on
128 px textures, bench/RESULTS.md), and a join is one of those. A join is seamless when
each of its statistics lies within the spread of the inside's: no more than their mean
plus SPREAD standard deviations. A picture whose edges do not match shows a join far
outside it (a step in colour and a line of large differences).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

BAND = 8  # px either side of a place for its mean colour: a stripe an eye sees as one
GRID = 16  # VGG19's pooling grid, px: four 2x2 poolings (nst.objective.tile_plan)
SPREAD = 3.0  # standard deviations above the inside's mean that a join may lie


def _steps(image: np.ndarray, band: int) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Along the columns of ``image`` (H, W, C): the inside's gradient and colour steps
    (one per place j, j + 1) and the join's two."""
    pixels = image.astype(np.float64)
    width = pixels.shape[1]
    gradient = np.abs(np.diff(pixels, axis=1)).mean(axis=(0, 2))
    join_gradient = float(np.abs(pixels[:, 0] - pixels[:, -1]).mean())
    means = pixels.mean(axis=0)  # (W, C): each column's mean colour
    ring = np.concatenate([means[-band:], means, means[:band]])  # the tiling's neighbours
    left = [ring[j + 1 : j + 1 + band].mean(0) for j in range(width)]
    right = [ring[j + 1 + band : j + 1 + 2 * band].mean(0) for j in range(width)]
    colour = np.abs(np.array(left) - np.array(right)).mean(axis=1)
    # Place j lies between column j and j + 1; the last, W - 1, is the join. Its pixel
    # steps against the places on its footing on the grid; its band means against every
    # place whose bands lie inside (a band's mean spans the grid's phases).
    places = np.arange(width - 1)
    same = places[(width - 1 - places) % GRID == 0]
    return gradient[same], colour[band - 1 : width - band], join_gradient, float(colour[width - 1])


def seam_stats(image: np.ndarray, band: int = BAND) -> dict[str, float]:
    """Per direction ("columns": the left and right edges meet; "rows": top and bottom),
    the join's gradient and colour steps and the inside's limit for each."""
    stats: dict[str, float] = {}
    for direction, view in (("columns", image), ("rows", np.swapaxes(image, 0, 1))):
        gradient, colour, join_gradient, join_colour = _steps(view, band)
        stats[f"{direction}_join_gradient"] = join_gradient
        stats[f"{direction}_inside_gradient"] = float(gradient.mean() + SPREAD * gradient.std())
        stats[f"{direction}_join_colour"] = join_colour
        stats[f"{direction}_inside_colour"] = float(colour.mean() + SPREAD * colour.std())
    return stats


def seamless(stats: dict[str, float]) -> bool:
    """Whether every join statistic lies within the inside's spread."""
    return all(
        stats[f"{d}_join_{k}"] <= stats[f"{d}_inside_{k}"]
        for d in ("columns", "rows")
        for k in ("gradient", "colour")
    )


def tiled(image: np.ndarray, across: int = 2, down: int = 2) -> np.ndarray:
    """``image`` laid ``across`` x ``down`` times edge to edge."""
    return np.tile(image, (down, across, 1))


def main(argv: list[str] | None = None) -> int:
    from PIL import Image

    parser = argparse.ArgumentParser(prog="python -m tools.tile_seams", description=__doc__)
    parser.add_argument("images", nargs="+")
    args = parser.parse_args(argv)
    for path in args.images:
        stats = seam_stats(np.asarray(Image.open(path).convert("RGB")))
        words = ", ".join(f"{k} {v:.2f}" for k, v in stats.items())
        print(f"{path}: {'seamless' if seamless(stats) else 'seams'}; {words}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

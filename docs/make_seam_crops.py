"""The README's seam crops: two 100% crops of a result whose last stage ran in tiles, each
centred where tile borders cross, with red ticks on the crop's edges marking the borders.

    python docs/make_seam_crops.py RESULT.png TILE OUT.png

TILE is the last stage's tile in px (the progress says it: "... px in 9 tiles", and the
tiles start at 0, TILE, 2 TILE ...); the result must be at that stage's size (no
--work-size). No scaling: one pixel of the crop is one pixel of the result.
"""

from __future__ import annotations

import sys

from PIL import Image, ImageDraw

CROP = 320  # px of the result shown per crop
GAP = 16  # px between the crops
TICK = 10  # px of the red marks on the crops' edges


def crops(result: Image.Image, tile: int) -> list[tuple[Image.Image, int, int]]:
    """The crops at the first two crossings of tile borders along the top row of
    crossings: (crop, border x in the crop, border y in the crop)."""
    made = []
    for column in (1, 2):
        x, y = column * tile, tile
        if x >= result.width or y >= result.height:
            continue
        left = min(max(0, x - CROP // 2), result.width - CROP)
        top = min(max(0, y - CROP // 2), result.height - CROP)
        made.append((result.crop((left, top, left + CROP, top + CROP)), x - left, y - top))
    return made


def main(path: str, tile: str, out: str) -> int:
    result = Image.open(path).convert("RGB")
    pieces = crops(result, int(tile))
    cell = CROP + 2 * TICK  # a crop and the margins its ticks are drawn in
    sheet = Image.new("RGB", (len(pieces) * (cell + GAP) - GAP, cell), "white")
    draw = ImageDraw.Draw(sheet)
    red = (220, 30, 30)
    for index, (piece, x, y) in enumerate(pieces):
        left = index * (cell + GAP)
        sheet.paste(piece, (left + TICK, TICK))
        x, y = left + TICK + x, TICK + y  # the borders, in the sheet
        draw.line([(x, 0), (x, TICK - 2)], fill=red, width=2)
        draw.line([(x, cell - TICK + 2), (x, cell)], fill=red, width=2)
        draw.line([(left, y), (left + TICK - 2, y)], fill=red, width=2)
        draw.line([(left + cell - TICK + 2, y), (left + cell, y)], fill=red, width=2)
    sheet.save(out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))

"""Put a content photo and a result side by side for the README: python docs/make_figure.py
CONTENT RESULT OUT.png [STYLE]. The result must be one the project made (python -m nst)."""

from __future__ import annotations

import sys

from PIL import Image

GAP = 8  # px of white between the panels


def side_by_side(paths: list[str], height: int = 384) -> Image.Image:
    panels = []
    for path in paths:
        image = Image.open(path).convert("RGB")
        width = round(image.width * height / image.height)
        panels.append(image.resize((width, height), Image.LANCZOS))
    total = sum(p.width for p in panels) + GAP * (len(panels) - 1)
    sheet = Image.new("RGB", (total, height), "white")
    x = 0
    for panel in panels:
        sheet.paste(panel, (x, 0))
        x += panel.width + GAP
    return sheet


if __name__ == "__main__":
    content, result, out, *style = sys.argv[1:]
    side_by_side([content, *style, result]).save(out, optimize=True)

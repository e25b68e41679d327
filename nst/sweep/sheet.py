"""The contact sheet: the cells' images in a grid, the axis names and values on its headers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from nst.sweep.grid import Sweep

MARGIN = 12  # px around the sheet and between the headers and the cells
GAP = 6  # px between cells
BACKGROUND = (255, 255, 255)
INK = (34, 34, 34)
AXIS_INK = (60, 90, 160)  # axis names in blue, values in black: the two read apart
EMPTY = (228, 228, 228)


def sheet_font(cell_size: int, larger: bool = False) -> Any:
    """Pillow's bundled TrueType font (load_default(size=) needs Pillow >= 10.1; the
    project pins 13.0). 1/9 of a cell, 11 to 18 px: readable, and a value like
    'conv1_1-5_1' still fits over a 128 px cell."""
    size = min(18, max(11, cell_size // 9)) + (2 if larger else 0)
    return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class SheetLayout:
    """Where everything goes on a contact sheet (pixels)."""

    width: int
    height: int
    cell: tuple[int, int]  # (width, height) of a cell's box
    column_width: int  # cell box or its header text, whichever is wider
    row_header: int  # width of the row headers (0 with one axis)
    values_y: int  # top of the line of column values (and of the down axis's name)
    top: int  # y of the first row of cells
    left: int  # x of the first column of cells

    def cell_origin(self, row: int, column: int) -> tuple[int, int]:
        """Top-left corner of the cell image at (row, column), 0-based."""
        x = self.left + column * (self.column_width + GAP)
        x += (self.column_width - self.cell[0]) // 2
        return x, self.top + row * (self.cell[1] + GAP)


def _text_width(font: Any, text: str) -> int:
    left, _, right, _ = font.getbbox(text)
    return int(right - left)


def _line_height(font: Any) -> int:
    ascent, descent = font.getmetrics()
    return int(ascent + descent)


def sheet_layout(sweep: Sweep, cell: tuple[int, int]) -> SheetLayout:
    """Top: the across axis's name, then its values over the columns; left: the down
    axis's name over its values, each value beside its row."""
    font, title = sheet_font(sweep.cell_size), sheet_font(sweep.cell_size, larger=True)
    across = sweep.axes[0]
    column_width = max([cell[0]] + [_text_width(font, t) + 8 for t in across.texts()])
    row_header = 0
    if len(sweep.axes) > 1:
        down = sweep.axes[1]
        widths = [_text_width(font, t) for t in down.texts()] + [_text_width(title, down.label)]
        row_header = max(widths) + 16
    grid_width = sweep.columns * column_width + (sweep.columns - 1) * GAP
    # The across axis's name must fit above the columns; a long name widens the sheet.
    grid_width = max(grid_width, _text_width(title, across.label))
    left = MARGIN + row_header
    values_y = MARGIN + _line_height(title) + 6
    top = values_y + _line_height(font) + 6
    width = left + grid_width + MARGIN
    height = top + sweep.rows * cell[1] + (sweep.rows - 1) * GAP + MARGIN
    return SheetLayout(width, height, cell, column_width, row_header, values_y, top, left)


def contact_sheet(
    sweep: Sweep,
    pictures: dict[int, np.ndarray],
    cell: tuple[int, int],
    notes: dict[int, str] | None = None,
) -> Image.Image:
    """The grid of cell images (by cell index) with the axis names and values on the
    headers: across on top, down on the left. A cell with no picture is a grey box with
    its note ("failed") or "not run"."""
    notes = notes or {}
    layout = sheet_layout(sweep, cell)
    sheet = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font, title = sheet_font(sweep.cell_size), sheet_font(sweep.cell_size, larger=True)
    across = sweep.axes[0]
    # anchor "la"/"ma": the text's left/middle at x, its ascender at y (Pillow's anchors)
    draw.text((layout.left, MARGIN), across.label, font=title, fill=AXIS_INK, anchor="la")
    for column, text in enumerate(across.texts()):
        x = layout.left + column * (layout.column_width + GAP) + layout.column_width // 2
        draw.text((x, layout.values_y), text, font=font, fill=INK, anchor="ma")
    if len(sweep.axes) > 1:
        down = sweep.axes[1]
        draw.text((MARGIN, layout.values_y), down.label, font=title, fill=AXIS_INK, anchor="la")
        for row, text in enumerate(down.texts()):
            # right-aligned beside its row, so that each value sits next to its cells
            y = layout.top + row * (cell[1] + GAP) + cell[1] // 2
            draw.text((layout.left - 10, y), text, font=font, fill=INK, anchor="rm")
    for index, c in enumerate(sweep.cells):
        x, y = layout.cell_origin(c.row, c.column)
        picture = pictures.get(index)
        if picture is not None:
            sheet.paste(Image.fromarray(_fit(picture, cell)), (x, y))
        else:
            draw.rectangle((x, y, x + cell[0] - 1, y + cell[1] - 1), fill=EMPTY)
            centre = (x + cell[0] // 2, y + cell[1] // 2)
            draw.text(centre, notes.get(index, "not run"), font=font, fill=INK, anchor="mm")
    return sheet


def _fit(picture: np.ndarray, cell: tuple[int, int]) -> np.ndarray:
    """The picture at the cell's size (it already is, unless a stage plan rounded)."""
    """The picture at the cell's size (it already is, unless a stage plan rounded)."""
    if (picture.shape[1], picture.shape[0]) == cell:
        return picture
    return np.asarray(Image.fromarray(picture).resize(cell, Image.LANCZOS))

"""A contact sheet: pictures in a grid under their headers (a sweep's cells, a batch's
items). The across header's title, then its values over the columns on top; the down
header's title over its values on the left, each value beside its row. A place with no
picture is a grey box with a note ("failed", "not run")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

MARGIN = 12  # px around the sheet and between the headers and the cells
GAP = 6  # px between cells
BACKGROUND = (255, 255, 255)
INK = (34, 34, 34)
AXIS_INK = (60, 90, 160)  # header titles in blue, values in black: the two read apart
EMPTY = (228, 228, 228)


def sheet_font(cell_size: int, larger: bool = False) -> Any:
    """Pillow's bundled TrueType font (load_default(size=) needs Pillow >= 10.1; the
    project pins 13.0). 1/9 of a cell, 11 to 18 px: readable, and a value like
    'conv1_1-5_1' still fits over a 128 px cell."""
    size = min(18, max(11, cell_size // 9)) + (2 if larger else 0)
    return ImageFont.load_default(size=size)


@dataclass(frozen=True)
class Headers:
    """What a sheet's headers say: a title and a value per column, and per row (no down
    title and one empty row value: a single row with no header)."""

    across: str
    columns: tuple[str, ...]
    down: str = ""
    rows: tuple[str, ...] = ("",)


@dataclass(frozen=True)
class SheetLayout:
    """Where everything goes on a contact sheet (pixels)."""

    width: int
    height: int
    cell: tuple[int, int]  # (width, height) of a cell's box
    column_width: int  # cell box or its header text, whichever is wider
    row_header: int  # width of the row headers (0 with no down header)
    values_y: int  # top of the line of column values (and of the down header's title)
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


def sheet_layout(headers: Headers, cell: tuple[int, int], font_basis: int) -> SheetLayout:
    """The layout of a sheet of ``cell`` boxes; ``font_basis``: the px the fonts scale
    with (a cell's longest side)."""
    font, title = sheet_font(font_basis), sheet_font(font_basis, larger=True)
    column_width = max([cell[0]] + [_text_width(font, t) + 8 for t in headers.columns])
    row_header = 0
    if headers.down:
        widths = [_text_width(font, t) for t in headers.rows] + [_text_width(title, headers.down)]
        row_header = max(widths) + 16
    columns, rows = len(headers.columns), len(headers.rows)
    grid_width = columns * column_width + (columns - 1) * GAP
    # The across title must fit above the columns; a long title widens the sheet.
    grid_width = max(grid_width, _text_width(title, headers.across))
    left = MARGIN + row_header
    values_y = MARGIN + _line_height(title) + 6
    top = values_y + _line_height(font) + 6
    width = left + grid_width + MARGIN
    height = top + rows * cell[1] + (rows - 1) * GAP + MARGIN
    return SheetLayout(width, height, cell, column_width, row_header, values_y, top, left)


def grid_sheet(
    headers: Headers,
    pictures: dict[tuple[int, int], np.ndarray],
    cell: tuple[int, int],
    notes: dict[tuple[int, int], str] | None = None,
    font_basis: int | None = None,
) -> Image.Image:
    """Each (row, column)'s picture fitted in a ``cell`` box under the headers; a place
    with none is a grey box with its note ("not run" without one)."""
    notes = notes or {}
    basis = font_basis or max(cell)
    layout = sheet_layout(headers, cell, basis)
    sheet = Image.new("RGB", (layout.width, layout.height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font, title = sheet_font(basis), sheet_font(basis, larger=True)
    # anchor "la"/"ma": the text's left/middle at x, its ascender at y (Pillow's anchors)
    draw.text((layout.left, MARGIN), headers.across, font=title, fill=AXIS_INK, anchor="la")
    for column, text in enumerate(headers.columns):
        x = layout.left + column * (layout.column_width + GAP) + layout.column_width // 2
        draw.text((x, layout.values_y), text, font=font, fill=INK, anchor="ma")
    if headers.down:
        draw.text((MARGIN, layout.values_y), headers.down, font=title, fill=AXIS_INK, anchor="la")
        for row, text in enumerate(headers.rows):
            # right-aligned beside its row, so that each value sits next to its cells
            y = layout.top + row * (cell[1] + GAP) + cell[1] // 2
            draw.text((layout.left - 10, y), text, font=font, fill=INK, anchor="rm")
    for row in range(len(headers.rows)):
        for column in range(len(headers.columns)):
            x, y = layout.cell_origin(row, column)
            picture = pictures.get((row, column))
            if picture is not None:
                fitted = _fit(picture, cell)
                offset = ((cell[0] - fitted.width) // 2, (cell[1] - fitted.height) // 2)
                sheet.paste(fitted, (x + offset[0], y + offset[1]))
            else:
                draw.rectangle((x, y, x + cell[0] - 1, y + cell[1] - 1), fill=EMPTY)
                centre = (x + cell[0] // 2, y + cell[1] // 2)
                note = notes.get((row, column), "not run")
                draw.text(centre, note, font=font, fill=INK, anchor="mm")
    return sheet


def _fit(picture: np.ndarray, cell: tuple[int, int]) -> Image.Image:
    """The picture scaled to fit the cell, its proportions kept (a sweep's cells already
    have the cell's size unless a stage plan rounded; a batch's results differ)."""
    image = Image.fromarray(picture)
    if image.size == cell:
        return image
    scale = min(cell[0] / image.width, cell[1] / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.LANCZOS)

"""A sweep's contact sheet: its cells in the grid of nst.imaging.sheet, the axis names and
values on the headers (the first axis across, the second down)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from nst.imaging.sheet import Headers, SheetLayout, grid_sheet, sheet_layout
from nst.sweep.grid import Sweep


def sweep_headers(sweep: Sweep) -> Headers:
    across = sweep.axes[0]
    if len(sweep.axes) == 1:
        return Headers(across.label, tuple(across.texts()))
    down = sweep.axes[1]
    return Headers(across.label, tuple(across.texts()), down.label, tuple(down.texts()))


def layout_of(sweep: Sweep, cell: tuple[int, int]) -> SheetLayout:
    return sheet_layout(sweep_headers(sweep), cell, sweep.cell_size)


def contact_sheet(
    sweep: Sweep,
    pictures: dict[int, np.ndarray],
    cell: tuple[int, int],
    notes: dict[int, str] | None = None,
) -> Image.Image:
    """The cells' images (by cell index) under the axes' headers; a cell with no picture
    is a grey box with its note ("failed") or "not run"."""
    notes = notes or {}
    places = [(c.row, c.column) for c in sweep.cells]
    return grid_sheet(
        sweep_headers(sweep),
        {places[i]: picture for i, picture in pictures.items()},
        cell,
        {places[i]: note for i, note in notes.items()},
        font_basis=sweep.cell_size,
    )

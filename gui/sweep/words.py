"""How the Sweep tab words a cell for people: the settings' labels (the table's, or the
axis's own for a layer's weight or a layer set) and numbers as the window writes them;
field names and "style_weight=100" are for recipes and file names."""

from __future__ import annotations

from typing import Any

from gui.labels import FIELD_LABELS
from nst.settings.text import number_text
from nst.sweep.axes import axis_label, value_text
from nst.sweep.grid import Cell


def value_words(value: Any) -> str:
    """A cell's value as the window writes numbers (nst.settings.text.number_text)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    return value_text(value)


def cell_words(cell: Cell) -> str:
    """'Style weight 100, Optimizer adam': labels for people (field names are for recipes)."""
    return ", ".join(
        f"{FIELD_LABELS.get(name) or axis_label(name).capitalize()} {value_words(value)}"
        for name, value in cell.values
    )

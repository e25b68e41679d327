"""How the Sweep tab words a cell for people: the settings' labels (the table's, or the
axis's own for a layer's weight or a layer set) and numbers as the window writes them;
field names and "style_weight=100" are for recipes and file names."""

from __future__ import annotations

from typing import Any

from gui.labels import FIELD_LABELS
from nst.run.clock import clock_text
from nst.settings.text import number_text
from nst.sweep.axes import axis_label, value_text
from nst.sweep.grid import Cell, Sweep
from nst.sweep.runner import CellStep


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


def step_words(sweep: Sweep, event: CellStep, elapsed: float) -> str:
    """'Cell 2 of 4 (Style weight 100) · step 3 of 10 · 0:12 left' (cells one by one)."""
    p = event.progress
    done_steps = sum(c.settings.iterations for c in sweep.cells[: event.index])
    total_steps = sum(c.settings.iterations for c in sweep.cells)
    steps = done_steps + p.step
    left = elapsed / steps * (total_steps - steps) if steps else 0.0
    return (
        f"Cell {event.index + 1} of {event.count} ({cell_words(event.cell)}) · step {p.step} "
        f"of {p.total} · {clock_text(left)} left"
    )


def done_words(done: int, count: int, elapsed: float) -> str:
    """'2 of 4 cells done · 0:30 left' (cells side by side, on a Ray cluster)."""
    left = elapsed / done * (count - done) if done else 0.0
    return f"{done} of {count} cells done · {clock_text(left)} left"

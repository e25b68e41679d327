"""A sweep's grid: the base run, one or two axes, and every cell's checked settings."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from nst.settings import MAX_SIZE, MIN_SIZE, Settings, field_spec
from nst.sweep.axes import Axis, SweepError, cell_settings, name_key, value_text

# 128 px: a step costs about 1/16 of a 512 px step (the convolutions scale with the
# pixels), and the painting's colours and the scale of its strokes are still plain to see.
CELL_SIZE = 128
# Steps per cell when none are asked for. Measured at 128 px, default settings, on
# tubingen/starry_night: total loss 1.65 after 10 L-BFGS steps, 1.12 after 40, 1.02 after
# 100, 1.00 after 150; past 100 steps a cell changes little.
SWEEP_ITERATIONS = 100
MAX_AXES = 2  # a contact sheet has two directions: one axis across, one down


@dataclass(frozen=True)
class Cell:
    """One run of the grid: its place (0-based), the axis values it has, its settings."""

    row: int
    column: int
    values: tuple[tuple[str, Any], ...]  # (axis name, value) per axis, across first
    settings: Settings

    @property
    def stem(self) -> str:
        """File-name stem: 'r1c2_style_weight-10_layer_set-conv1_1-3_1'."""
        parts = [f"{name_key(name)}-{value_text(value)}" for name, value in self.values]
        return f"r{self.row + 1}c{self.column + 1}_" + "_".join(parts)

    def describe(self) -> str:
        """'style_weight=10, layer_set=conv1_1-3_1'."""
        return ", ".join(f"{name}={value_text(value)}" for name, value in self.values)


def cell_base(base: Settings, cell_size: int) -> Settings:
    """What every cell shares: ``base`` at ``cell_size`` px, by the Gatys method.

    The style size keeps its proportion to the working size, so the strokes have the
    same size relative to the picture as in a full-size run. Extra style images belong
    to the instant method, which a sweep does not run.
    """
    style_size = None
    if base.style_size is not None:
        scaled = round(base.style_size * cell_size / base.resolved_work_size)
        style_size = min(MAX_SIZE, max(MIN_SIZE, scaled))
    return base.replace(
        size=cell_size, work_size=None, style_size=style_size, method="gatys", extra_styles=()
    )


def full_size_settings(cell: Settings, target: Settings, varied: Sequence[str] = ()) -> Settings:
    """A cell's settings for a full-size run: the cell's values with the size, working
    size, style size and iterations of ``target`` (the window's or the base's), except
    those the sweep varied."""
    changes = {
        name: getattr(target, name)
        for name in ("size", "work_size", "style_size", "iterations")
        if name not in varied
    }
    return cell.replace(**changes)


class Sweep:
    """A base run and one or two axes; builds and checks every cell's settings."""

    def __init__(self, base: Settings, axes: Sequence[Axis], cell_size: int = CELL_SIZE) -> None:
        if not axes:
            raise SweepError("Choose at least one setting to vary.")
        if len(axes) > MAX_AXES:
            raise SweepError(
                f"A sweep varies at most {MAX_AXES} settings (one across, one down); "
                f"not {len(axes)}."
            )
        names = [axis.name for axis in axes]
        if len(set(names)) < len(names):
            raise SweepError(f"{names[0]} is varied twice; vary two different settings.")
        if {"ratio", "style_weight"} <= set(names):
            raise SweepError(
                "ratio and style_weight both set the style weight; vary only one of them."
            )
        if (
            isinstance(cell_size, bool)
            or not isinstance(cell_size, int)
            or not (MIN_SIZE <= cell_size <= MAX_SIZE)
        ):
            raise SweepError(
                f"The cell size must be a whole number of pixels from {MIN_SIZE} to "
                f"{MAX_SIZE}, not {cell_size!r}."
            )
        missing = [field_spec(name).label.lower() for name in base.missing_inputs()]
        if missing:
            raise SweepError(f"To sweep, choose a {' and a '.join(missing)}.")
        self.base = base
        self.axes = tuple(axes)
        self.cell_size = cell_size
        shared = cell_base(base, cell_size)
        self.cells = [
            Cell(row, column, values, cell_settings(shared, values))
            for row, column, values in self._grid()
        ]

    def _grid(self) -> Iterator[tuple[int, int, tuple[tuple[str, Any], ...]]]:
        across = self.axes[0]
        down = self.axes[1] if len(self.axes) > 1 else None
        for row in range(len(down.values) if down else 1):
            for column, value in enumerate(across.values):
                values = ((across.name, value),)
                if down:
                    values += ((down.name, down.values[row]),)
                yield row, column, values

    @property
    def columns(self) -> int:
        return len(self.axes[0].values)

    @property
    def rows(self) -> int:
        return len(self.axes[1].values) if len(self.axes) > 1 else 1

    @property
    def varied(self) -> tuple[str, ...]:
        """The Settings fields the axes change (a layer's weight changes its list)."""
        fields = []
        for axis in self.axes:
            if axis.name == "layer_set":
                fields.append("style_layers")
            elif axis.name == "ratio":
                fields.append("style_weight")
            else:
                fields.append(axis.name.split(".")[0])
        return tuple(fields)

    def full_size(self, cell: Cell, target: Settings | None = None) -> Settings:
        """``cell`` at the size (and length) of ``target``, by default the base run's."""
        return full_size_settings(cell.settings, target or self.base, self.varied)

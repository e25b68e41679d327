"""Sweeps: a grid of small runs that differ in one or two settings, side by side.

    axes = [parse_axis("style_weight=1,10,100"), parse_axis("layer_set=conv1_1,conv1_1-5_1")]
    sweep = Sweep(base, axes, cell_size=128)  # checks every cell's settings
    run = SweepRun(sweep, "results")
    for event in run.events():      # CellStep after each step, CellDone after each cell
        ...                         # run.stop() from any thread ends it within a step
    run.sheet_path                  # results/sweep_tubingen_starry_night_001/contact_sheet.png

An axis is a setting's name and its values. The first axis runs across the contact sheet
(columns), the second down (rows). Names an axis may take:

- any Settings field holding one number, word or switch (``style_weight``, ``tv_weight``,
  ``learning_rate``, ``optimizer``, ``iterations``, ``init``, ``seed``, ``colour``, ...),
  found from the dataclass's own field types, so a field added later is sweepable as it is;
  a few are not (NOT_SWEPT says why);
- ``style_layers.block3_conv1`` / ``content_layers.block4_conv2``: one layer's weight
  (the layer is added to the base's list if it is not there);
- ``layer_set``: the style layers as one of LAYER_SETS, each layer weighted 1;
- ``ratio``: style weight over content weight; a cell's style_weight is the ratio times
  its content_weight. With the default content_weight of 1 it is the same as sweeping
  style_weight. It differs when content_weight is not 1 or is swept too: the balance
  stays fixed while the overall scale changes, which matters to SGD and Adadelta (whose
  step grows with the gradient) and not to Adam or L-BFGS (nearly scale-free).

Every cell is a normal Gatys run at ``cell_size`` px, saved with ``images.save_result``
(PNG + JSON recipe) in a new folder ``<output>/sweep_<content>_<style>_NNN/``, beside
``contact_sheet.png`` (the grid with the values on its headers) and ``sweep.json`` (the
axes, each cell's files and final losses). The images and the VGG19 weights are loaded
once for all cells, and cells with the same layers reuse the compiled loss
(transfer.loss_function). Re-rendering a cell at full size is a normal run of its recipe
with the size replaced (``full_size_settings``; on the command line
``python -m nst --config CELL.json --size 512 --output-dir DIR``).

TensorFlow is imported only when a sweep runs, so the window can import this module.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from nst.errors import ImageError, NstError, RunError
from nst.imaging import images
from nst.settings import (
    COLOURS,
    INITS,
    MAX_SIZE,
    MIN_SIZE,
    OPTIMIZERS,
    PRECISIONS,
    Settings,
    SettingsError,
    field_names,
)
from nst.vgg.layers import CONV_LAYERS, PAPER_STYLE_LAYERS

log = logging.getLogger(__name__)

# 128 px: a step costs about 1/16 of a 512 px step (the convolutions scale with the
# pixels), and the painting's colours and the scale of its strokes are still plain to see.
CELL_SIZE = 128
# Steps per cell when none are asked for. Measured at 128 px, default settings, on
# tubingen/starry_night: total loss 1.65 after 10 L-BFGS steps, 1.12 after 40, 1.02 after
# 100, 1.00 after 150; past 100 steps a cell changes little.
SWEEP_ITERATIONS = 100
# Values per axis: the 16 conv layers are the longest list anyone needs to step through.
MAX_VALUES = 16
MAX_AXES = 2

# Named style-layer sets. The five "conv1_1..." sets are Gatys et al. 2016, fig. 3 (after
# Gatys et al. 2015, "Texture synthesis using CNNs", fig. 1): the style taken from conv1_1
# alone, then from conv1_1 and conv2_1, ... up to conv1_1 ... conv5_1 (the paper's
# default): ever larger and more abstract structures. "conv1_2-5_2": the second conv of
# each block instead; "all": every conv layer. Each layer is weighted 1, as in the paper.
LAYER_SETS: dict[str, tuple[str, ...]] = {
    "conv1_1": ("block1_conv1",),
    "conv1_1-2_1": ("block1_conv1", "block2_conv1"),
    "conv1_1-3_1": ("block1_conv1", "block2_conv1", "block3_conv1"),
    "conv1_1-4_1": ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1"),
    "conv1_1-5_1": tuple(PAPER_STYLE_LAYERS),
    "conv1_2-5_2": ("block1_conv2", "block2_conv2", "block3_conv2", "block4_conv2",
                    "block5_conv2"),
    "all": CONV_LAYERS,
}  # fmt: skip

# Settings fields that hold one value but are not offered as axes, and why.
NOT_SWEPT: dict[str, str] = {
    "content": "a sweep restyles one photo; run one sweep per photo",
    "style": "a sweep uses one painting; run one sweep per painting",
    "weights": "the weights are loaded once for the whole sweep",
    "method": "a sweep compares runs of the optimization (the Gatys method)",
    "size": "every cell has the cell size; re-render a cell to get it large",
    "work_size": "every cell is optimized at the cell size",
    "style_size": "the style size follows the cell size",
    "preview_every": "it changes nothing in the result",
    # Both of these would render the same picture in every cell of a sweep's Gatys runs:
    "style_strength": "it is the instant method's blend; for the optimization's strength "
    "sweep ratio or style_weight",
    "texture_aspect": "it shapes a texture, and a sweep restyles a photo",
}

# The values a text setting can take (the settings module's own lists).
CHOICES: dict[str, tuple[str, ...]] = {
    "optimizer": OPTIMIZERS,
    "init": INITS,
    "colour": COLOURS,
    "precision": PRECISIONS,
}

# Names in the order the window lists them: the usual experiments first.
FIRST_NAMES = ("style_weight", "content_weight", "tv_weight", "ratio", "layer_set",
               "learning_rate", "optimizer", "iterations")  # fmt: skip

# How the sheet and the window name an axis ("style weight"); others: the name, spaced.
LABELS: dict[str, str] = {
    "ratio": "style : content",
    "layer_set": "style layers",
    "tv_weight": "smoothness (TV) weight",
    "init": "start from",
    "colour": "colours",
    "colour_strength": "photo's colours",
    "stages": "coarse-to-fine stages",
}

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


class SweepError(NstError):
    """An axis or a sweep cannot be used; the message names the setting and what to do."""


# --------------------------------------------------------------------------- axes


@dataclass(frozen=True)
class Axis:
    """One swept setting and its values, in the order they are shown."""

    name: str
    values: tuple[Any, ...]

    @property
    def label(self) -> str:
        return axis_label(self.name)

    def texts(self) -> list[str]:
        return [value_text(v) for v in self.values]


def short_layer(layer: str) -> str:
    """Keras's 'block4_conv2' as the paper writes it: 'conv4_2'."""
    block, conv = layer.replace("block", "").split("_conv")
    return f"conv{block}_{conv}"


def axis_label(name: str) -> str:
    """How a sheet header names an axis: 'style weight', 'style weight of conv3_1'."""
    if "." in name:
        kind, layer = name.split(".", 1)
        return f"{kind.split('_')[0]} weight of {short_layer(layer)}"
    return LABELS.get(name, name.replace("_", " "))


def value_text(value: Any) -> str:
    """A value as the sheet and file names show it: 10, 0.5, 1e-05, adam, default."""
    if value is None:
        return "default"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _field_kind(name: str) -> tuple[str, bool] | None:
    """('float'|'int'|'str'|'bool', may be None) for a one-value Settings field, else None.

    Read from the dataclass's annotation ('float | None'), so that a field added to
    Settings later is sweepable without a change here.
    """
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    if name not in fields:
        return None
    annotation = fields[name].type
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    parts = {part.strip() for part in text.split("|")}
    optional = "None" in parts
    parts.discard("None")
    if len(parts) == 1 and (kind := parts.pop()) in ("float", "int", "str", "bool"):
        return kind, optional
    return None


def sweepable_names() -> list[str]:
    """Every name an axis may take: the usual ones first, then other fields, then layers."""
    fields = [n for n in field_names() if n not in NOT_SWEPT and _field_kind(n) is not None]
    names = [n for n in FIRST_NAMES if n in fields or n in ("ratio", "layer_set")]
    names += [n for n in fields if n not in names]
    names += [f"style_layers.{layer}" for layer in CONV_LAYERS]
    names += [f"content_layers.{layer}" for layer in CONV_LAYERS]
    return names


def check_name(name: str) -> None:
    """SweepError unless ``name`` can be swept; the message lists what can."""
    if name in sweepable_names():
        return
    if name in NOT_SWEPT:
        raise SweepError(f"{name} cannot be swept: {NOT_SWEPT[name]}.")
    if name.startswith(("style_layers.", "content_layers.")):
        layer = name.split(".", 1)[1]
        raise SweepError(
            f"{name}: {layer!r} is not a VGG19 conv layer; the layers are {', '.join(CONV_LAYERS)}."
        )
    plain = [n for n in sweepable_names() if "." not in n]
    raise SweepError(
        f"{name!r} is not a setting a sweep can vary; choose one of {', '.join(plain)}, "
        "or one layer's weight as style_layers.LAYER or content_layers.LAYER."
    )


def parse_value(name: str, text: str) -> Any:
    """One value of axis ``name`` from its text; SweepError naming the value if it is bad."""
    text = text.strip()
    if name == "layer_set":
        if text not in LAYER_SETS:
            raise SweepError(
                f"layer_set: {text!r} is not a layer set; the sets are {', '.join(LAYER_SETS)}."
            )
        return text
    if name == "ratio" or "." in name:
        kind, optional = "float", False
    else:
        kind, optional = _field_kind(name) or ("str", False)
    if optional and text.lower() == "default":
        return None
    try:
        if kind == "float":
            return float(text)
        if kind == "int":
            number = float(text)
            if not number.is_integer():
                raise ValueError(text)
            return int(number)
    except (ValueError, OverflowError):
        what = "a number" if kind == "float" else "a whole number"
        raise SweepError(
            f"{name}: {text!r} is not {what}; give values separated by commas, "
            f"e.g. {name}={','.join(value_text(v) for v in example_values(name))}."
        ) from None
    if kind == "bool":
        if text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE
        raise SweepError(f"{name}: {text!r} is not on or off; give true or false.")
    if name in CHOICES and text not in CHOICES[name]:
        raise SweepError(f"{name}: {text!r} is not one of {', '.join(CHOICES[name])}.")
    return text


def make_axis(name: str, values_text: str) -> Axis:
    """An axis from a name and its values as text, "1, 10, 100"; SweepError if bad."""
    name = name.strip()
    check_name(name)
    parts = [part.strip() for part in values_text.split(",")]
    if not any(parts):
        raise SweepError(
            f"{name}: give its values separated by commas, e.g. {name}="
            f"{','.join(value_text(v) for v in example_values(name))}."
        )
    if "" in parts:
        raise SweepError(
            f"{name}: an empty value in {values_text.strip()!r}; remove the extra comma."
        )
    if len(parts) > MAX_VALUES:
        raise SweepError(f"{name}: {len(parts)} values; give at most {MAX_VALUES}.")
    values = tuple(parse_value(name, part) for part in parts)
    repeated = sorted({value_text(v) for v in values if values.count(v) > 1})
    if repeated:
        raise SweepError(f"{name}: {', '.join(repeated)} is given twice; give each value once.")
    return Axis(name, values)


def parse_axis(text: str) -> Axis:
    """'style_weight=1,10,100' -> Axis('style_weight', (1.0, 10.0, 100.0))."""
    name, sep, values = text.partition("=")
    if not sep or not name.strip():
        raise SweepError(
            f"{text.strip()!r} is not NAME=VALUE,VALUE,...; e.g. style_weight=1,10,100."
        )
    return make_axis(name, values)


def example_values(name: str, base: Settings | None = None) -> list[Any]:
    """Values worth trying for axis ``name`` around ``base``'s own (the window's prefill).

    Weights: a tenth, the same, ten times (a weight matters by orders of magnitude);
    learning rate and whole numbers: half, the same, twice; words: every choice. Values
    that would make an invalid run (a strength above 1, say) are left out.
    """
    base = base or Settings()
    valid = []
    for value in _candidates(name, base):
        try:
            cell_settings(base, [(name, value)])
        except SweepError:
            continue
        valid.append(value)
    return valid


def _candidates(name: str, base: Settings) -> list[Any]:
    if name == "layer_set":
        return [n for n in LAYER_SETS if n.startswith("conv1_1")]
    if "." in name:
        field, layer = name.split(".", 1)
        weight = getattr(base, field).get(layer, 0.0) or 1.0
        return [0.0, weight / 2, weight, weight * 2]
    if name == "ratio":
        return _tenfold(base.style_weight / base.content_weight if base.content_weight else 10.0)
    if name == "learning_rate":
        rate = base.resolved_learning_rate
        return [rate / 2, rate, rate * 2]
    if name in CHOICES:
        return list(CHOICES[name])
    kind = _field_kind(name)
    value = getattr(base, name, None)
    if kind is None:
        return []
    if kind[0] == "bool":
        return [False, True]
    if kind[0] == "int":
        if value is None:  # automatic ("default"), then the first whole numbers
            return [None, 1, 2, 3]
        return [0, 1, 2] if value == 0 else sorted({max(1, value // 2), value, value * 2})
    if kind[0] == "float":
        return _tenfold(float(value or 0.0))
    return [value] if value is not None else []


def _tenfold(value: float) -> list[float]:
    if value == 0:
        return [0.0, 0.1, 1.0]
    return [value / 10, value, value * 10]


# --------------------------------------------------------------------------- cells


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
        parts = [f"{_name_key(name)}-{value_text(value)}" for name, value in self.values]
        return f"r{self.row + 1}c{self.column + 1}_" + "_".join(parts)

    def describe(self) -> str:
        """'style_weight=10, layer_set=conv1_1-3_1'."""
        return ", ".join(f"{name}={value_text(value)}" for name, value in self.values)


def _name_key(name: str) -> str:
    if "." in name:
        kind, layer = name.split(".", 1)
        return f"{kind.split('_')[0]}_{short_layer(layer)}"
    return name


# Order in which axis values are applied to a cell, so that two axes combine the same way
# whichever runs across: plain fields, then the layer set, then one layer's weight (within
# the set), then the ratio (times the cell's content weight).
def _apply_order(name: str) -> int:
    if name == "ratio":
        return 3
    if "." in name:
        return 2
    return 1 if name == "layer_set" else 0


def cell_settings(base: Settings, values: Sequence[tuple[str, Any]]) -> Settings:
    """``base`` with the axis values applied; SweepError naming the value if not allowed."""
    changes: dict[str, Any] = {}
    for name, value in sorted(values, key=lambda item: _apply_order(item[0])):
        if name == "layer_set":
            changes["style_layers"] = dict.fromkeys(LAYER_SETS[value], 1.0)
        elif "." in name:
            field, layer = name.split(".", 1)
            layers = dict(changes.get(field, getattr(base, field)))
            layers[layer] = value
            changes[field] = layers
        elif name == "ratio":
            changes["style_weight"] = value * changes.get("content_weight", base.content_weight)
        else:
            changes[name] = value
    try:
        return base.replace(**changes)
    except SettingsError as exc:
        given = ", ".join(f"{name}={value_text(value)}" for name, value in values)
        raise SweepError(f"{given}: {exc}.") from None


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
        missing = base.missing_inputs()
        if missing:
            raise SweepError(f"To sweep, {' and '.join(missing)}.")
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


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class CellStep:
    """A step of the cell in progress (``progress`` is a transfer.Progress)."""

    cell: Cell
    index: int  # 0-based, in the order cells are rendered (row by row)
    count: int
    progress: Any


@dataclass(frozen=True)
class CellDone:
    """A finished cell: its image and files, or the one sentence why it failed."""

    cell: Cell
    index: int
    count: int
    image: np.ndarray | None
    path: Path | None
    losses: dict[str, float]
    steps: int
    duration: float
    error: str = ""


class SweepRun:
    """Renders a Sweep's cells one after another into a new folder.

    ``stop`` may be called from any thread: the cell in progress ends after its current
    step and is not kept (a half-optimized cell would misrepresent its values); the
    contact sheet and sweep.json then hold the cells finished so far.
    """

    def __init__(
        self,
        sweep: Sweep,
        output_dir: str | os.PathLike[str],
        *,
        content_image: np.ndarray | None = None,
        style_image: np.ndarray | None = None,
        weights: Any = None,
    ) -> None:
        self.sweep = sweep
        self.output_dir = output_dir
        self.content_image = content_image
        self.style_image = style_image
        self.weights = weights
        self.folder: Path | None = None
        self.sheet_path: Path | None = None
        self.index_path: Path | None = None
        self.done: dict[int, CellDone] = {}
        self.stopped = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._session: Any = None
        self.created = time.strftime("%Y-%m-%dT%H:%M:%S%z")

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            session = self._session
        if session is not None:
            session.stop()

    def prepare(self) -> None:
        """Read the images and weights (once for every cell), then make the folder."""
        if self.folder is not None:
            return
        base = self.sweep.base
        target = images.check_output_dir(self.output_dir)
        if self.content_image is None:
            self.content_image = images.load_image(base.content, role="content image")
        if self.style_image is None:
            self.style_image = images.load_image(base.style, role="style image")
        if self.weights is None:
            from nst.vgg.weights import load_weights

            self.weights = load_weights(base.weights)
        self.folder = new_sweep_folder(target, images.result_stem(base.content, base.style))

    @property
    def cell_dims(self) -> tuple[int, int]:
        """(width, height) of a cell, from the content image's proportions."""
        assert self.content_image is not None
        height, width = self.content_image.shape[:2]
        return scaled_dims(width, height, self.sweep.cell_size)

    def events(self) -> Iterator[CellStep | CellDone]:
        """Render every cell; the contact sheet and sweep.json are written at the end,
        also when stopped or interrupted."""
        self.prepare()
        try:
            yield from self._cells()
        finally:
            self.finish()

    def _cells(self) -> Iterator[CellStep | CellDone]:
        from nst.run.session import Transfer  # TensorFlow: only now, on the caller's thread

        count = len(self.sweep.cells)
        for index, cell in enumerate(self.sweep.cells):
            if self._stop.is_set():
                break
            session = Transfer(
                cell.settings,
                content_image=self.content_image,
                style_image=self.style_image,
                weights=self.weights,
            )
            with self._lock:
                self._session = session
            try:
                for progress in session.steps():
                    yield CellStep(cell, index, count, progress)
                    if self._stop.is_set():
                        break
            except RunError as exc:
                # One cell's NaN (too high a learning rate, say) is a finding of the sweep,
                # not the end of it: the sheet shows it, the other cells still run.
                log.info("cell %s failed: %s", cell.describe(), exc)
                done = CellDone(cell, index, count, None, None, {}, 0, 0.0, str(exc))
            else:
                if self._stop.is_set():
                    break
                done = self._save(session.result(), cell, index, count)
            finally:
                with self._lock:
                    self._session = None
            self.done[index] = done
            self._write_index()
            yield done

    def _save(self, result: Any, cell: Cell, index: int, count: int) -> CellDone:
        assert self.folder is not None
        recipe = result.recipe()
        recipe["sweep"] = {
            "index_file": INDEX_NAME,
            "row": cell.row + 1,
            "column": cell.column + 1,
            "values": {name: value for name, value in cell.values},
        }
        path = images.save_result(result.image, self.folder, cell.stem, recipe)
        return CellDone(
            cell, index, count, result.image, path, dict(result.losses), result.steps,
            result.duration,
        )  # fmt: skip

    def finish(self) -> None:
        """Write the contact sheet and sweep.json (idempotent)."""
        if self.folder is None or self.sheet_path is not None:
            return
        # Stopped, interrupted or failed part-way: the sheet holds fewer cells than the grid.
        self.stopped = len(self.done) < len(self.sweep.cells)
        pictures = {i: d.image for i, d in self.done.items() if d.image is not None}
        notes = {i: "failed" for i, d in self.done.items() if d.error}
        sheet = contact_sheet(self.sweep, pictures, self.cell_dims, notes)
        path = self.folder / SHEET_NAME
        _write_atomically(path, lambda fh: sheet.save(fh, format="PNG"))
        self.sheet_path = path
        self._write_index()

    def _write_index(self) -> None:
        assert self.folder is not None
        data = sweep_index(self)
        text = json.dumps(data, indent=2, default=str) + "\n"
        path = self.folder / INDEX_NAME
        _write_atomically(path, lambda fh: fh.write(text.encode("utf-8")))
        self.index_path = path


SHEET_NAME = "contact_sheet.png"
INDEX_NAME = "sweep.json"
_MAX_FOLDERS = 999


def scaled_dims(width: int, height: int, size: int) -> tuple[int, int]:
    """(width, height) with the longest side ``size``, as images.resize_longest makes it."""
    scale = size / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def new_sweep_folder(parent: Path, stem: str) -> Path:
    """A new folder ``sweep_<stem>_NNN`` in ``parent``: never one that exists already
    (os.mkdir fails on an existing name, so two sweeps cannot take the same one)."""
    for counter in range(1, _MAX_FOLDERS + 1):
        folder = parent / f"sweep_{stem}_{counter:03d}"
        try:
            os.mkdir(folder)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ImageError(
                f"The sweep folder '{folder}' cannot be created ({exc.strerror or exc}); "
                "choose an output folder you can write to."
            ) from exc
        return folder
    raise ImageError(
        f"The output folder '{parent}' already holds {_MAX_FOLDERS} sweeps named "
        f"'sweep_{stem}_NNN'; move some away or choose another output folder."
    )


def _write_atomically(path: Path, write: Any) -> None:
    """Write a file of the sweep's own folder through a temporary file and a rename, so
    that sweep.json is never seen half-written (it is rewritten after each cell)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ImageError(
            f"'{path}' could not be written ({exc.strerror or exc}); free some disk space "
            "or choose another output folder."
        ) from exc


def sweep_index(run: SweepRun) -> dict[str, Any]:
    """sweep.json: the axes, the base, and per cell its values, files and final losses."""
    sweep = run.sweep
    cells = []
    for index, cell in enumerate(sweep.cells):
        done = run.done.get(index)
        entry: dict[str, Any] = {
            "row": cell.row + 1,
            "column": cell.column + 1,
            "values": {name: value for name, value in cell.values},
            "file": done.path.name if done and done.path else None,
            "recipe": done.path.with_suffix(".json").name if done and done.path else None,
            "final_losses": done.losses if done else None,
            "steps": done.steps if done else None,
            "duration_s": round(done.duration, 3) if done else None,
        }
        if done and done.error:
            entry["error"] = done.error
        cells.append(entry)
    return {
        "axes": [
            {
                "name": a.name,
                "label": a.label,
                "values": list(a.values),
                "direction": "across" if i == 0 else "down",
            }
            for i, a in enumerate(sweep.axes)
        ],  # fmt: skip
        "cell_size": sweep.cell_size,
        "full_size": sweep.base.size,
        "base_settings": sweep.base.to_dict(),
        "contact_sheet": run.sheet_path.name if run.sheet_path else None,
        "stopped": run.stopped,
        "created": run.created,
        "cells": cells,
    }


# --------------------------------------------------------------------------- the sheet

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
    if (picture.shape[1], picture.shape[0]) == cell:
        return picture
    return np.asarray(Image.fromarray(picture).resize(cell, Image.LANCZOS))

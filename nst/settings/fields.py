"""ONE table of the setting fields: what each field is, in the engine's terms.

Each entry says the field's type, its range or choices, the group it belongs to, the
methods it applies to, its label, whether a sweep may vary it (and why not), whether
History compares it, and whether None means "chosen for you". Every list of fields is
derived from it: the command line's options and their order (nst_cli/options.py, whose
own words are in nst_cli/option_words.py), the simple range and choice checks of
:class:`~nst.settings.model.Settings` (its cross-field checks stay in the dataclass), a
sweep's axes, History's compared and shown fields, the window's labels and the panel that
edits each field. Defaults are not here: the dataclass holds each one, once
(:func:`nst.settings.model.default`).

Adding a setting: a field in the dataclass, one entry here, and its editor in the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import nst.settings.checks as checks
from nst.settings.checks import SettingsError
from nst.settings.constants import (
    COLOURS,
    INITS,
    MAX_ASPECT,
    MAX_ITERATIONS,
    MAX_SIZE,
    MAX_STAGES,
    MAX_STYLE_SCALE,
    METHODS,
    MIN_SIZE,
    MIN_STYLE_SCALE,
    OPTIMIZERS,
    PRECISIONS,
)

# The largest seed NumPy and TensorFlow both take as a plain int32 seed.
MAX_SEED = 2**31 - 1
MIN_INT, MAX_INT = -(2**63), 2**63 - 1  # an int field without a range: any int64

# The groups a field belongs to, in the order the faces list them: what the run works on,
# the method, the style mix, sizes, the optimizer, the loss weights and layers, speed,
# colours, and how the run is carried out (nothing of the picture).
GROUPS: tuple[str, ...] = (
    "images", "method", "style_mix", "size", "optimization", "loss_weights", "layers",
    "speed", "colours", "run",
)  # fmt: skip

# Why the fields of a group cannot change while a run runs (the ``steered`` ones can):
# the run has started from them (nst/settings/changes.py).
NOT_STEERED: dict[str, str] = {
    "images": "the run restyles the images it started with; start a new run",
    "method": "the method is the run itself; start a new run",
    "style_mix": "the style images and their regions are read when the run starts; start a new run",
    "size": "the image being optimized has its size; start a new run",
    "optimization": "the optimizer and its state are the run's own; start a new run",
    "loss_weights": "a run's changes are its plan, given when it starts",
    "layers": "",  # every field of it may change
    "speed": "how the run computes is chosen when it starts; start a new run",
    "colours": "colours are applied to the result when it is saved; start a new run",
    "run": "it is fixed when the run starts; start a new run",
}

ALL = frozenset(METHODS)
OPTIMIZED = frozenset({"gatys", "texture"})  # the methods that run the optimization
GATYS = frozenset({"gatys"})
WITH_PHOTO = frozenset({"gatys", "instant"})  # the methods that restyle a photo


@dataclass(frozen=True)
class FieldSpec:
    """One setting: what it holds, what is allowed, where it belongs."""

    name: str
    # "float", "int", "bool", "choice", "path", or a structured value checked by its own function:
    # "layers" ({layer: weight}), "styles" ([(path, weight)]), "masks" ([path or ""]),
    # "changes" ([(step, name, value)])
    kind: str
    group: str  # one of GROUPS
    methods: frozenset[str]  # the methods the field changes the result of
    label: str  # what people call it ("Working size"); recipes and code use the name
    optional: bool = False  # None is allowed and means "chosen for you" (automatic)
    low: float | None = None
    high: float | None = None
    above: bool = False  # ``low`` itself is not allowed (a rate must be above 0)
    range_words: str = ""  # the range in words, where plain numbers would read oddly
    choices: tuple[str, ...] = ()
    # Why a sweep may not vary it; "" when it may (nst/sweep/)
    not_swept: str = ""
    compared: bool = True  # History compares and shows it (it changes the picture)
    # A run may change it while it runs (nst/settings/changes.py); why not: NOT_STEERED
    steered: bool = False

    @property
    def sweepable(self) -> bool:
        return not self.not_swept

    def check(self, value: Any) -> Any:
        """The value, normalized (ints as floats where a float is meant); SettingsError
        naming the field if it is not allowed. Structured kinds are checked by shape here;
        how they relate to other fields is the dataclass's business."""
        name = self.name
        if value is None and self.optional:
            return None
        if self.kind == "float":
            return self._in_range(checks.number(name, value))
        if self.kind == "int":
            low = MIN_INT if self.low is None else int(self.low)
            high = MAX_INT if self.high is None else int(self.high)
            return checks.int_in(name, value, low, high)
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                allowed = ", ".join(self.choices)
                raise SettingsError(
                    name, f"{checks.short(value)} is not one of {allowed}", value=value
                )
            return value
        if self.kind == "bool":
            return checks.boolean(name, value)
        if self.kind == "path":
            if not isinstance(value, str):
                raise SettingsError(name, "must be a file path", value=value)
            return value
        if self.kind == "layers":
            return checks.layer_weights(name, value)
        if self.kind == "styles":
            return checks.extra_styles(value)
        if self.kind == "changes":
            return checks.changes(value, MAX_ITERATIONS)
        return value  # "masks": their count depends on the styles (Settings.__post_init__)

    def _in_range(self, value: float) -> float:
        low, high = self.low, self.high
        if low is not None and high is not None and not low <= value <= high:
            words = self.range_words or f"between {low:g} and {high:g}"
            raise SettingsError(self.name, f"must be {words}, not {value:g}", value=value)
        if low is not None and high is None:
            if self.above and value <= low:
                raise SettingsError(self.name, f"must be above {low:g}, not {value:g}", value=value)
            if value < low:
                raise SettingsError(
                    self.name, f"must be {low:g} or more, not {value:g}", value=value
                )
        return value


def _weight(name: str, label: str, methods: frozenset[str]) -> FieldSpec:
    """A loss weight: any number from 0 up."""
    return FieldSpec(name, "float", "loss_weights", methods, label, low=0.0, steered=True)


# In the dataclass's order (a test checks it).
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("content", "path", "images", WITH_PHOTO, "Content image",
              not_swept="a sweep restyles one photo; run one sweep per photo"),
    FieldSpec("style", "path", "images", ALL, "Style image",
              not_swept="a sweep uses one painting; run one sweep per painting"),
    FieldSpec("content_layers", "layers", "layers", GATYS, "Content layers",
              not_swept="sweep one layer's weight (content_layers.LAYER) instead", steered=True),
    FieldSpec("style_layers", "layers", "layers", OPTIMIZED, "Style layers",
              not_swept="sweep one layer's weight (style_layers.LAYER) or layer_set instead",
              steered=True),
    _weight("content_weight", "Content weight", GATYS),
    _weight("style_weight", "Style weight", OPTIMIZED),
    _weight("tv_weight", "Smoothness (TV) weight", OPTIMIZED),
    FieldSpec("optimizer", "choice", "optimization", OPTIMIZED, "Optimizer", choices=OPTIMIZERS),
    FieldSpec("learning_rate", "float", "optimization", OPTIMIZED, "Learning rate",
              optional=True, low=0.0, above=True),
    FieldSpec("iterations", "int", "optimization", OPTIMIZED, "Iterations",
              low=1, high=MAX_ITERATIONS),
    FieldSpec("size", "int", "size", ALL, "Output size", low=MIN_SIZE, high=MAX_SIZE,
              not_swept="every cell has the cell size; re-render a cell to get it large"),
    FieldSpec("work_size", "int", "size", OPTIMIZED, "Working size",
              optional=True, low=MIN_SIZE, high=MAX_SIZE,
              not_swept="every cell is optimized at the cell size"),
    FieldSpec("style_size", "int", "size", OPTIMIZED, "Style size",
              optional=True, low=MIN_SIZE, high=MAX_SIZE,
              not_swept="the style size follows the cell size"),
    FieldSpec("style_scale", "float", "size", OPTIMIZED, "Style scale",
              low=MIN_STYLE_SCALE, high=MAX_STYLE_SCALE),
    FieldSpec("init", "choice", "optimization", GATYS, "Start from", choices=INITS),
    FieldSpec("seed", "int", "optimization", OPTIMIZED, "Seed", low=0, high=MAX_SEED),
    FieldSpec("preview_every", "int", "run", OPTIMIZED, "Live preview every",
              low=0, high=MAX_ITERATIONS, compared=False,
              not_swept="it changes nothing in the result"),
    FieldSpec("weights", "path", "run", OPTIMIZED, "Weights file", optional=True,
              not_swept="the weights are loaded once for the whole sweep"),
    FieldSpec("method", "choice", "method", ALL, "Method", choices=METHODS,
              not_swept="a sweep compares runs of the optimization (the Gatys method)"),
    # The optimization's strength is a view of style_weight; this field is the instant
    # network's blend, which the Gatys method uses when it starts from the instant result.
    FieldSpec("style_strength", "float", "style_mix", WITH_PHOTO, "Style strength",
              low=0.0, high=1.0,
              not_swept="it is the instant method's blend; for the optimization's strength "
              "sweep ratio or style_weight"),
    FieldSpec("extra_styles", "styles", "style_mix", ALL, "Extra style images",
              not_swept="a sweep keeps one set of style images", steered=True),
    FieldSpec("style_image_weight", "float", "style_mix", ALL, "Style image weight", low=0.0,
              steered=True),
    FieldSpec("style_masks", "masks", "style_mix", GATYS, "Regions",
              not_swept="regions belong to the style images, which a sweep keeps"),
    FieldSpec("texture_aspect", "float", "method", frozenset({"texture"}), "Proportions",
              optional=True, low=1 / MAX_ASPECT, high=MAX_ASPECT,
              range_words=f"between 1:{MAX_ASPECT:g} and {MAX_ASPECT:g}:1",
              not_swept="it shapes a texture, and a sweep restyles a photo"),
    FieldSpec("tileable", "bool", "method", OPTIMIZED, "Tileable",
              not_swept="it joins a picture's edges, which a sweep's cells do not show"),
    FieldSpec("precision", "choice", "speed", OPTIMIZED, "Precision", choices=PRECISIONS),
    FieldSpec("stages", "int", "speed", OPTIMIZED, "Coarse-to-fine",
              optional=True, low=1, high=MAX_STAGES),
    # GB (GiB) the run's process may hold at its peak; None: what is free, less a margin
    # (nst.memory.budget_bytes). Stages that would not fit are evaluated in tiles.
    FieldSpec("max_memory", "float", "speed", OPTIMIZED, "Memory limit (GB)",
              optional=True, low=1.0, compared=False,
              not_swept="it changes where a run's memory goes, not its result"),
    FieldSpec("colour", "choice", "colours", WITH_PHOTO, "Colours", choices=COLOURS),
    FieldSpec("colour_strength", "float", "colours", WITH_PHOTO, "Photo's colours",
              low=0.0, high=1.0),
    # Changes to the weights while the run runs, each at its step (nst/settings/changes.py)
    FieldSpec("changes", "changes", "loss_weights", OPTIMIZED, "Changes during the run",
              not_swept="a sweep's cells each run one objective"),
)  # fmt: skip

_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}

# Path fields whose relative paths a recipe or a command line must anchor somewhere.
PATH_FIELDS: tuple[str, ...] = tuple(s.name for s in FIELDS if s.kind == "path")


def field_spec(name: str) -> FieldSpec:
    """The table's entry for ``name``; KeyError if it is not a setting."""
    return _BY_NAME[name]


def field_names() -> tuple[str, ...]:
    """Every setting's name, in the dataclass's order."""
    return tuple(_BY_NAME)


def fields_in_groups(fields: tuple[FieldSpec, ...] = FIELDS) -> list[FieldSpec]:
    """The fields in the faces' order: by GROUPS, each group in table order."""
    return sorted(fields, key=lambda spec: GROUPS.index(spec.group))


def automatic_fields(fields: tuple[FieldSpec, ...] = FIELDS) -> frozenset[str]:
    """The fields whose None means "chosen for you"."""
    return frozenset(s.name for s in fields if s.optional)


def compared_fields(fields: tuple[FieldSpec, ...] = FIELDS) -> tuple[str, ...]:
    """The fields that change the picture, which History compares and shows."""
    return tuple(s.name for s in fields if s.compared)


def applies(name: str, method: str) -> bool:
    """Whether field ``name`` changes the result of a run of ``method``."""
    return method in _BY_NAME[name].methods


def sweepable_fields(fields: tuple[FieldSpec, ...] = FIELDS) -> dict[str, tuple[str, bool]]:
    """The settings a sweep may vary: name -> (kind, may be None), kind being "float",
    "int" or "str" (a choice; its values: ``field_spec(name).choices``). In table order.
    One layer's weight (style_layers.LAYER) is the sweep's own business."""
    kinds = {"float": "float", "int": "int", "choice": "str"}
    return {s.name: (kinds[s.kind], s.optional) for s in fields if s.sweepable}


def not_swept(fields: tuple[FieldSpec, ...] = FIELDS) -> dict[str, str]:
    """The fields a sweep does not vary, each with why."""
    return {s.name: s.not_swept for s in fields if s.not_swept}

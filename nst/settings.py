"""Every parameter of a run, in one frozen dataclass, validated, to and from JSON.

The command line and the window both read their defaults from here, so each default is
written once. Construction validates: a bad value raises :class:`SettingsError` naming
the field and what is allowed.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nst.errors import NstError
from nst.vgg.layers import CONV_LAYERS, PAPER_CONTENT_LAYERS, PAPER_STYLE_LAYERS

OPTIMIZERS: tuple[str, ...] = ("lbfgs", "adam", "adadelta", "rmsprop", "sgd")
OPTIMIZER_LABELS: dict[str, str] = {
    "lbfgs": "L-BFGS",
    "adam": "Adam",
    "adadelta": "Adadelta",
    "rmsprop": "RMSprop",
    "sgd": "SGD",
}

# Learning rates for an image in 0..255 pixel units with our normalized losses (see
# losses.py), first-order methods seeing the gradient per pixel (transfer.py). L-BFGS's
# rate scales its quasi-Newton step: 1 is the full step. The others were picked by a sweep
# on tubingen.jpg / starry_night.jpg, 40 steps at 128 and 256 px (total loss after 40 steps
# at 256 px: Adam 4 -> 1.10, 8 -> 1.12; SGD 10 -> 1.10, 20 -> 1.14, 40 diverges;
# Adadelta 1000 -> 1.28, 3000 -> 1.48; RMSprop 2 -> 1.26, 4 -> worse at 128 px). Adam's 4
# is within the range jcjohnson's neural-style uses for 0..255 images (1 to 10).
DEFAULT_LEARNING_RATES: dict[str, float] = {
    "lbfgs": 1.0,
    "adam": 4.0,
    "adadelta": 1000.0,
    "rmsprop": 2.0,
    "sgd": 10.0,
}

# "instant": start from the feed-forward stylization (nst/instant.py), a head start.
INITS: tuple[str, ...] = ("content", "noise", "style", "instant")

# "gatys": the optimization (transfer.py); "instant": the feed-forward network of Ghiasi
# et al. 2017 (instant.py), a fraction of a second, at some cost in quality; "texture": the
# optimization with no content image, from noise, matching only the style (texture
# synthesis, Gatys, Ecker & Bethge 2015, "Texture Synthesis Using Convolutional Neural
# Networks").
METHODS: tuple[str, ...] = ("gatys", "instant", "texture")

# Whose colours the result has (Gatys, Bethge, Hertzmann, Shechtman 2017, "Preserving Color
# in Neural Artistic Style Transfer"; see colour.py): the painting's (the 2016 method), the
# photo's by recolouring the painting to the photo's colour statistics first ("match"), or
# the photo's by optimizing luminance only and taking the photo's colour channels
# ("luminance").
COLOURS: tuple[str, ...] = ("style", "match", "luminance")
COLOUR_LABELS: dict[str, str] = {
    "style": "The painting's",
    "match": "The photo's (painting recoloured)",
    "luminance": "The photo's (luminance only)",
}
METHOD_LABELS: dict[str, str] = {
    "gatys": "Gatys (optimization)",
    "instant": "Instant (network)",
    "texture": "Texture (no photo)",
}

# The style strength slider (window) and --style-strength (CLI, with the optimization) map a
# position t in 0..1 onto the style/content weight ratio, so that equal steps of the slider
# change the result by about equal amounts. Measured with `python -m tools.strength_curve`
# (tubingen/starry_night, 96 px, 60 L-BFGS steps, ratios 10^-2 .. 10^4 by half decades):
# the mean absolute pixel change from one half decade to the next was 1.8 below 10^-1 (no
# visible effect), then 4.5, 6.5, 8.8, 18.3, 17.1, 15.9, 12.6, 11.6, 10.6 up to 10^3, where
# the photo is gone but for its layout (from there on the changes are reshuffled strokes,
# not more style). The slider spans 10^-1 .. 10^3, and each knot below sits at its share of
# that summed change, so the mapping is piecewise linear in log10(ratio) between knots.
# The default ratio (style_weight 10 / content_weight 1) falls at t = 0.5.
STRENGTH_KNOTS: tuple[tuple[float, float], ...] = (
    # (slider position, log10 of the style/content ratio)
    (0.0, -1.0),
    (0.064, -0.5),
    (0.151, 0.0),
    (0.331, 0.5),
    (0.5, 1.0),
    (0.657, 1.5),
    (0.781, 2.0),
    (0.895, 2.5),
    (1.0, 3.0),
)
STRENGTH_LOG_LOW = STRENGTH_KNOTS[0][1]
STRENGTH_LOG_HIGH = STRENGTH_KNOTS[-1][1]


def _interpolate(x: float, points: tuple[tuple[float, float], ...]) -> float:
    """Piecewise-linear y(x) through ``points`` (x ascending), flat past the ends."""
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def strength_to_ratio(strength: float) -> float:
    """The style/content weight ratio at slider position ``strength`` (0..1)."""
    return 10.0 ** _interpolate(strength, STRENGTH_KNOTS)


def ratio_to_strength(ratio: float) -> float:
    """The slider position (0..1, clamped) of a style/content weight ratio."""
    if ratio <= 0:
        return 0.0
    if math.isinf(ratio):
        return 1.0
    inverse = tuple((k, t) for t, k in STRENGTH_KNOTS)
    return _interpolate(math.log10(ratio), inverse)


# Precision of VGG19's convolutions (features.py). Grams, losses, the image and its gradient
# are float32 in both. "bfloat16" ("Fast") needs AVX512_BF16/AMX on a CPU, or tensor cores on
# a GPU, to be faster; elsewhere it is emulated and slower.
PRECISIONS: tuple[str, ...] = ("float32", "bfloat16")
PRECISION_LABELS: dict[str, str] = {"float32": "Exact (float32)", "bfloat16": "Fast (bfloat16)"}

# Coarse-to-fine (Gatys et al. 2017, "Controlling Perceptual Factors in Neural Style
# Transfer", section 5): optimize at a small size, upsample, refine at the next size. With
# stages=None the plan is automatic: halve the working size while it stays at or above
# COARSEST_SIZE, at most MAX_STAGES sizes. 256 px is the size the 2017 paper starts from.
COARSEST_SIZE = 256
# A texture grows from white noise, with no photo to keep: starting as small as this builds
# its large shapes in a few cheap steps, and the upsampling smooths the noise away. The
# texture method at 128 px, 60 L-BFGS steps (The Scream, 16:9, stages=1 against
# stages=3 through nst.run.session.run): one stage left a speckled image (mean
# neighbour difference 36 of 255, TV loss 0.117) in 33 s; 32 -> 64 -> 128 px gave clean
# strokes (23, TV 0.011) at the same style loss (0.65 against 0.63) in 21 s.
TEXTURE_COARSEST_SIZE = 32
MAX_STAGES = 4
# Share of the iterations spent at each coarse size; the working size gets the rest (at
# least half, with MAX_STAGES 4). A step at half the size costs a quarter of a full one.
# Measured at 256 px (tubingen / starry_night, L-BFGS, 128 px then 256 px, cost counted in
# 256 px evaluations, a 128 px one as 1/4): to reach a loss of 0.91, 25 coarse steps never
# got there in 158, 50 took 149 and 100 took 174; 150 at 256 px before 512 px (the share
# of 0.5 used until 2026-12-02) spent about 160 s before the first full-size step.
COARSE_STAGE_SHARE = 1 / 6
# A texture grows from noise and needs its coarse stages more (TEXTURE_COARSEST_SIZE's
# measurement above was made with half of the iterations at the coarse sizes).
TEXTURE_COARSE_SHARE = 0.5

# The style image's size relative to the output (Settings.style_scale): at 0.25 a painting
# is seen four times smaller, so its strokes come out four times finer; past 4 VGG19's
# receptive fields (about 200 px at conv5_1) see single strokes, not texture.
MIN_STYLE_SCALE = 0.1
MAX_STYLE_SCALE = 4.0

# A texture's width over its height, at most this or its inverse: a 1024 px strip of 10:1
# is still 102 px high, above VGG19's MIN_SIZE with room for its deepest layers.
MAX_ASPECT = 10.0

MIN_SIZE = 16  # below this block5 has no spatial extent left (VGG19 pools 4 times: 16 / 2^4 = 1)
MAX_SIZE = 8192  # past this a single image's activations no longer fit in 24 GiB
MAX_ITERATIONS = 100_000


class SettingsError(NstError, ValueError):
    """A setting has a value that is not allowed; the message names the field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The recipe of one run. Paths are strings so that the recipe is plain JSON."""

    content: str = ""
    style: str = ""
    content_layers: Mapping[str, float] = field(default_factory=lambda: dict(PAPER_CONTENT_LAYERS))
    style_layers: Mapping[str, float] = field(default_factory=lambda: dict(PAPER_STYLE_LAYERS))
    # Global weights on the normalized losses (losses.py): the style term is much smaller
    # than the content term once both are relative errors, so style gets the larger weight.
    # Chosen by looking at tubingen/starry_night at 256 and 512 px (README figure).
    content_weight: float = 1.0
    style_weight: float = 10.0
    tv_weight: float = 1.0
    optimizer: str = "lbfgs"
    learning_rate: float | None = None  # None: the optimizer's own default
    iterations: int = 300
    size: int = 512  # longest side of the output, in pixels
    # longest side the optimization runs at; the result is scaled up to `size` at the end.
    # None: the same as size (no scaling).
    work_size: int | None = None
    # longest side of the style image in px; None: style_scale times the working size
    style_size: int | None = None
    # the style image's longest side relative to the working size's (when style_size is None)
    style_scale: float = 1.0
    init: str = "content"
    seed: int = 0
    preview_every: int = 10  # emit the current image every N steps (0: never)
    weights: str | None = None  # a VGG19 weights file; None: search the usual sources
    method: str = "gatys"
    # Instant method (and --init instant): 1 takes the style image's style vector, 0 the
    # content image's own (no restyling); in between, a linear blend of the two vectors.
    style_strength: float = 1.0
    # More style images beside `style`, as (path, weight) pairs; the weights are relative to
    # `style_image_weight`, the main style image's weight. The instant method takes the
    # weighted mean of their style vectors; the optimization the weighted mean of their
    # Gram matrices (or, with style_masks, each its own region).
    extra_styles: tuple[tuple[str, float], ...] = ()
    style_image_weight: float = 1.0
    # Regions (guided Gram matrices, Gatys et al. 2017, section 4): one mask image per style
    # image, the main style's first, then extra_styles' in order. White is where that style
    # goes. "" is "the rest": wherever the masks leave room (shared equally between the
    # styles with ""). Empty: no regions.
    style_masks: tuple[str, ...] = ()
    # Texture method: the output's width over its height (its longest side is `size`);
    # None: the style image's proportions.
    texture_aspect: float | None = None
    precision: str = "float32"  # of the VGG19 convolutions: one of PRECISIONS
    # sizes optimized in turn, each twice the previous, ending at the working size
    # (1: no coarse-to-fine; None: automatic, see COARSEST_SIZE)
    stages: int | None = None
    colour: str = "style"  # one of COLOURS
    # With colour "style": 0 keeps the painting's colours, 1 gives the photo's (the result's
    # luminance with the photo's colour channels), in between a blend of the two.
    colour_strength: float = 0.0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if self.colour not in COLOURS:
            raise SettingsError("colour", f"{self.colour!r} is not one of {', '.join(COLOURS)}")
        strength = _number("colour_strength", self.colour_strength)
        if not 0.0 <= strength <= 1.0:
            raise SettingsError("colour_strength", f"must be between 0 and 1, not {strength:g}")
        set_(self, "colour_strength", strength)
        if self.method not in METHODS:
            raise SettingsError("method", f"{self.method!r} is not one of {', '.join(METHODS)}")
        strength = _number("style_strength", self.style_strength)
        if not 0.0 <= strength <= 1.0:
            raise SettingsError("style_strength", f"must be between 0 and 1, not {strength:g}")
        set_(self, "style_strength", strength)
        set_(self, "extra_styles", _extra_styles(self.extra_styles))
        set_(
            self, "style_image_weight", _non_negative("style_image_weight", self.style_image_weight)
        )
        set_(self, "style_masks", _style_masks(self.style_masks, 1 + len(self.extra_styles)))
        if self.style_masks and self.method != "gatys":
            raise SettingsError(
                "style_masks",
                "regions work only with the Gatys method; choose it or remove the masks",
            )
        if self.method == "texture" and self.colour != "style":
            raise SettingsError(
                "colour",
                "a texture has no photo whose colours to keep; choose the painting's colours",
            )
        if self.texture_aspect is not None:
            aspect = _number("texture_aspect", self.texture_aspect)
            if not 1 / MAX_ASPECT <= aspect <= MAX_ASPECT:
                raise SettingsError(
                    "texture_aspect",
                    f"must be between 1:{MAX_ASPECT:g} and {MAX_ASPECT:g}:1, not {aspect:g}",
                )
            set_(self, "texture_aspect", aspect)
        scale = _number("style_scale", self.style_scale)
        if not MIN_STYLE_SCALE <= scale <= MAX_STYLE_SCALE:
            raise SettingsError(
                "style_scale",
                f"must be between {MIN_STYLE_SCALE:g} and {MAX_STYLE_SCALE:g}, not {scale:g}",
            )
        set_(self, "style_scale", scale)
        if self.style_image_weight + sum(w for _, w in self.extra_styles) <= 0:
            raise SettingsError(
                "style_image_weight", "give at least one style image a weight above 0"
            )
        set_(self, "content_layers", _layer_weights("content_layers", self.content_layers))
        set_(self, "style_layers", _layer_weights("style_layers", self.style_layers))
        if not any(w > 0 for w in self.style_layers.values()):
            raise SettingsError(
                "style_layers", "check at least one style layer with a weight above 0"
            )
        for name in ("content_weight", "style_weight", "tv_weight"):
            set_(self, name, _non_negative(name, getattr(self, name)))
        if self.optimizer not in OPTIMIZERS:
            allowed = ", ".join(OPTIMIZERS)
            raise SettingsError("optimizer", f"{self.optimizer!r} is not one of {allowed}")
        if self.learning_rate is not None:
            rate = _number("learning_rate", self.learning_rate)
            if rate <= 0:
                raise SettingsError("learning_rate", f"must be above 0, not {rate:g}")
            set_(self, "learning_rate", rate)
        set_(self, "iterations", _int_in("iterations", self.iterations, 1, MAX_ITERATIONS))
        set_(self, "size", _int_in("size", self.size, MIN_SIZE, MAX_SIZE))
        for name in ("work_size", "style_size"):
            if getattr(self, name) is not None:
                set_(self, name, _int_in(name, getattr(self, name), MIN_SIZE, MAX_SIZE))
        if self.work_size is not None and self.work_size > self.size:
            raise SettingsError(
                "work_size", f"must not exceed size ({self.size}), not {self.work_size}"
            )
        if self.init not in INITS:
            raise SettingsError("init", f"{self.init!r} is not one of {', '.join(INITS)}")
        set_(self, "seed", _int_in("seed", self.seed, 0, 2**31 - 1))
        set_(self, "preview_every", _int_in("preview_every", self.preview_every, 0, MAX_ITERATIONS))
        for name in ("content", "style"):
            if not isinstance(getattr(self, name), str):
                raise SettingsError(name, "must be a file path")
        if self.weights is not None and not isinstance(self.weights, str):
            raise SettingsError("weights", "must be a file path")
        if self.precision not in PRECISIONS:
            allowed = ", ".join(PRECISIONS)
            raise SettingsError("precision", f"{self.precision!r} is not one of {allowed}")
        if self.stages is not None:
            set_(self, "stages", _int_in("stages", self.stages, 1, MAX_STAGES))

    # --- derived values ---------------------------------------------------------------

    @property
    def resolved_learning_rate(self) -> float:
        if self.learning_rate is not None:
            return self.learning_rate
        return DEFAULT_LEARNING_RATES[self.optimizer]

    @property
    def resolved_work_size(self) -> int:
        return self.work_size if self.work_size is not None else self.size

    @property
    def resolved_style_size(self) -> int:
        """The style image's longest side at the working size, in px."""
        if self.style_size is not None:
            return self.style_size
        scaled = round(self.style_scale * self.resolved_work_size)
        return min(MAX_SIZE, max(MIN_SIZE, scaled))

    @property
    def style_ratio(self) -> float:
        """Style weight over content weight (infinite with no content weight)."""
        if self.content_weight == 0:
            return math.inf
        return self.style_weight / self.content_weight

    @property
    def style_images(self) -> tuple[tuple[str, float], ...]:
        """Every style image with its weight, the main one first."""
        return ((self.style, self.style_image_weight), *self.extra_styles)

    @property
    def stage_plan(self) -> tuple[tuple[int, int], ...]:
        """(longest side, iterations) of each coarse-to-fine stage, the working size last.

        Sizes halve from the working size, never below MIN_SIZE; each coarse stage gets
        COARSE_STAGE_SHARE of the iterations (a texture's share TEXTURE_COARSE_SHARE of
        them between them), the last stage the rest (at least 1 each).
        """
        work = self.resolved_work_size
        count = self.stages
        if count is None:
            coarsest = TEXTURE_COARSEST_SIZE if self.method == "texture" else COARSEST_SIZE
            count = 1
            while count < MAX_STAGES and work >> count >= coarsest:
                count += 1
        sizes = [max(MIN_SIZE, work >> k) for k in range(count - 1, -1, -1)]
        sizes = list(dict.fromkeys(sizes))  # tiny sizes may collapse onto MIN_SIZE
        if len(sizes) == 1 or self.iterations < len(sizes):
            return ((work, self.iterations),)
        if self.method == "texture":
            coarse_each = int(self.iterations * TEXTURE_COARSE_SHARE) // (len(sizes) - 1)
        else:
            coarse_each = int(self.iterations * COARSE_STAGE_SHARE)
        coarse_each = max(1, coarse_each)
        plan = [(size, coarse_each) for size in sizes[:-1]]
        plan.append((work, self.iterations - coarse_each * (len(sizes) - 1)))
        return tuple(plan)

    @property
    def layers_in_use(self) -> tuple[str, ...]:
        """Layers whose weight is above 0, in network order."""
        used = {n for n, w in self.content_layers.items() if w > 0}
        used |= {n for n, w in self.style_layers.items() if w > 0}
        return tuple(n for n in CONV_LAYERS if n in used)

    def missing_inputs(self) -> list[str]:
        """What a run still needs before it can start, in words (empty when ready)."""
        missing = []
        if not self.content and self.method != "texture":
            missing.append("choose a content image")
        if not self.style:
            missing.append("choose a style image")
        return missing

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    # --- JSON -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["content_layers"] = dict(self.content_layers)
        data["style_layers"] = dict(self.style_layers)
        data["extra_styles"] = [[path, weight] for path, weight in self.extra_styles]
        data["style_masks"] = list(self.style_masks)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, strict: bool = True) -> Settings:
        """Build settings from a recipe's dict.

        With ``strict``, an unknown key is an error; otherwise unknown keys are ignored
        (a recipe from a newer version). A recipe written beside a result holds the
        settings under the key "settings"; that form is accepted too.
        """
        if not isinstance(data, Mapping):
            raise SettingsError("recipe", "must be a JSON object")
        if "settings" in data and isinstance(data["settings"], Mapping):
            data = data["settings"]
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown and strict:
            raise SettingsError(unknown[0], f"is not a setting (known: {', '.join(sorted(known))})")
        return cls(**{k: v for k, v in data.items() if k in known})

    @classmethod
    def from_recipe(cls, data: Mapping[str, Any]) -> tuple[Settings, list[str], dict[str, str]]:
        """Settings from a recipe of any version, never failing over one field.

        Returns the settings, the fields this version does not know (ignored: a newer
        recipe), and the known fields whose value is not allowed, each with why (dropped:
        their defaults are used; a hand-edited or older recipe). A field missing from an
        older recipe simply keeps its default. Raises SettingsError only when ``data`` is
        not a JSON object.
        """
        if not isinstance(data, Mapping):
            raise SettingsError("recipe", "must be a JSON object")
        if "settings" in data and isinstance(data["settings"], Mapping):
            data = data["settings"]
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(str(k) for k in data if k not in known)
        values = {k: v for k, v in data.items() if k in known}
        wrong: dict[str, str] = {}
        while True:  # each pass drops one bad field, so at most len(known) passes
            try:
                return cls(**values), unknown, wrong
            except SettingsError as exc:
                name = exc.field.split(".")[0]
                if name not in values:  # a default itself refused: cannot happen
                    raise
                wrong[name] = str(exc).split(": ", 1)[1] if ": " in str(exc) else str(exc)
                del values[name]


def field_names() -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(Settings))


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingsError(name, f"must be a number, not {_short(value)}")
    try:
        value = float(value)
    except OverflowError:  # a JSON integer with hundreds of digits
        raise SettingsError(name, "must be a finite number, not a huge integer") from None
    if not math.isfinite(value):
        raise SettingsError(name, f"must be a finite number, not {value}")
    return value


def _non_negative(name: str, value: Any) -> float:
    value = _number(name, value)
    if value < 0:
        raise SettingsError(name, f"must be 0 or more, not {value:g}")
    return value


def _int_in(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise SettingsError(name, f"must be a whole number, not {_short(value)}")
    if not low <= value <= high:
        raise SettingsError(name, f"must be between {low} and {high}, not {_short(value)}")
    return value


def _short(value: Any) -> str:
    """repr() cut to 40 characters: a hand-edited recipe may hold a whole document where a
    number belongs, and the message must stay one readable line."""
    try:
        text = repr(value)
    except ValueError:  # an int past Python's 4300-digit str() limit
        text = "a huge integer"
    return text if len(text) <= 40 else text[:37] + "..."


def _extra_styles(value: Any) -> tuple[tuple[str, float], ...]:
    """[(path, weight), ...] from tuples or a recipe's JSON lists."""
    if isinstance(value, (str, Mapping)) or not hasattr(value, "__iter__"):
        raise SettingsError("extra_styles", "must be a list of [path, weight] pairs")
    result = []
    for item in value:
        if isinstance(item, str) or not hasattr(item, "__len__") or len(item) != 2:
            raise SettingsError("extra_styles", f"{item!r} is not a [path, weight] pair")
        path, weight = item
        if not isinstance(path, str) or not path:
            raise SettingsError("extra_styles", f"{path!r} is not a file path")
        result.append((path, _non_negative(f"extra_styles.{path}", weight)))
    return tuple(result)


def _style_masks(value: Any, styles: int) -> tuple[str, ...]:
    """One mask path (or "" for the rest) per style image, or none at all."""
    if isinstance(value, (str, Mapping)) or not hasattr(value, "__iter__"):
        raise SettingsError("style_masks", "must be a list of mask image paths")
    masks = tuple(value)
    if not masks:
        return ()
    if any(not isinstance(m, str) for m in masks):
        raise SettingsError("style_masks", 'each mask must be a file path (or "" for the rest)')
    if all(not m for m in masks):
        return ()  # every style "the rest": no regions
    if len(masks) != styles:
        raise SettingsError(
            "style_masks",
            f"give one mask per style image ({styles}), not {len(masks)}; "
            'use "" for the style that takes the rest',
        )
    return masks


def _layer_weights(name: str, value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise SettingsError(name, "must map VGG19 conv layer names to weights")
    result: dict[str, float] = {}
    for layer, weight in value.items():
        if layer not in CONV_LAYERS:
            raise SettingsError(
                name, f"unknown layer {_short(layer)}; the layers are {', '.join(CONV_LAYERS)}"
            )
        result[layer] = _non_negative(f"{name}.{layer}", weight)
    # keep network order, whatever order the caller gave
    return {layer: result[layer] for layer in CONV_LAYERS if layer in result}

"""Every parameter of a run, in one frozen dataclass, validated, to and from JSON.

The command line and the window both read their defaults from here, so each default is
written once. Construction validates: a bad value raises :class:`SettingsError` naming
the field and what is allowed (each field's range from the table in fields.py; how
fields relate to each other here).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nst.settings.changes import apply_changes, check_name
from nst.settings.checks import SettingsError, style_masks
from nst.settings.constants import (
    COARSE_STAGE_SHARE,
    COARSEST_SIZE,
    DEFAULT_LEARNING_RATES,
    MAX_SIZE,
    MAX_STAGES,
    MIN_SIZE,
    PRINT_SIZE,
    PRINT_STAGE_STEPS,
    TEXTURE_CANVAS_SIDE,
    TEXTURE_COARSE_SHARE,
    TEXTURE_COARSEST_SIZE,
)
from nst.settings.fields import FIELDS
from nst.vgg.layers import CONV_LAYERS, PAPER_CONTENT_LAYERS, PAPER_STYLE_LAYERS


def print_plan(plan: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """``plan`` with each stage above PRINT_SIZE px cut to PRINT_STAGE_STEPS steps, the
    steps cut given to the largest stage at or below PRINT_SIZE (none: the plan as is)."""
    below = [i for i, (size, _) in enumerate(plan) if size <= PRINT_SIZE]
    if not below:
        return tuple(plan)
    cut = [(size, min(n, PRINT_STAGE_STEPS) if size > PRINT_SIZE else n) for size, n in plan]
    size, steps = cut[below[-1]]
    cut[below[-1]] = (size, steps + sum(n for _, n in plan) - sum(n for _, n in cut))
    return tuple(cut)


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
    # The picture wraps around: VGG19 pads circularly and the TV term joins the last row
    # and column to the first, so that copies laid edge to edge show no seam.
    tileable: bool = False
    precision: str = "automatic"  # of the VGG19 convolutions: one of PRECISIONS
    # sizes optimized in turn, each twice the previous, ending at the working size
    # (1: no coarse-to-fine; None: automatic, see COARSEST_SIZE)
    stages: int | None = None
    # the most memory, in GB, the run may hold at its peak (None: what is free, less a
    # margin); stages that would not fit whole are evaluated in tiles (nst/tiled_memory.py)
    max_memory: float | None = None
    colour: str = "style"  # one of COLOURS
    # With colour "style": 0 keeps the painting's colours, 1 gives the photo's (the result's
    # luminance with the photo's colour channels), in between a blend of the two.
    colour_strength: float = 0.0
    # Changes to the objective's weights while the run runs: (step, name, value), each
    # taking effect after that many steps (nst/settings/changes.py); a recipe replays them.
    changes: tuple[tuple[int, str, float], ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        # Each field's own range or choices, from the table (fields.py), in its order.
        for spec in FIELDS:
            set_(self, spec.name, spec.check(getattr(self, spec.name)))
        # What one field allows depends on another: checked here, once each is valid.
        set_(self, "style_masks", style_masks(self.style_masks, 1 + len(self.extra_styles)))
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
        if self.style_image_weight + sum(w for _, w in self.extra_styles) <= 0:
            raise SettingsError(
                "style_image_weight", "give at least one style image a weight above 0"
            )
        if not any(w > 0 for w in self.style_layers.values()):
            raise SettingsError(
                "style_layers", "check at least one style layer with a weight above 0"
            )
        if self.work_size is not None and self.work_size > self.size:
            raise SettingsError(
                "work_size", f"must not exceed size ({self.size}), not {self.work_size}"
            )
        if self.changes:  # each names what a run may change, and gives allowed settings
            for _, name, _ in self.changes:
                check_name(name, len(self.extra_styles))
            apply_changes(self, self.changes)

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
        them between them), the last stage the rest (at least 1 each); stages above
        PRINT_SIZE at most PRINT_STAGE_STEPS (print_plan).
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
        return print_plan(plan)

    @property
    def term_layers(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The content and style layers the loss uses. A texture has no content term, and
        a weight of 0 leaves its term's layers out of the graph (the paper's Figure 1
        reconstructions then run VGG19 only as deep as their one layer); some layer
        stays, as the network needs one: the style's when there is no content term."""
        content: tuple[str, ...] = ()
        if self.method != "texture" and self.content_weight > 0:
            content = tuple(n for n, w in self.content_layers.items() if w > 0)
        style: tuple[str, ...] = ()
        if self.style_weight > 0 or not content:
            style = tuple(n for n, w in self.style_layers.items() if w > 0)
        return content, style

    @property
    def layers_in_use(self) -> tuple[str, ...]:
        """Layers whose weight is above 0, in network order."""
        used = {n for n, w in self.content_layers.items() if w > 0}
        used |= {n for n, w in self.style_layers.items() if w > 0}
        return tuple(n for n in CONV_LAYERS if n in used)

    def missing_inputs(self) -> tuple[str, ...]:
        """The image fields a run still needs before it can start ("content", "style"),
        as field names that each face words (empty when ready)."""
        needed = ("style",) if self.method == "texture" else ("content", "style")
        return tuple(name for name in needed if not getattr(self, name))

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    # --- JSON -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["content_layers"] = dict(self.content_layers)
        data["style_layers"] = dict(self.style_layers)
        data["extra_styles"] = [[path, weight] for path, weight in self.extra_styles]
        data["style_masks"] = list(self.style_masks)
        data["changes"] = [list(change) for change in self.changes]
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


def texture_dims(
    aspect: float | None, style_dims: tuple[int, int], side: int = TEXTURE_CANVAS_SIDE
) -> tuple[int, int]:
    """(width, height) of a texture with longest side ``side``: ``aspect`` (width / height)
    or, when None, the style image's own proportions (``style_dims`` = (width, height))."""
    if aspect is None:
        aspect = style_dims[0] / style_dims[1]
    if aspect >= 1:
        return side, max(1, round(side / aspect))
    return max(1, round(side * aspect)), side


def default(name: str) -> Any:
    """The default of setting ``name``, as the dataclass declares it (a fresh copy)."""
    return getattr(Settings(), name)

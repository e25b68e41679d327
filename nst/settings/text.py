"""Settings written as text, as a command line or a sweep axis spells them.

Each parser takes one option's text and returns the setting's value, or raises ValueError
with a sentence saying what is wrong; the caller names the option. No argparse here: the
engine knows nothing of the command line.
"""

from __future__ import annotations

import math

# Significant digits of a computed value (10 ** 0.843 = 6.9663...): as many as people type.
COMPUTED_DIGITS = 3

# What --style-mask takes for the style that gets "the rest" (stored as "").
REST = "rest"


def parse_layer_weights(text: str) -> dict[str, float]:
    """'block1_conv1=1,block2_conv1=0.5' -> {layer: weight}; a bare name means weight 1."""
    result: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, weight = item.partition("=")
        try:
            result[name.strip()] = float(weight) if weight else 1.0
        except ValueError:
            raise ValueError(f"{weight!r} is not a number in {item!r}") from None
    return result


def parse_extra_style(text: str) -> tuple[str, float]:
    """'painting.jpg=0.5' -> (path, 0.5); a bare path means weight 1."""
    path, sep, weight = text.rpartition("=")
    if not sep:
        return text, 1.0
    try:
        return path, float(weight)
    except ValueError:
        raise ValueError(f"{weight!r} is not a number in {text!r}") from None


def parse_aspect(text: str) -> float:
    """'16:9' or '1.78' -> width / height."""
    width, sep, height = text.partition(":")
    try:
        return float(width) / float(height) if sep else float(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{text!r} is not a proportion like 16:9 or 1.5") from None


def parse_mask(text: str) -> str:
    """A mask image's path, or "" for 'rest' (the style that takes what the others leave)."""
    return "" if text.strip().lower() == REST else text


def layers_text(layers: dict[str, float]) -> str:
    """{layer: weight} -> 'block1_conv1=1,block2_conv1=0.5', as parse_layer_weights reads it."""
    return ",".join(f"{k}={v:g}" for k, v in layers.items())


def number_text(value: float) -> str:
    """A number as people write it, the one rule for every face: 4, 0.5, 2000, 1e-05; a
    computed value with COMPUTED_DIGITS significant digits, never fewer than its whole
    digits (0.581256 -> "0.581", 316227.766 -> "316228")."""
    if value == 0 or not math.isfinite(value) or float(f"{value:.6g}") == value:
        return f"{value:g}"
    whole = math.floor(math.log10(abs(value))) + 1
    return f"{value:.{max(COMPUTED_DIGITS, whole)}g}"

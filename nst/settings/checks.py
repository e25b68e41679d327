"""Checks of one setting's value, each raising SettingsError with a sentence naming it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from nst.errors import NstError
from nst.vgg.layers import CONV_LAYERS

_UNSET: Any = object()


class SettingsError(NstError, ValueError):
    """A setting has a value that is not allowed: structured as the field, the value (when
    known) and the reason, so that each face words it in its own terms (an option, a
    label); ``str()`` is "field: reason" for logs."""

    def __init__(self, field_name: str, reason: str, *, value: Any = _UNSET) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason
        self.value = None if value is _UNSET else value


def number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingsError(name, f"must be a number, not {short(value)}")
    try:
        value = float(value)
    except OverflowError:  # a JSON integer with hundreds of digits
        raise SettingsError(name, "must be a finite number, not a huge integer") from None
    if not math.isfinite(value):
        raise SettingsError(name, f"must be a finite number, not {value}")
    return value


def non_negative(name: str, value: Any) -> float:
    value = number(name, value)
    if value < 0:
        raise SettingsError(name, f"must be 0 or more, not {value:g}")
    return value


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(name, f"must be true or false, not {short(value)}")
    return value


def int_in(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise SettingsError(name, f"must be a whole number, not {short(value)}")
    if not low <= value <= high:
        raise SettingsError(name, f"must be between {low} and {high}, not {short(value)}")
    return value


def short(value: Any) -> str:
    """repr() cut to 40 characters: a hand-edited recipe may hold a whole document where a
    number belongs, and the message must stay one readable line."""
    try:
        text = repr(value)
    except ValueError:  # an int past Python's 4300-digit str() limit
        text = "a huge integer"
    return text if len(text) <= 40 else text[:37] + "..."


def extra_styles(value: Any) -> tuple[tuple[str, float], ...]:
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
        result.append((path, non_negative(f"extra_styles.{path}", weight)))
    return tuple(result)


def style_masks(value: Any, styles: int) -> tuple[str, ...]:
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


def layer_weights(name: str, value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise SettingsError(name, "must map VGG19 conv layer names to weights")
    result: dict[str, float] = {}
    for layer, weight in value.items():
        if layer not in CONV_LAYERS:
            raise SettingsError(
                name, f"unknown layer {short(layer)}; the layers are {', '.join(CONV_LAYERS)}"
            )
        result[layer] = non_negative(f"{name}.{layer}", weight)
    # keep network order, whatever order the caller gave
    return {layer: result[layer] for layer in CONV_LAYERS if layer in result}


def changes(value: Any, max_step: int) -> tuple[tuple[int, str, float], ...]:
    """[(step, name, value), ...] from tuples or a recipe's JSON lists, in step order (the
    order given among changes at one step); the names are checked with the other fields
    (nst/settings/changes.py)."""
    if isinstance(value, (str, Mapping)) or not hasattr(value, "__iter__"):
        raise SettingsError("changes", "must be a list of [step, name, value] triples")
    result = []
    for item in value:
        if isinstance(item, str) or not hasattr(item, "__len__") or len(item) != 3:
            raise SettingsError("changes", f"{short(item)} is not a [step, name, value] triple")
        step, name, weight = item
        if not isinstance(name, str) or not name:
            raise SettingsError("changes", f"{short(name)} is not a setting's name")
        step = int_in(f"changes.{name}", step, 0, max_step)
        result.append((step, name, non_negative(f"changes.{name}", weight)))
    return tuple(sorted(result, key=lambda change: change[0]))

"""A sweep's axes: the settings a sweep may vary, their values parsed from text, how a
header names them, values worth trying, and how a cell's values change the base settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nst.errors import NstError
from nst.settings import Settings, SettingsError, field_spec, sweepable_fields
from nst.settings.fields import field_names, not_swept
from nst.vgg.layers import CONV_LAYERS, PAPER_STYLE_LAYERS

# Values per axis: the 16 conv layers are the longest list anyone needs to step through.
MAX_VALUES = 16
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

# Settings fields that are not offered as axes, and why (from the settings table).
NOT_SWEPT: dict[str, str] = not_swept()

# Names in the order the window lists them: the usual experiments first.
FIRST_NAMES = ("style_weight", "content_weight", "tv_weight", "ratio", "layer_set",
               "learning_rate", "optimizer", "iterations")  # fmt: skip

# How the sheet and the window name the sweep's own axes; a setting by its table label.
LABELS: dict[str, str] = {
    "ratio": "style : content",
    "layer_set": "style layers",
}

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


class SweepError(NstError):
    """An axis or a sweep cannot be used; the message names the setting and what to do."""


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
    if name in LABELS:
        return LABELS[name]
    label = field_spec(name).label if name in field_names() else name.replace("_", " ")
    return label[:1].lower() + label[1:]


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
    """('float'|'int'|'str', may be None) for a setting an axis may vary, else None.

    Read from the settings table (nst/settings/fields.py), so that a setting marked
    sweepable there is an axis without a change here."""
    return sweepable_fields().get(name)


def _choices(name: str) -> tuple[str, ...]:
    """The values a text setting can take, from the settings table (empty if free)."""
    return tuple(field_spec(name).choices or ()) if name in sweepable_fields() else ()


def sweepable_names() -> list[str]:
    """Every name an axis may take: the usual ones first, then other fields, then layers."""
    fields = list(sweepable_fields())
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
    choices = _choices(name)
    if choices and text not in choices:
        raise SweepError(f"{name}: {text!r} is not one of {', '.join(choices)}.")
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
    if _choices(name):
        return list(_choices(name))
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


def name_key(name: str) -> str:
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

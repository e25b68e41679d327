"""Changes to a run's objective while it runs: which settings may change, a change written
as text (STEP:NAME=VALUE), and the settings in force after a number of steps.

A change at step N takes effect after N steps: step N + 1 is the first step with the new
value (0: from the first step). A run's changes are one of its settings
(Settings.changes), so that its recipe replays them at the same steps. What may change is
the objective's weights: the fields the table marks ``steered`` (fields.py), one layer's
weight (style_layers.LAYER, content_layers.LAYER; 0 switches the layer off, a weight above
0 on) and one extra style's weight (extra_styles.N, counted from 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nst.settings.checks import SettingsError
from nst.settings.fields import FIELDS, NOT_STEERED, field_spec
from nst.settings.text import number_text
from nst.vgg.layers import CONV_LAYERS

Change = tuple[int, str, float]  # (step after which it takes effect, name, value)

FIELD = "changes"  # the setting that holds a run's changes


def steered_examples() -> str:
    """The names a change may take, in words (for a refusal), from the table's ``steered``
    fields: a weight by its name, a layer's or an extra style's as NAME.LAYER, NAME.N."""
    parts = {"layers": ".LAYER", "styles": ".N"}
    return ", ".join(spec.name + parts.get(spec.kind, "") for spec in FIELDS if spec.steered)


def check_name(name: str, extra_styles: int) -> None:
    """SettingsError (field "changes") unless a run may change ``name`` while it runs;
    ``extra_styles``: how many extra styles the run has."""
    base, dot, part = name.partition(".")
    try:
        spec = field_spec(base)
    except KeyError:
        raise SettingsError(
            FIELD, f"{name!r} is not a setting; a run can change {steered_examples()}"
        ) from None
    if not spec.steered:
        raise SettingsError(FIELD, f"{base} cannot change during a run: {NOT_STEERED[spec.group]}")
    if spec.kind == "float" and dot:
        raise SettingsError(FIELD, f"{name!r}: {base} has no parts; write {base}=VALUE")
    if spec.kind == "layers" and part not in CONV_LAYERS:
        raise SettingsError(
            FIELD,
            f"{name!r}: give a VGG19 conv layer, {base}.LAYER; the layers are "
            f"{', '.join(CONV_LAYERS)}",
        )
    if spec.kind == "styles" and not (part.isdigit() and 1 <= int(part) <= extra_styles):
        have = f"the run has {extra_styles}" if extra_styles else "the run has none"
        raise SettingsError(
            FIELD, f"{name!r}: give an extra style's number, {base}.N from 1 ({have})"
        )


def parse_change(text: str) -> Change:
    """'100:style_weight=1e5' -> (100, 'style_weight', 100000.0); ValueError with a
    sentence if it is not STEP:NAME=VALUE (the names are checked with the settings)."""
    step, colon, rest = text.strip().partition(":")
    name, equals, value = rest.partition("=")
    if not colon or not equals or not name.strip():
        raise ValueError(f"{text.strip()!r} is not STEP:NAME=VALUE, e.g. 100:style_weight=1e5")
    try:
        number = float(step)
        if not number.is_integer():
            raise ValueError(step)
    except ValueError:
        raise ValueError(f"{step.strip()!r} in {text.strip()!r} is not a step number") from None
    try:
        weight = float(value)
    except ValueError:
        raise ValueError(f"{value.strip()!r} in {text.strip()!r} is not a number") from None
    return int(number), name.strip(), weight


def change_text(change: Change) -> str:
    """(100, 'style_weight', 100000.0) -> '100:style_weight=100000', as parse_change reads."""
    step, name, value = change
    return f"{step}:{name}={number_text(value)}"


def with_change(settings: Any, name: str, value: float) -> Any:
    """``settings`` with one change made and no changes of its own (changes=()): the
    objective's settings from then on. SettingsError if the value is not allowed."""
    base, _, part = name.partition(".")
    spec = field_spec(base)
    if spec.kind == "layers":
        layers = dict(getattr(settings, base))
        layers[part] = value
        return settings.replace(changes=(), **{base: layers})
    if spec.kind == "styles":
        styles = list(settings.extra_styles)
        path, _ = styles[int(part) - 1]
        styles[int(part) - 1] = (path, value)
        return settings.replace(changes=(), extra_styles=tuple(styles))
    return settings.replace(changes=(), **{base: value})


def settings_after(settings: Any, done: int) -> Any:
    """The settings in force once ``done`` steps are done (the objective of step done + 1):
    ``settings`` with each of its changes at a step up to ``done`` made, in order."""
    return apply_changes(settings, (c for c in settings.changes if c[0] <= done))


def apply_changes(settings: Any, changes: Iterable[Change]) -> Any:
    """``settings`` with ``changes`` made in order, changes=() (SettingsError if one is not
    allowed, naming it)."""
    now = settings.replace(changes=())
    for change in changes:
        try:
            now = with_change(now, change[1], change[2])
        except SettingsError as exc:
            raise SettingsError(FIELD, f"{change_text(change)}: {exc.reason}") from None
    return now


def steered_differences(before: Any, after: Any) -> list[tuple[str, float]]:
    """The changes that take a run's objective from settings ``before`` to ``after``, as
    (name, value) in the table's order: the ``steered`` fields that differ, a layer's or an
    extra style's weight each its own change (a layer left out weighs 0)."""
    changes: list[tuple[str, float]] = []
    for spec in FIELDS:
        if not spec.steered:
            continue
        old, new = getattr(before, spec.name), getattr(after, spec.name)
        if spec.kind == "layers":
            for layer in CONV_LAYERS:
                if old.get(layer, 0.0) != new.get(layer, 0.0):
                    changes.append((f"{spec.name}.{layer}", new.get(layer, 0.0)))
        elif spec.kind == "styles":
            for number, ((_, was), (_, weight)) in enumerate(zip(old, new), start=1):
                if was != weight:
                    changes.append((f"{spec.name}.{number}", weight))
        elif old != new:
            changes.append((spec.name, new))
    return changes

"""What the window calls things: a label for every Settings field and for the choices of
the fields that hold a name. UI words live here, not in the engine, so the engine's
tables stay free of presentation and the window says one thing one way everywhere."""

from __future__ import annotations

from typing import Any

from nst.settings import FIELDS
from nst.settings.text import number_text
from nst.sweep.axes import short_layer

# Settings field -> its label, from the settings table, so that a validation message
# names what the user sees ("Working size: ..."), not the dataclass field.
FIELD_LABELS: dict[str, str] = {spec.name: spec.label for spec in FIELDS}

# What the form shows for a field left to be chosen for you (None), in its own words;
# every field the table marks optional has one (a test checks).
AUTOMATIC_WORDS: dict[str, str] = {
    "learning_rate": "The optimizer's default",
    "work_size": "Same as output",
    "style_size": "By style scale",
    "weights": "Found automatically",
    "texture_aspect": "The painting's",
    "stages": "Automatic",
    "max_memory": "Automatic",
}

OPTIMIZER_LABELS: dict[str, str] = {
    "lbfgs": "L-BFGS",
    "adam": "Adam",
    "adadelta": "Adadelta",
    "rmsprop": "RMSprop",
    "sgd": "SGD",
}
METHOD_LABELS: dict[str, str] = {
    "gatys": "Gatys (optimization)",
    "instant": "Instant (network)",
    "texture": "Texture (no photo)",
}
COLOUR_LABELS: dict[str, str] = {
    "style": "The painting's",
    "match": "The photo's (painting recoloured)",
    "luminance": "The photo's (luminance only)",
}
PRECISION_LABELS: dict[str, str] = {
    "automatic": "Automatic",
    "float32": "Exact (float32)",
    "bfloat16": "Fast (bfloat16)",
}


def precision_tip(fast_cpu: bool) -> str:
    """The precision box's tooltip, in three short sentences; ``fast_cpu``: this CPU
    computes bfloat16 natively."""
    here = "This computer has it." if fast_cpu else "This computer lacks it."
    return (
        "Fast computes the network in lower precision: quicker on recent CPUs and GPUs "
        f"that support it, much slower elsewhere. {here}\n"
        "Exact is full precision everywhere.\n"
        "Automatic uses Fast where it is quicker and finishes in Exact."
    )


INIT_LABELS: dict[str, str] = {
    "content": "The content image",
    "noise": "White noise",
    "style": "The style image",
    "instant": "The instant result",
}

# Texture proportions offered in the window (width:height); None: the painting's own.
TEXTURE_ASPECTS: tuple[tuple[str, float | None], ...] = (
    ("The painting's", None),
    ("Square (1:1)", 1.0),
    ("Landscape (3:2)", 1.5),
    ("Wide (16:9)", 16 / 9),
    ("Portrait (2:3)", 2 / 3),
    ("Tall (9:16)", 9 / 16),
)

# The fields whose value is a name, with the words for each name.
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "optimizer": OPTIMIZER_LABELS,
    "method": METHOD_LABELS,
    "colour": COLOUR_LABELS,
    "precision": PRECISION_LABELS,
    "init": INIT_LABELS,
}


def choice_label(field: str, value: Any) -> str | None:
    """The window's word for a named choice ("lbfgs" -> "L-BFGS"); None if it has none."""
    labels = CHOICE_LABELS.get(field, {})
    return labels.get(value) if isinstance(value, str) else None


def describe_settings_error(exc: Any) -> str:
    """ "work_size: must not exceed ..." -> "Working size: must not exceed ..."."""
    name = exc.field.split(".")[0]
    text = str(exc)
    detail = text.split(": ", 1)[1] if ": " in text else text
    return f"{FIELD_LABELS.get(name, name)}: {detail}."


# What Run still needs, by the name the model gives it (a Settings field, or the folder).
MISSING_WORDS: dict[str, str] = {
    "content": "a content image",
    "style": "a style image",
    "output_folder": "an output folder",
}


def describe_missing(missing: list[str]) -> str:
    """["content", "style"] -> "To run, choose a content image and a style image."."""
    if not missing:
        return ""
    return f"To run, choose {' and '.join(MISSING_WORDS.get(n, n) for n in missing)}."


def speed_text(steps: int, elapsed: float) -> str:
    """Steps per second, or seconds per step when a step takes longer than a second."""
    if elapsed <= 0 or steps <= 0:
        return ""
    rate = steps / elapsed
    return f"{rate:.1f} it/s" if rate >= 1 else f"{1 / rate:.1f} s/it"


def change_words(name: str, value: float) -> str:
    """A change of the objective while the run runs (nst/settings/changes.py), as the loss
    curve marks it: "style weight 100", "style conv5_1 off", "style image 2 weight 0.5"."""
    base, _, part = name.partition(".")
    if base in ("content_layers", "style_layers"):
        term = base.split("_")[0]
        return f"{term} {short_layer(part)} " + ("off" if value == 0 else number_text(value))
    if base == "extra_styles":  # the main style image is the first; extra ones follow
        return f"style image {int(part) + 1} weight {number_text(value)}"
    return f"{FIELD_LABELS[base].lower()} {number_text(value)}"

"""A Hypothesis strategy for any valid Settings, generated from the settings table.

Each field's values come from its entry in nst/settings/fields.py (kind, range, choices,
optional), so a new field is drawn without a change here; a new *kind* fails loudly until
it is given a strategy. Paths are absolute, as the faces hand them to the engine (the
command line anchors typed paths at the current folder, the window's dialogs give
absolute ones). The cross-field rules of Settings.__post_init__ are then met by adjusting
the draw, never by filtering, so that every example is used.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from nst.settings import FIELDS, FieldSpec, Settings, field_spec
from nst.vgg.layers import CONV_LAYERS

# Names with what a user's paths hold: spaces, dots, accents, an '=' (--extra-style's
# separator), a comma.
_NAME = st.text(st.sampled_from("abcxyz ABC_-.=,é0123456789"), min_size=1, max_size=12).filter(
    lambda name: name.strip(" .") == name and name not in (".", "..")
)
PATHS = st.builds(lambda a, b: f"/tmp/nst roundtrip/{a}/{b}.png", _NAME, _NAME)
# Finite floats of every magnitude a user or a computed value may give (10 ** 0.843).
_UPPER = 1e9


def _float(spec: FieldSpec) -> st.SearchStrategy[float]:
    low = spec.low if spec.low is not None else -_UPPER
    high = spec.high if spec.high is not None else _UPPER
    return st.floats(low, high, exclude_min=spec.above, allow_nan=False, allow_infinity=False)


def _values(spec: FieldSpec) -> st.SearchStrategy[Any]:
    if spec.kind == "float":
        values = _float(spec)
    elif spec.kind == "int":
        low = int(spec.low) if spec.low is not None else -(2**63)
        high = int(spec.high) if spec.high is not None else 2**63 - 1
        values = st.integers(low, high)
    elif spec.kind == "choice":
        values = st.sampled_from(spec.choices)
    elif spec.kind == "path":
        values = PATHS
    elif spec.kind == "layers":
        weights = st.floats(0, 1000, allow_nan=False)
        values = st.dictionaries(st.sampled_from(CONV_LAYERS), weights, min_size=1, max_size=6)
    elif spec.kind == "styles":
        pair = st.tuples(PATHS, st.floats(0, 100, allow_nan=False))
        values = st.lists(pair, max_size=3).map(tuple)
    elif spec.kind == "bool":
        values = st.booleans()
    elif spec.kind == "changes":
        # Weights above 0: a change to 0 may switch off the last style layer or image,
        # which the settings refuse (tests/test_steering.py checks that refusal).
        names = ["content_weight", "style_weight", "tv_weight", "style_image_weight"]
        names += [
            f"{kind}.{layer}"
            for kind in ("style_layers", "content_layers")
            for layer in CONV_LAYERS
        ]
        change = st.tuples(
            st.integers(0, int(field_spec("iterations").high)),
            st.sampled_from(names),
            st.floats(0.001, 1000, allow_nan=False),
        )
        values = st.lists(change, max_size=3).map(
            lambda items: tuple(sorted(items, key=lambda c: c[0]))
        )
    elif spec.kind == "masks":
        values = st.lists(st.one_of(st.just(""), PATHS), max_size=4).map(tuple)
    else:
        raise AssertionError(f"no strategy for the kind {spec.kind!r} of {spec.name}")
    return st.one_of(st.none(), values) if spec.optional else values


@st.composite
def any_settings(draw: st.DrawFn) -> Settings:
    """Any valid Settings: every field drawn from the table, then made consistent."""
    values = {spec.name: draw(_values(spec)) for spec in FIELDS}
    # Cross-field rules (Settings.__post_init__), met by adjusting the draw:
    styles = 1 + len(values["extra_styles"])
    masks = values["style_masks"]
    if values["method"] != "gatys" or not any(masks):
        values["style_masks"] = ()
    else:
        values["style_masks"] = (masks * styles)[:styles]
        if not any(values["style_masks"]):
            values["style_masks"] = ()
    if values["method"] == "texture":
        values["colour"] = "style"
    if values["style_image_weight"] + sum(w for _, w in values["extra_styles"]) <= 0:
        values["style_image_weight"] = 1.0
    layers = dict(values["style_layers"])
    if not any(w > 0 for w in layers.values()):
        layers[next(iter(layers))] = 1.0
        values["style_layers"] = layers
    if values["work_size"] is not None and values["work_size"] > values["size"]:
        values["work_size"], values["size"] = values["size"], values["work_size"]
    return Settings(**values)

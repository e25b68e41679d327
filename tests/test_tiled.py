"""The objective in tiles (nst/objective/tiled.py) against the compiled loss on the whole
image: the same loss parts and gradient, and the tile plan that makes them so.

Colour preservation is not tested here: it changes only the images the loss is given
(nst/run/inputs.optimized_inputs) and the result's colours afterwards
(in_chosen_colours), never the loss's inputs' kind or its body. Several styles are: the
plain kind blends their Grams into one target per layer (nst/run/targets.py), the guided
kind stacks one per region.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pytest

from nst.objective.tile_plan import exact_halo, plan_tiles, pooling_grid, reach

PAPER_CONTENT = ("block4_conv2",)
PAPER_STYLE = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
PAPER = (PAPER_CONTENT, PAPER_STYLE)
SHALLOW = (("block2_conv2",), ("block1_conv1", "block2_conv1", "block3_conv1"))  # halo 24 px
STYLES = ("starry_night.jpg", "the_scream.jpg")
STYLE_WEIGHTS = (1.0, 0.5)
# The compiled loss and the tiled one sum the same float32 numbers in other orders: they
# agree to float32's rounding (about 1e-7 relative, measured 3e-7), well inside this.
FLOAT32_TOLERANCE = 1e-4

# --------------------------------------------------------------------------- the plan


@pytest.mark.parametrize(
    ("height", "width", "tile", "halo"), [(192, 256, 64, 160), (37, 250, 16, 32), (5, 5, 64, 160)]
)
def test_inner_parts_cover_every_pixel_once_on_the_grid(height, width, tile, halo) -> None:
    counts = np.zeros((height, width), int)
    for t in plan_tiles(height, width, tile, halo):
        top, left, bottom, right = t.inner
        counts[top:bottom, left:right] += 1
        assert top % 16 == left % 16 == t.outer[0] % 16 == t.outer[1] % 16 == 0
        # the halo: `halo` px on each side where the image has them, clipped at its borders
        assert t.outer == (
            max(0, top - halo),
            max(0, left - halo),
            min(height, bottom + halo),
            min(width, right + halo),
        )
    assert (counts == 1).all()


def test_grid_and_halo_come_from_the_deepest_layer() -> None:
    # block5_conv1: 4 poolings before it; its receptive field is 156 px (70 + 16 + 85 - 1).
    assert pooling_grid(PAPER_CONTENT + PAPER_STYLE) == 16
    assert reach("block5_conv1") == (70, 85)
    assert exact_halo(PAPER_CONTENT + PAPER_STYLE) == 160
    assert reach("block1_conv1") == (1, 1)
    assert (pooling_grid(("block3_conv1",)), exact_halo(("block3_conv1",))) == (4, 24)
    # 38 px before and 45 after a cell 8 px wide: 8 * 5 + 38 = 78 before the first pixel
    assert exact_halo(("block4_conv2",)) == 80


def test_tiles_off_the_grid_are_refused() -> None:
    with pytest.raises(ValueError, match="multiples of 16"):
        plan_tiles(100, 100, 40, 160)
    with pytest.raises(ValueError, match="multiples of 16"):
        plan_tiles(100, 100, 64, 150)


# --------------------------------------------------------------------------- the loss


@pytest.fixture(scope="module")
def scene(weights, samples) -> dict[str, Any]:
    return make_scene(weights, samples)


def make_scene(weights: Any, samples: Any) -> dict[str, Any]:
    """A 256x128 crop of the sample photo, noise on it (the image being optimized), two
    sample paintings at the same scale, and two regions: one style fading into the other
    from left to right."""
    from nst.imaging.load import load_image
    from nst.imaging.resize import resize_longest
    from nst.vgg.extractor import get_extractor

    photo = resize_longest(load_image(samples / "tubingen.jpg"), 256)[32:160]
    rng = np.random.default_rng(0)
    noisy = np.clip(photo + rng.normal(0.0, 40.0, photo.shape), 0.0, 255.0)
    paintings = [resize_longest(load_image(samples / n), 256) for n in STYLES]
    ramp = np.linspace(0.0, 1.0, photo.shape[1], dtype=np.float32)
    masks = np.stack([np.broadcast_to(m, photo.shape[:2]) for m in (1.0 - ramp, ramp)])
    return {
        "extractor": get_extractor(weights),
        "photo": photo[np.newaxis].astype(np.float32),
        "image": noisy[np.newaxis].astype(np.float32),
        "paintings": [p[np.newaxis].astype(np.float32) for p in paintings],
        "masks": masks[..., np.newaxis].astype(np.float32),
    }


def _arguments(scene: dict[str, Any], layers: Any, precision: str, guided: bool) -> list[Any]:
    """compile_loss's arguments: targets from the photo and both paintings, as a run has
    them (nst/run/targets.py, nst/run/session.py), with uneven layer weights."""
    from nst.run.targets import compute_targets
    from nst.tf_runtime import tf

    content_layers, style_layers = layers
    paintings = [tf.constant(p) for p in scene["paintings"]]
    photo = tf.constant(scene["photo"])
    targets = compute_targets(
        scene["extractor"], photo, paintings, STYLE_WEIGHTS, *layers, precision, guided
    )
    arguments = [
        tf.constant(scene["image"]),
        *targets,
        tf.constant(np.linspace(1.0, 2.0, len(content_layers)), tf.float32),
        tf.constant(np.linspace(2.0, 1.0, len(style_layers)), tf.float32),
        tf.constant([1.0, 10.0, 5.0]),
    ]
    if guided:
        masks = tf.constant(scene["masks"])
        shares = tf.reduce_mean(masks, axis=(1, 2, 3))
        arguments += [masks, tf.constant(STYLE_WEIGHTS, tf.float32) * shares]
    return arguments


def evaluate(
    scene: dict[str, Any],
    layers: Any,
    precision: str = "float32",
    guided: bool = False,
    halo: int | None = None,
) -> Any:
    """(parts, gradient) of the compiled loss on the whole image (``halo`` None), or in
    tiles of 64 px with ``halo`` px around them (0: the least exact halo)."""
    from nst.objective.builder import compile_loss
    from nst.objective.tiled import TiledLoss

    extractor = scene["extractor"]
    if halo is None:
        loss = compile_loss(extractor, *layers, precision, guided)
    else:
        loss = TiledLoss(extractor, *layers, precision, guided, tile=64, halo=halo or None)
        assert any(t.outer[3] - t.outer[1] < 256 for t in loss.plan(128, 256))  # some are cut
    _, parts, gradient = loss(*_arguments(scene, layers, precision, guided))
    return parts.numpy(), gradient.numpy()


def errors(reference: Any, other: Any) -> tuple[float, float, float]:
    """The largest relative error of the parts; the gradient's difference as a share of
    its L2 norm, and its largest absolute difference as a share of its largest value."""
    (parts, grad), (other_parts, other_grad) = reference, other
    difference = other_grad - grad
    return (
        float(np.max(np.abs(other_parts - parts) / np.abs(parts))),
        float(np.linalg.norm(difference) / np.linalg.norm(grad)),
        float(np.max(np.abs(difference)) / np.max(np.abs(grad))),
    )


def _off_the_grid(scene: dict) -> dict:
    """The scene cut to 250x122 px, sides off the 16 px grid: VGG19's VALID poolings floor
    odd sizes (250 -> 125 -> 62 -> 31 -> 15, 122 -> 61 -> 30 -> 15 -> 7). The last column
    of 64 px tiles sees pixels 32..250: it starts on the grid inside the image and ends at
    the image's edge, off the grid, where the whole image's last positions end too; the
    regions' masks are averaged down to those floored sizes ("area" resizing)."""
    assert (32, 250) in {(t.outer[1], t.outer[3]) for t in plan_tiles(122, 250, 64, 160)}
    return {**scene, **{k: scene[k][:, :122, :250] for k in ("photo", "image", "masks")}}


@pytest.mark.slow
@pytest.mark.parametrize(
    "guided", [False, True], ids=["two-styles-blended-256x128", "two-regions-250x122"]
)
def test_paper_layers_in_tiles_equal_the_whole_image(scene, guided) -> None:
    # The regions' case also runs at a size off the pooling grid (one run, not two).
    scene = _off_the_grid(scene) if guided else scene
    whole = evaluate(scene, PAPER, guided=guided)
    assert max(errors(whole, evaluate(scene, PAPER, guided=guided, halo=0))) < FLOAT32_TOLERANCE


@pytest.mark.slow
def test_in_bfloat16_tiles_differ_from_the_whole_image_far_less_than_from_float32(scene) -> None:
    # bfloat16 keeps 8 bits of mantissa (relative rounding 2^-8, about 4e-3): the whole
    # image's gradient in bfloat16 is some 6% (L2) off float32's. Tiles change the
    # convolutions' shapes, hence where oneDNN's backward pass rounds, not the features
    # (the parts agree to float32's rounding): measured 0.3% of the L2 norm at most,
    # against the 6%; a tenth of bfloat16's own error is the bound.
    with_regions = {"guided": True}
    whole = evaluate(scene, PAPER, "bfloat16", **with_regions)
    own_error = errors(evaluate(scene, PAPER, "float32", **with_regions), whole)
    tiled = evaluate(scene, PAPER, "bfloat16", halo=0, **with_regions)
    parts_error, *gradient_errors = errors(whole, tiled)
    assert parts_error < FLOAT32_TOLERANCE
    assert all(e < own / 10 for e, own in zip(gradient_errors, own_error[1:]))


@pytest.mark.slow
def test_a_halo_short_of_the_exact_one_misses_part_of_the_gradient(scene) -> None:
    # A position of block3_conv1 (4 px apart) sees pixels 10 px before its cell's start
    # and 13 after: the inner part's values need 10 px of halo on either side (12 on the
    # grid), the gradient at its pixels 22 (24): a halo of 16 keeps the parts exact, not
    # the gradient next to the tiles' edges.
    whole = evaluate(scene, SHALLOW)
    short = errors(whole, evaluate(scene, SHALLOW, halo=16))
    assert short[0] < FLOAT32_TOLERANCE < 10 * FLOAT32_TOLERANCE < short[2]
    assert max(errors(whole, evaluate(scene, SHALLOW, halo=0))) < FLOAT32_TOLERANCE


@pytest.mark.slow
@pytest.mark.parametrize(("layers", "tile"), [(PAPER, 64), (SHALLOW, 32)], ids=["paper", "shallow"])
def test_targets_in_tiles_equal_the_whole_images(scene, layers, tile) -> None:
    # A tiled stage computes its targets in tiles too (nst/objective/tiled_targets.py):
    # the photo's content maps laid together from the inner parts, the paintings' Grams
    # summed from them, blended by their weights or stacked per region.
    from nst.run.targets import compute_targets
    from nst.tf_runtime import tf

    photo, paintings = tf.constant(scene["photo"]), [tf.constant(p) for p in scene["paintings"]]
    for guided in (False, True):
        arguments = (scene["extractor"], photo, paintings, STYLE_WEIGHTS, *layers, "float32")
        whole = compute_targets(*arguments, guided)
        tiled = compute_targets(*arguments, guided, tile=tile)
        for kind, tiled_kind in zip(whole, tiled):
            assert len(kind) == len(tiled_kind) > 0
            for target, tiled_target in zip(kind, tiled_kind):
                assert tiled_target.shape == target.shape
                scale = float(tf.reduce_max(tf.abs(target)))
                assert float(tf.reduce_max(tf.abs(tiled_target - target))) < 1e-5 * scale


@pytest.mark.slow
def test_the_loss_without_its_gradient_is_the_same_loss(scene) -> None:
    # A result's losses need no gradient (Transfer.saved_losses): the whole image's
    # forward pass alone (loss_function(gradient=False)), in tiles the first pass alone.
    from nst.objective.builder import compile_loss
    from nst.objective.tiled import TiledLoss

    extractor, kind = scene["extractor"], (*SHALLOW, "float32", True)
    arguments = _arguments(_off_the_grid(scene), SHALLOW, "float32", True)
    total, parts, _ = compile_loss(extractor, *kind)(*arguments)
    whole = compile_loss(extractor, *kind, gradient=False)(*arguments)
    tiled = TiledLoss(extractor, *kind, tile=32).value(*arguments)
    for value_total, value_parts in (whole, tiled):
        np.testing.assert_allclose(value_parts.numpy(), parts.numpy(), rtol=FLOAT32_TOLERANCE)
        assert float(value_total) == pytest.approx(float(total), rel=FLOAT32_TOLERANCE)


def test_tensorflows_warning_that_a_tile_pass_traced_again_is_not_shown(caplog) -> None:
    # A sweep's 768 px cell in 9 tiles printed it on a user's terminal: the tiles' few
    # shapes trace in the first evaluation only (ExpectedRetracing). TensorFlow's other
    # warnings still show.
    import nst.objective.tiled  # noqa: F401  (installs the filter)

    tensorflow = logging.getLogger("tensorflow")
    with caplog.at_level(logging.WARNING):
        tensorflow.warning(
            "5 out of the last 28 calls to <bound method TiledLoss._sums_in of "
            "<nst.objective.tiled.TiledLoss object at 0x7ff16215a1d0>> triggered "
            "tf.function retracing. Tracing is expensive."
        )
        tensorflow.warning(
            "5 out of the last 5 calls to <function f at 0x7f> triggered tf.function retracing."
        )
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1 and "<function f" in messages[0]

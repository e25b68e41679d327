"""The compiled loss: (image, targets, weights) -> (total, parts, gradient) through VGG19.

One ``tf.function`` per layer choice, precision and kind (plain or guided) per process,
with a fixed input signature whose targets and loss weights are arguments, so neither
changing a weight nor starting a new run with the same layers traces it again.

The guided kind (``guided=True``) has one style target per region (guided Gram matrices,
Gatys et al. 2017, "Controlling Perceptual Factors", section 4.1) and takes two more
arguments, the region masks and the region weights; everything else is the same body.
"""

from __future__ import annotations

import threading
from typing import Any

from nst.objective.losses import (
    content_loss,
    gram,
    guided_grams,
    loss_layers,
    style_error,
    total_variation,
    weighted_mean,
)
from nst.objective.tiled import TiledLoss
from nst.tf_runtime import tf
from nst.vgg.extractor import FeatureExtractor

_IMAGE_SPEC = tf.TensorSpec(shape=(1, None, None, 3), dtype=tf.float32)
_VECTOR_SPEC = tf.TensorSpec(shape=(None,), dtype=tf.float32)
_MASKS_SPEC = tf.TensorSpec(shape=(None, None, None, 1), dtype=tf.float32)
_compiled: dict[tuple[Any, ...], Any] = {}  # the compiled functions, one per key a process
_compiled_lock = threading.Lock()


def _cached(key: tuple[Any, ...], build: Any) -> Any:
    with _compiled_lock:
        if key not in _compiled:
            _compiled[key] = build()
        return _compiled[key]


def loss_function(
    extractor: FeatureExtractor,
    content_layers: tuple[str, ...],
    style_layers: tuple[str, ...],
    precision: str = "float32",
    guided: bool = False,
    tile: int | None = None,
    gradient: bool = True,
) -> Any:
    """The compiled (image, targets, weights) -> (total, parts, gradient) for these layers.

    One per layer choice, precision and kind per process; weights and targets are
    arguments, so a new run or a new weight reuses the same graph. ``guided``: the style
    term is per region (see :func:`compile_loss`), with masks and region weights as two
    more arguments. ``tile``: the same loss evaluated in tiles of that many px
    (tiled.TiledLoss, least exact halo), one per tile size too, so that its graphs for
    each tile shape are traced once. Without ``gradient``: (total, parts) alone, a forward
    pass (in tiles, pass 1 and the head), about a third of an evaluation: a result's
    losses, where no step follows.
    """
    kind = (content_layers, style_layers, precision, guided)
    if tile is not None:
        tiled = _cached(
            ("tiled", id(extractor), *kind, tile), lambda: TiledLoss(extractor, *kind, tile=tile)
        )
        return tiled if gradient else tiled.value
    key = ("loss" if gradient else "value", id(extractor), *kind)
    return _cached(key, lambda: compile_loss(extractor, *kind, gradient=gradient))


def features_function(
    extractor: FeatureExtractor,
    content_layers: tuple[str, ...],
    style_layers: tuple[str, ...],
    precision: str,
) -> Any:
    """The compiled image -> features of the loss's layers (the run's targets come from it).

    Compiled like the loss and through the same layers, so that targets and the loss's
    features round alike: in bfloat16 eager ops round differently from the graph's, and a
    perfect match (the content reconstruction from the photo itself) scored about 1e-5
    instead of 0 and never converged."""
    layers = loss_layers(content_layers, style_layers)

    def build() -> Any:
        return tf.function(
            lambda image: extractor(image, layers, precision), input_signature=[_IMAGE_SPEC]
        )

    return _cached(("features", id(extractor), layers, precision), build)


def compile_loss(
    extractor: FeatureExtractor,
    content_layers: tuple[str, ...],
    style_layers: tuple[str, ...],
    precision: str,
    guided: bool = False,
    gradient: bool = True,
) -> Any:
    """A new compiled loss and gradient (use :func:`loss_function`, which caches them);
    without ``gradient`` the loss alone, (total, parts).

    Arguments: image (1, H, W, 3); content targets, one (1, h, w, c) per content layer;
    style Grams, one (C, C) per style layer, or guided one (R, C, C) stack per layer;
    content, style layer weights; the global (content, style, tv) weights; guided only:
    ``masks`` and ``region_w``.

    Guided: ``masks`` (R, H, W, 1) hold each region's weight per pixel at the image's
    size; at each layer they are averaged down to the layer's size ("area" resizing:
    VGG19's poolings halve the size, so a layer's position covers that block of pixels).
    Region r's Gram is the mask-weighted mean of f f^T over positions; its target
    ``style_grams[l][r]`` is the Gram of region r's style image. A region's relative error
    counts by ``region_w[r]`` (its style weight times its share of the picture).
    """
    layers = loss_layers(content_layers, style_layers)
    wrap = extractor.padding == "circular"  # a tileable picture: smooth across its seams too
    content_specs = tuple(tf.TensorSpec((1, None, None, None), tf.float32) for _ in content_layers)
    gram_shape = (None, None, None) if guided else (None, None)
    gram_specs = tuple(tf.TensorSpec(gram_shape, tf.float32) for _ in style_layers)
    signature = [_IMAGE_SPEC, content_specs, gram_specs, _VECTOR_SPEC, _VECTOR_SPEC, _VECTOR_SPEC]
    if guided:
        signature += [_MASKS_SPEC, _VECTOR_SPEC]

    def layer_error(features: tf.Tensor, target: tf.Tensor, regions: tuple[Any, ...]) -> Any:
        if not regions:
            return style_error(gram(features), target)
        masks, region_w = regions
        return style_error(guided_grams(features, masks), target, region_w)

    # *regions: () for the plain loss, (masks, region_w) for the guided one; the signature
    # above fixes which, so each compiled function traces once per image shape.
    def loss(image, content_targets, style_grams, content_w, style_w, global_w, *regions):
        features = extractor(image, layers, precision)
        content = weighted_mean(
            [content_loss(features[n], t) for n, t in zip(content_layers, content_targets)],
            content_w,
        )
        style = weighted_mean(
            [layer_error(features[n], t, regions) for n, t in zip(style_layers, style_grams)],
            style_w,
        )
        parts = tf.stack([content, style, total_variation(image, wrap)]) * global_w
        return tf.reduce_sum(parts), parts

    def loss_and_gradient(image, *arguments):
        with tf.GradientTape() as tape:
            tape.watch(image)
            total, parts = loss(image, *arguments)
        return total, parts, tape.gradient(total, image)

    return tf.function(loss_and_gradient if gradient else loss, input_signature=signature)

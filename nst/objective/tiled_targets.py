"""A run's targets from an image too large to pass through VGG19 whole: the content
layers' features and the style layers' Gram matrices, assembled from tiles.

The forward pass only, so it needs what pass 1 of a tiled evaluation needs (tiled.py): a
tile with the exact halo computes the features of its inner part as the whole image
would (tile_plan.py says why), so the content maps are the inner parts laid side by side
and each Gram is the inner parts' sums of f f^T over the whole image's positions.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nst.objective.losses import loss_layers
from nst.objective.tile_plan import exact_halo, plan_tiles, pooling_grid, pools_before
from nst.tf_runtime import tf

Features = Callable[[tf.Tensor], dict[str, tf.Tensor]]


def tiled_targets(
    features: Features,
    image: tf.Tensor,
    content_layers: tuple[str, ...],
    style_layers: tuple[str, ...],
    tile: int,
) -> tuple[dict[str, tf.Tensor], dict[str, tf.Tensor]]:
    """({content layer: its (1, h, w, C) map}, {style layer: its (C, C) Gram, as
    losses.gram}) of ``image`` (1, H, W, 3), through ``features`` (the compiled image ->
    features of nst.objective.builder.features_function) in tiles of ``tile`` px."""
    layers = loss_layers(content_layers, style_layers)
    height, width = int(image.shape[1]), int(image.shape[2])
    strides = {name: 2 ** pools_before(name) for name in layers}
    maps: dict[str, np.ndarray] = {}
    sums: dict[str, tf.Tensor] = {}
    for part in plan_tiles(height, width, tile, exact_halo(layers), pooling_grid(layers)):
        top, left, bottom, right = part.outer
        seen = features(image[:, top:bottom, left:right, :])
        in_top, in_left, in_bottom, in_right = part.inner_in_outer
        for name in layers:
            s = strides[name]
            inner = seen[name][:, in_top // s : in_bottom // s, in_left // s : in_right // s, :]
            if name in content_layers:
                whole = maps.setdefault(
                    name,
                    np.zeros((1, height // s, width // s, inner.shape[3]), np.float32),
                )
                row, col = part.inner[0] // s, part.inner[1] // s
                whole[:, row : row + inner.shape[1], col : col + inner.shape[2], :] = inner.numpy()
            if name in style_layers:
                flat = tf.reshape(inner, (-1, inner.shape[3]))
                product = tf.matmul(flat, flat, transpose_a=True)
                sums[name] = product if name not in sums else sums[name] + product
    grams = {
        name: sums[name] / float((height // strides[name]) * (width // strides[name]))
        for name in style_layers
    }
    return {name: tf.constant(maps[name]) for name in content_layers}, grams

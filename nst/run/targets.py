"""The run's targets, computed once per size outside the loop: the content layers'
features, and per style layer the style Gram matrix to match."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nst.objective.builder import features_function
from nst.objective.losses import gram
from nst.objective.tiled_targets import tiled_targets
from nst.tf_runtime import tf
from nst.vgg.extractor import FeatureExtractor


def compute_targets(
    extractor: FeatureExtractor,
    content_image: tf.Tensor,
    style_images: Sequence[tf.Tensor],
    style_weights: Sequence[float],
    content_layers: tuple[str, ...],
    style_layers: tuple[str, ...],
    precision: str,
    guided: bool,
    tile: int | None = None,
    style_extractor: FeatureExtractor | None = None,
) -> tuple[tuple[tf.Tensor, ...], tuple[tf.Tensor, ...]]:
    """Content features, and per style layer the Gram target: the style images' Grams
    blended by their weights, or with regions (``guided``) one Gram per style image,
    stacked. ``tile``: each image passes through VGG19 in tiles of that many px
    (tiled_targets.py), as the run's tiled stages evaluate their loss. ``style_extractor``:
    the one that measures the style images, where its padding differs (a tileable run's:
    inputs.style_padding)."""
    # Targets in the run's precision, so that a perfect match scores 0 in that precision.
    features = features_function(extractor, content_layers, style_layers, precision)
    style_features = features
    if style_extractor is not None and style_extractor is not extractor:
        style_features = features_function(style_extractor, content_layers, style_layers, precision)

    def measure(
        image: tf.Tensor, features: Any
    ) -> tuple[dict[str, tf.Tensor], dict[str, tf.Tensor]]:
        """(content maps, style Grams) of one image, through ``features``."""
        if tile is not None:
            return tiled_targets(features, image, content_layers, style_layers, tile)
        seen = features(image)
        return seen, {name: gram(seen[name]) for name in style_layers}

    content_feats = measure(content_image, features)[0] if content_layers else {}
    per_style = [
        measure(image, style_features)[1] if style_layers and (guided or weight > 0) else None
        for image, weight in zip(style_images, style_weights)
    ]
    grams = []
    for name in style_layers:
        each = [g[name] if g is not None else None for g in per_style]
        if guided:
            grams.append(tf.stack(each))
        else:
            total = sum(w for w in style_weights if w > 0)
            pairs = zip(each, style_weights)
            grams.append(tf.add_n([g * (w / total) for g, w in pairs if w > 0]))
    return tuple(content_feats[n] for n in content_layers), tuple(grams)

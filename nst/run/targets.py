"""The run's targets, computed once per size outside the loop: the content layers'
features, and per style layer the style Gram matrix to match."""

from __future__ import annotations

from collections.abc import Sequence

from nst.objective.builder import features_function
from nst.objective.losses import gram
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
) -> tuple[tuple[tf.Tensor, ...], tuple[tf.Tensor, ...]]:
    """Content features, and per style layer the Gram target: the style images' Grams
    blended by their weights, or with regions (``guided``) one Gram per style image,
    stacked."""
    # Targets in the run's precision, so that a perfect match scores 0 in that precision.
    features = features_function(extractor, content_layers, style_layers, precision)
    content_feats = features(content_image) if content_layers else {}
    per_style = [
        features(image) if style_layers and (guided or weight > 0) else None
        for image, weight in zip(style_images, style_weights)
    ]
    grams = []
    for name in style_layers:
        each = [gram(f[name]) if f is not None else None for f in per_style]
        if guided:
            grams.append(tf.stack(each))
        else:
            total = sum(w for w in style_weights if w > 0)
            pairs = zip(each, style_weights)
            grams.append(tf.add_n([g * (w / total) for g, w in pairs if w > 0]))
    return tuple(content_feats[n] for n in content_layers), tuple(grams)

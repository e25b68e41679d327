"""The image a run's first stage starts from: the photo, the painting, the instant
method's result, or white noise (Settings.init; a texture always from noise); and the
image each later stage starts from, the previous stage's best scaled up."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nst.run.inputs import instant_start
from nst.settings import Settings
from nst.tf_runtime import tf


def start_image(
    settings: Settings,
    content_image: tf.Tensor,
    style_images: Sequence[tf.Tensor],
    style_weights: Sequence[float],
) -> tf.Tensor:
    """The start (1, H, W, 3) float32 at ``content_image``'s size, from the stage's
    images (each (1, h, w, 3) float32) and the style images' weights."""
    height, width = int(content_image.shape[1]), int(content_image.shape[2])
    # A texture always grows from noise: there is no photo to start from.
    init = "noise" if settings.method == "texture" else settings.init
    if init == "content":
        return content_image
    if init == "style":
        return tf.image.resize(style_images[0], (height, width), method="bicubic")
    if init == "instant":
        styles = [image[0].numpy() for image in style_images]
        content = content_image[0].numpy()
        start = instant_start(content, styles, list(style_weights), settings.style_strength)
        return tf.constant(start[np.newaxis].astype(np.float32))
    # White noise (Gatys et al. 2016, section 2.3), uniform over the whole 0..255 range.
    rng = np.random.default_rng(settings.seed)
    noise = rng.uniform(0.0, 255.0, size=(1, height, width, 3))
    return tf.constant(noise.astype(np.float32))


def scaled_up(previous: tf.Tensor, height: int, width: int, wrap: bool) -> tf.Tensor:
    """The previous stage's best image (1, h, w, 3) at ``height`` x ``width``, bicubic, in
    0..255. ``wrap`` (a tileable picture): scaled as the middle of a 3 x 3 tiling, so that
    its edges go on meeting as they did (a plain resize sees an edge there)."""
    if not wrap:
        return tf.clip_by_value(tf.image.resize(previous, (height, width), "bicubic"), 0.0, 255.0)
    ring = tf.tile(previous, (1, 3, 3, 1))
    large = tf.image.resize(ring, (3 * height, 3 * width), "bicubic")
    return tf.clip_by_value(large[:, height : 2 * height, width : 2 * width, :], 0.0, 255.0)

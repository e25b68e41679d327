"""The loss terms of Gatys et al. 2016, as pure TensorFlow functions.

Departures from the paper, and why:

- Content (paper eq. 1: 1/2 sum (F - P)^2) and style (eq. 4: 1/(4 N^2 M^2) sum (G - A)^2)
  are divided here by the squared norm of their target (P, or A), so each term is a
  relative error: about 1 when the image shares nothing with the target, 0 when it
  matches. The paper's raw sums grow with the image size and differ by orders of
  magnitude between layers, so its weights (alpha/beta = 1e-3 .. 1e-4) only hold for one
  size and one layer set. Relative errors make the same weights work at 256 and 1024 px
  and for any choice of layers.
- Gram matrices are divided by the number of positions M = H * W (as in eq. 4's 1/M^2),
  so a Gram does not grow with the image.
- Total variation (not in the 2016 paper; Mahendran & Vedaldi 2015, used by Johnson et al.
  2016) is the mean squared difference of neighbouring pixels, in units of the full
  0..255 range, so that its value does not depend on the image size.
"""

from __future__ import annotations

from typing import Any

from nst.tf_runtime import tf

# Added to denominators that could be zero: a target of all zeros (a black image's
# features) must not divide by zero. Small against any real target's squared norm.
EPSILON = 1e-8


def gram(features: tf.Tensor) -> tf.Tensor:
    """Gram matrix of a (1, H, W, C) feature map, divided by H * W: shape (C, C)."""
    shape = tf.shape(features)
    positions = tf.cast(shape[1] * shape[2], features.dtype)
    flat = tf.reshape(features, (-1, shape[3]))
    return tf.matmul(flat, flat, transpose_a=True) / positions


def guided_grams(features: tf.Tensor, masks: tf.Tensor) -> tf.Tensor:
    """One Gram per region of a (1, H, W, C) feature map: shape (R, C, C).

    ``masks`` (R, Hm, Wm, 1) is each region's weight per pixel of the image; it is averaged
    down to the features' H x W. Region r's Gram is the mask-weighted mean of f f^T over
    positions (sum_p m_p f_p f_p^T / sum_p m_p), so a region's Gram does not depend on its
    area, as :func:`gram` does not depend on the image's.
    """
    shape = tf.shape(features)
    small = tf.image.resize(masks, (shape[1], shape[2]), method="area")  # (R, H, W, 1)
    flat = tf.reshape(features, (1, -1, shape[3]))  # (1, P, C)
    weights = tf.reshape(small, (tf.shape(masks)[0], -1, 1))  # (R, P, 1)
    weighted = flat * weights  # (R, P, C)
    sums = tf.reduce_sum(weights, axis=1, keepdims=True)  # (R, 1, 1)
    # matmul broadcasts the single feature map over the regions: (R,P,C)^T (1,P,C) -> (R,C,C)
    return tf.matmul(weighted, flat, transpose_a=True) / (sums + EPSILON)


def content_loss(features: tf.Tensor, target: tf.Tensor) -> tf.Tensor:
    """||F - P||^2 / ||P||^2: the relative squared error of the features."""
    diff = tf.reduce_sum(tf.square(features - target))
    return diff / (tf.reduce_sum(tf.square(target)) + EPSILON)


def style_loss(gram_matrix: tf.Tensor, target_gram: tf.Tensor) -> tf.Tensor:
    """||G - A||^2 / ||A||^2: the relative squared error of the Gram matrices."""
    diff = tf.reduce_sum(tf.square(gram_matrix - target_gram))
    return diff / (tf.reduce_sum(tf.square(target_gram)) + EPSILON)


def total_variation(image: tf.Tensor, wrap: bool = False) -> tf.Tensor:
    """Mean squared difference of horizontal and vertical neighbours, image in 0..255.
    ``wrap``: the last row and column neighbour the first (a tileable picture's seams)."""
    scaled = image / 255.0
    if wrap:
        dy = scaled - tf.roll(scaled, 1, axis=1)
        dx = scaled - tf.roll(scaled, 1, axis=2)
    else:
        dy = scaled[:, 1:, :, :] - scaled[:, :-1, :, :]
        dx = scaled[:, :, 1:, :] - scaled[:, :, :-1, :]
    return tf.reduce_mean(tf.square(dy)) + tf.reduce_mean(tf.square(dx))


def weighted_mean(losses: list[tf.Tensor], weights: tf.Tensor) -> tf.Tensor:
    """Sum of weight * loss over the sum of weights (0 when there is no loss).

    Dividing by the weights' sum keeps layer weights relative: checking one more style
    layer changes the mix, not the overall strength of the style term.
    """
    if not losses:
        return tf.constant(0.0, dtype=tf.float32)
    stacked = tf.stack(losses)
    return tf.reduce_sum(stacked * weights) / (tf.reduce_sum(weights) + EPSILON)


def loss_layers(content_layers: tuple[str, ...], style_layers: tuple[str, ...]) -> tuple[str, ...]:
    """The layers the loss reads, each once: the content layers, then the style layers."""
    return tuple(dict.fromkeys(content_layers + style_layers))


def style_error(grams: tf.Tensor, target: tf.Tensor, region_w: tf.Tensor | None = None) -> Any:
    """One style layer's relative error from its Gram; guided (``region_w`` given), from its
    Grams per region: the regions' errors' mean weighted by ``region_w``. The tiled loss
    (tiled.py) forms its Grams in tiles and scores them here too."""
    if region_w is None:
        return style_loss(grams, target)
    errors = tf.map_fn(
        lambda pair: style_loss(pair[0], pair[1]), (grams, target), fn_output_signature=tf.float32
    )
    return _region_mean(errors, region_w)


def _region_mean(errors: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    return tf.reduce_sum(errors * weights) / (tf.reduce_sum(weights) + EPSILON)

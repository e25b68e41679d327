"""The compiled loss's objective evaluated in tiles: the same total, parts and gradient as
builder.compile_loss, while the network sees one tile and its halo at a time, so that the
whole image's features never exist at once (Galerne et al., "Scaling Painting Style
Transfer", EGSR 2024). Where the tiles lie, and why that is exact: tile_plan.py.

The loss depends on the features only through sums over positions: per style layer
S = sum_p f_p f_p^T (guided: weighted by each region's mask), whose Gram is S over the
positions (or the mask's sum), and per content layer E = sum_p (f_p - p_p)^2.

- Pass 1, without gradients: each tile's inner part adds its S and E. The loss and its
  parts follow from the sums as compile_loss forms them, and so does dL/dS and dL/dE
  (a few C x C matrices), by differentiating that small step.
- Pass 2: each tile again, on a tape; the gradient of <dL/dS, S_tile> + dL/dE E_tile,
  with the tile's sums over its inner part and halo, is the loss's gradient at the
  tile's inner pixels (every position that sees one of them lies in the tile and is
  exact there); the inner part is kept.

Total variation is a few operations per pixel: computed on the whole image.
"""

from __future__ import annotations

import logging
from typing import Any

from nst.objective.losses import EPSILON, loss_layers, style_error, total_variation, weighted_mean
from nst.objective.tile_plan import Tile, exact_halo, plan_tiles, pooling_grid, pools_before
from nst.tf_runtime import tf
from nst.vgg.extractor import FeatureExtractor

Box = tuple[int, int, int, int]  # top, left, bottom, right in pixels (tile_plan.Tile)


class ExpectedRetracing(logging.Filter):
    """Drops TensorFlow's warning that a tile pass traced again ("5 out of the last 28
    calls to <bound method TiledLoss._sums_in ...> triggered tf.function retracing"). A
    plan's tiles have a few shapes (the middle ones, those clipped at each border), and
    the passes trace for them in the first evaluation only, until reduce_retracing takes
    any shape: 768x576 px in 9 tiles of 256 px (six shapes) traced pass 1 four times and
    pass 2 three, then not again over more evaluations. Nothing a user could act on.
    Other functions' warnings pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return not ("triggered tf.function retracing" in text and "TiledLoss." in text)


logging.getLogger("tensorflow").addFilter(ExpectedRetracing())


def _crop(x: Any, box: Any, stride: int) -> Any:
    """The positions of a (N, H, W, C) map whose cells lie in ``box`` (pixels on the grid,
    in the map's own frame): positions are ``stride`` px apart."""
    return x[:, box[0] // stride : box[2] // stride, box[1] // stride : box[3] // stride, :]


def _sums(features: tf.Tensor, masks: tf.Tensor | None) -> tf.Tensor:
    """sum_p f_p f_p^T of a (1, h, w, C) map, (C, C); with ``masks`` (R, h, w, 1), one
    mask-weighted sum per region, (R, C, C): losses.gram and losses.guided_grams before
    their division."""
    flat = tf.reshape(features, (-1, tf.shape(features)[3]))
    if masks is None:
        return tf.matmul(flat, flat, transpose_a=True)
    weights = tf.reshape(masks, (tf.shape(masks)[0], -1, 1))  # (R, P, 1)
    return tf.matmul(flat[tf.newaxis] * weights, flat[tf.newaxis], transpose_a=True)


class TiledLoss:
    """(image, targets, weights[, masks, region_w]) -> (total, parts, gradient), as the
    compiled loss of the same layers, precision and kind (builder.compile_loss), in tiles
    of ``tile`` px with ``halo`` px around them (default: the least exact halo)."""

    def __init__(
        self,
        extractor: FeatureExtractor,
        content_layers: tuple[str, ...],
        style_layers: tuple[str, ...],
        precision: str = "float32",
        guided: bool = False,
        tile: int = 256,
        halo: int | None = None,
    ) -> None:
        self.extractor = extractor
        self.content_layers, self.style_layers = content_layers, style_layers
        self.precision, self.guided = precision, guided
        self.layers = loss_layers(content_layers, style_layers)
        self.grid = pooling_grid(self.layers)
        self.tile = tile
        self.halo = exact_halo(self.layers) if halo is None else halo
        self.strides = {name: 2 ** pools_before(name) for name in self.layers}
        # Traced per tile shape at first, then for any shape (a plan has a few shapes: the
        # middle tiles, and those clipped at each border).
        self._tile_sums = tf.function(self._sums_in, reduce_retracing=True)
        self._tile_gradient = tf.function(self._gradient_in, reduce_retracing=True)

    def plan(self, height: int, width: int) -> list[Tile]:
        return plan_tiles(height, width, self.tile, self.halo, self.grid)

    def __call__(self, image, content_targets, style_grams, content_w, style_w, global_w, *regions):
        """The arguments of builder.compile_loss; returns (total, parts, gradient)."""
        arguments = (content_targets, style_grams, content_w, style_w, global_w, *regions)
        return self._evaluate(image, True, *arguments)

    def value(self, image, content_targets, style_grams, content_w, style_w, global_w, *regions):
        """(total, parts) alone: pass 1 and the head, a third of an evaluation's work."""
        arguments = (content_targets, style_grams, content_w, style_w, global_w, *regions)
        return self._evaluate(image, False, *arguments)[:2]

    def _evaluate(
        self,
        image,
        with_gradient,
        content_targets,
        style_grams,
        content_w,
        style_w,
        global_w,
        *regions,
    ):
        """(total, parts, gradient); without ``with_gradient`` pass 2 is left out (None)."""
        image = tf.convert_to_tensor(image, tf.float32)
        height, width = int(image.shape[1]), int(image.shape[2])
        tiles = self.plan(height, width)
        masks = self._layer_masks(regions[0], height, width) if regions else None

        def part(tile: Tile, box: Box) -> tuple[Any, ...]:
            """The tile's pixels, and the content targets and masks cropped to ``box``."""
            pixels = _crop(image, tile.outer, 1)
            targets = tuple(
                _crop(t, box, self.strides[n]) for n, t in zip(self.content_layers, content_targets)
            )
            cropped = None
            if masks is not None:
                cropped = tuple(_crop(m, box, self.strides[n]) for n, m in masks.items())
            return pixels, tf.constant(tile.inner_in_outer), targets, cropped

        sums, errors = None, None
        for tile in tiles:
            tile_sums, tile_errors = self._tile_sums(*part(tile, tile.inner))
            sums = tile_sums if sums is None else [a + b for a, b in zip(sums, tile_sums)]
            errors = tile_errors if errors is None else [a + b for a, b in zip(errors, tile_errors)]

        head = self._head(image, sums, errors, content_targets, style_grams, masks)
        total, parts, (d_image, d_sums, d_errors) = head(content_w, style_w, global_w, *regions[1:])
        if not with_gradient:
            return total, parts, None
        gradient = d_image.numpy()  # total variation's, to which the tiles' add
        for tile in tiles:
            top, left, bottom, right = tile.inner
            piece = self._tile_gradient(*part(tile, tile.outer), tuple(d_sums), tuple(d_errors))
            gradient[:, top:bottom, left:right, :] += piece.numpy()
        return total, parts, tf.constant(gradient)

    def _layer_masks(self, masks: tf.Tensor, height: int, width: int) -> dict[str, tf.Tensor]:
        """The region masks at each style layer's size of the whole image, averaged down as
        losses.guided_grams does, so that cropping them gives each tile the same weights."""
        return {
            name: tf.image.resize(
                masks, (height // self.strides[name], width // self.strides[name]), "area"
            )
            for name in self.style_layers
        }

    def _head(self, image, sums, errors, content_targets, style_grams, masks):
        """A function of the weights giving the total, its parts, and the gradient of the
        total with respect to the image (total variation's part), the sums and the errors:
        builder.compile_loss's body with the features' sums in place of the features."""
        height, width = int(image.shape[1]), int(image.shape[2])

        def divisor(name: str) -> tf.Tensor:
            if masks is None:  # losses.gram: the number of positions
                return tf.constant(
                    (height // self.strides[name]) * (width // self.strides[name]), tf.float32
                )
            # losses.guided_grams: each region's mask summed over the layer's positions
            small = masks[name]
            return tf.reduce_sum(small, axis=(1, 2, 3))[:, tf.newaxis, tf.newaxis] + EPSILON

        divisors = [divisor(name) for name in self.style_layers]
        norms = [tf.reduce_sum(tf.square(t)) + EPSILON for t in content_targets]

        def evaluate(content_w, style_w, global_w, *region_w):
            with tf.GradientTape() as tape:
                tape.watch([image, sums, errors])
                content = weighted_mean([e / n for e, n in zip(errors, norms)], content_w)
                grams = [s / d for s, d in zip(sums, divisors)]
                style = weighted_mean(
                    [style_error(g, t, *region_w) for g, t in zip(grams, style_grams)], style_w
                )
                parts = tf.stack([content, style, total_variation(image)]) * global_w
                total = tf.reduce_sum(parts)
            return total, parts, tape.gradient(total, [image, sums, errors])

        return evaluate

    def _features(self, pixels: tf.Tensor) -> dict[str, tf.Tensor]:
        return self.extractor(pixels, self.layers, self.precision)

    def _terms(self, features, box, content_targets, masks):
        """The sums (S per style layer, E per content layer) over the positions in ``box``."""
        masks = masks or (None,) * len(self.style_layers)
        sums = [
            _sums(_crop(features[n], box, self.strides[n]), m)
            for n, m in zip(self.style_layers, masks)
        ]
        errors = [
            tf.reduce_sum(tf.square(_crop(features[n], box, self.strides[n]) - t))
            for n, t in zip(self.content_layers, content_targets)
        ]
        return sums, errors

    def _sums_in(self, pixels, inner, content_targets, masks):
        """Pass 1: a tile's sums over its inner part."""
        return self._terms(self._features(pixels), inner, content_targets, masks)

    def _gradient_in(self, pixels, inner, content_targets, masks, d_sums, d_errors):
        """Pass 2: the loss's gradient at a tile's inner pixels."""
        with tf.GradientTape() as tape:
            tape.watch(pixels)
            whole = tf.shape(pixels)
            box = tf.stack([0, 0, whole[1], whole[2]])
            sums, errors = self._terms(self._features(pixels), box, content_targets, masks)
            surrogate = tf.add_n(
                [tf.reduce_sum(d * s) for d, s in zip(d_sums, sums)]
                + [d * e for d, e in zip(d_errors, errors)]
            )
        return _crop(tape.gradient(surrogate, pixels), inner, 1)

"""VGG19's convolutional part as a feature extractor, cut at the deepest layer in use.

It is written with TensorFlow's conv ops rather than ``keras.applications.VGG19`` so that
it can stop at any layer without building a new Keras model per layer choice, and so that
it takes weights from any source (weights.py) without Keras's file loader. The network is
the same: 3x3 convolutions with 1 px of padding and ReLU, 2x2 max pooling after each block
(the padding is zeros as trained, or the edge mirrored: PADDINGS).
Gatys et al. 2016 found average pooling slightly better; we keep max pooling, which is what
the weights were trained with.
"""

from __future__ import annotations

import logging
import threading

from nst.tf_runtime import tf
from nst.vgg.layers import CONV_LAYERS, POOL_AFTER
from nst.vgg.weights import VGGWeights

log = logging.getLogger(__name__)

# Caffe-style input that these weights expect (Keras's VGG19 "caffe" preprocessing; the
# ImageNet means of Simonyan & Zisserman's release): BGR channel order, 0..255, minus the
# per-channel mean.
BGR_MEANS = (103.939, 116.779, 123.68)


def preprocess(image_rgb: tf.Tensor) -> tf.Tensor:
    """(1, H, W, 3) RGB in 0..255 -> Caffe-style BGR minus the means."""
    bgr = tf.reverse(image_rgb, axis=[-1])
    return bgr - tf.constant(BGR_MEANS, dtype=image_rgb.dtype)


# Precision of the convolutions (Settings.precision). "bfloat16" runs the VGG19 convs in
# bfloat16, which CPUs with AVX512_BF16 / AMX and GPUs with tensor cores compute faster
# than float32 (bench/RESULTS.md has the matmul rates per CPU); features are handed back
# in float32, so Grams, losses, the image
# and its gradient stay float32.
COMPUTE_DTYPES = {"float32": tf.float32, "bfloat16": tf.bfloat16}


# What the 3x3 convolutions see past the image's edge (FeatureExtractor's ``padding``).
# "zeros": VGG19 as trained (Simonyan & Zisserman 2014, section 2.1: 1 px of padding; after
# the mean subtraction a zero is the ImageNet mean colour). That flat frame puts edges into
# every Gram, the more so the smaller the image; a texture larger than its painting then
# grew them at its own border, more saturated and more often clipped than its middle
# (bench/RESULTS.md, "A texture's border"). "symmetric": the edge mirrored (tf.pad
# SYMMETRIC; for a 1 px pad, the edge pixel repeated), so no frame of another colour; it
# works on a 1 px wide layer, where REFLECT needs 2. "circular": the opposite edge, as if
# the image were one tile of a plane it repeats over, so that a picture optimized through
# it can be laid edge to edge with no seam (a tileable texture).
PADDINGS = ("zeros", "symmetric", "circular")
_EDGE = ((0, 0), (1, 1), (1, 1), (0, 0))  # 1 px around H and W: 3x3 kernels


class FeatureExtractor:
    """Maps an RGB image to the ReLU outputs of the requested conv layers."""

    def __init__(self, weights: VGGWeights, padding: str = "zeros") -> None:
        if padding not in PADDINGS:
            raise ValueError(f"padding must be one of {PADDINGS}, not {padding!r}")
        self.weights = weights
        self.padding = padding
        self._kernels = {
            name: (tf.constant(kernel), tf.constant(bias))
            for name, (kernel, bias) in weights.layers.items()
        }
        self._low_kernels: dict[str, tuple[tf.Tensor, tf.Tensor]] = {}

    def _kernels_in(self, precision: str) -> dict[str, tuple[tf.Tensor, tf.Tensor]]:
        if precision == "float32":
            return self._kernels
        if not self._low_kernels:  # cast once per process, not once per trace
            dtype = COMPUTE_DTYPES[precision]
            with tf.init_scope():  # eagerly, even when first asked inside a tf.function
                self._low_kernels = {
                    name: (tf.cast(kernel, dtype), tf.cast(bias, dtype))
                    for name, (kernel, bias) in self._kernels.items()
                }
        return self._low_kernels

    def __call__(
        self, image_rgb: tf.Tensor, layers: tuple[str, ...], precision: str = "float32"
    ) -> dict[str, tf.Tensor]:
        """Float32 features of ``layers``, computed in ``precision`` (see COMPUTE_DTYPES);
        the network runs only as deep as the deepest of them."""
        wanted = set(layers)
        deepest = max(CONV_LAYERS.index(name) for name in layers)
        kernels = self._kernels_in(precision)
        x = tf.cast(preprocess(image_rgb), COMPUTE_DTYPES[precision])
        out: dict[str, tf.Tensor] = {}
        for name in CONV_LAYERS[: deepest + 1]:
            kernel, bias = kernels[name]
            x = tf.nn.relu(self._conv(x, kernel) + bias)
            if name in wanted:
                out[name] = tf.cast(x, tf.float32)
            if name in POOL_AFTER and name != CONV_LAYERS[deepest]:
                x = tf.nn.max_pool2d(x, ksize=2, strides=2, padding="VALID")
        return out

    def _conv(self, x: tf.Tensor, kernel: tf.Tensor) -> tf.Tensor:
        if self.padding == "zeros":
            return tf.nn.conv2d(x, kernel, strides=1, padding="SAME")
        if self.padding == "circular":
            padded = _wrap(x)
        else:
            padded = tf.pad(x, _EDGE, mode=self.padding.upper())
        return tf.nn.conv2d(padded, kernel, strides=1, padding="VALID")


def _wrap(x: tf.Tensor) -> tf.Tensor:
    """1 px around a (N, H, W, C) map's H and W, taken from the opposite edge (tf.pad has
    no wrapping mode)."""
    x = tf.concat([x[:, -1:], x, x[:, :1]], axis=1)
    return tf.concat([x[:, :, -1:], x, x[:, :, :1]], axis=2)


_cache: dict[tuple[str, str], FeatureExtractor] = {}
_lock = threading.Lock()


def get_extractor(weights: VGGWeights, padding: str = "zeros") -> FeatureExtractor:
    """The process's extractor for these weights and ``padding`` (PADDINGS): built once,
    reused by every run."""
    with _lock:
        extractor = _cache.get((weights.sha256, padding))
        if extractor is None:
            log.info(
                "building the VGG19 feature extractor from %s (%s padding)", weights.path, padding
            )
            extractor = FeatureExtractor(weights, padding)
            _cache[weights.sha256, padding] = extractor
        return extractor

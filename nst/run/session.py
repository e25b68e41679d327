"""The optimization: a session that yields progress step by step.

    session = Transfer(settings)
    session.prepare()                 # load weights, images, targets (slow the first time)
    for progress in session.steps():  # the caller owns the loop: stopping is a `break`
        ...
    result = session.result()         # the best image so far, at the output size

The style Grams and content features are computed once per run. The expensive part of a
step, the loss and its gradient through VGG19, is one ``tf.function`` with a fixed input
signature whose loss weights are tensors, so neither changing a weight nor starting a new
run with the same layers traces it again.
"""

from __future__ import annotations

import logging
import math
import os
import platform
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from nst import __version__
from nst.errors import RunError
from nst.hardware import cpu_has_fast_bfloat16
from nst.imaging import colour, images
from nst.memory import lbfgs_history
from nst.objective.losses import (
    content_loss,
    gram,
    guided_grams,
    style_loss,
    total_variation,
    weighted_mean,
)
from nst.optim.optimizers import FIRST_ORDER, LBFGS
from nst.settings import MIN_SIZE, Settings
from nst.tf_runtime import gpu_devices, tf
from nst.vgg.extractor import FeatureExtractor, get_extractor
from nst.vgg.weights import VGGWeights, load_weights

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """One step's report. Losses are the weighted parts; they add up to ``total_loss``."""

    step: int
    total: int
    total_loss: float
    content_loss: float
    style_loss: float
    tv_loss: float
    elapsed: float  # seconds since the first step started
    eta: float | None  # seconds left, estimated from the mean step time so far
    evaluations: int  # forward + backward passes so far (L-BFGS may do several a step)
    image: np.ndarray | None = None  # uint8 (H, W, 3) every `preview_every` steps, else None
    stage: int = 1  # coarse-to-fine stage of this step (Settings.stage_plan), from 1
    stages: int = 1

    @property
    def losses(self) -> dict[str, float]:
        return {
            "total": self.total_loss,
            "content": self.content_loss,
            "style": self.style_loss,
            "tv": self.tv_loss,
        }


@dataclass(frozen=True)
class Result:
    """The outcome of a run: the best image seen, at the output size, and how it was made."""

    image: np.ndarray
    settings: Settings
    steps: int
    stopped: bool  # the caller stopped it before the last iteration
    converged: bool  # L-BFGS found no lower loss before the last iteration
    losses: dict[str, float]
    duration: float
    device: str
    weights: VGGWeights = field(repr=False)

    def recipe(self) -> dict[str, Any]:
        """Everything needed to reproduce or compare this result, as plain JSON data."""
        settings = self.settings.to_dict()
        settings["learning_rate"] = self.settings.resolved_learning_rate
        return {
            "settings": settings,
            "weights": {
                "source": self.weights.source,
                "path": self.weights.path,
                "sha256": self.weights.sha256,
            },
            "versions": library_versions(),
            "device": self.device,
            "duration_s": round(self.duration, 3),
            "steps": self.steps,
            "stopped": self.stopped,
            "converged": self.converged,
            "final_losses": self.losses,
            "output_size": [int(self.image.shape[1]), int(self.image.shape[0])],
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }


def library_versions() -> dict[str, str]:
    import PIL

    return {
        "nst": __version__,
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "numpy": np.__version__,
        "pillow": PIL.__version__,
    }


def device_description() -> str:
    """'GPU: <name>' when TensorFlow sees a GPU (it then places the work there), else CPU."""
    gpus = gpu_devices()
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return f"GPU: {details.get('device_name', gpus[0].name)}"
    return f"CPU ({os.cpu_count()} cores)"


# --- the compiled loss ------------------------------------------------------------------

_IMAGE_SPEC = tf.TensorSpec(shape=(1, None, None, 3), dtype=tf.float32)
_VECTOR_SPEC = tf.TensorSpec(shape=(None,), dtype=tf.float32)
_MASKS_SPEC = tf.TensorSpec(shape=(None, None, None, 1), dtype=tf.float32)
_loss_cache: dict[tuple[Any, ...], Any] = {}
_loss_lock = threading.Lock()


def loss_function(
    extractor: FeatureExtractor,
    content_layers: tuple[str, ...],
    style_layers: tuple[str, ...],
    precision: str = "float32",
    guided: bool = False,
) -> Any:
    """The compiled (image, targets, weights) -> (total, parts, gradient) for these layers.

    One per layer choice, precision and kind per process; weights and targets are
    arguments, so a new run or a new weight reuses the same graph. ``guided``: the style
    term is per region (``_compile_guided_loss``), with masks and region weights as two
    more arguments.
    """
    key = (id(extractor), content_layers, style_layers, precision, guided)
    compile_ = _compile_guided_loss if guided else _compile_loss
    with _loss_lock:
        if key not in _loss_cache:
            _loss_cache[key] = compile_(extractor, content_layers, style_layers, precision)
        return _loss_cache[key]


def _compile_loss(
    extractor: FeatureExtractor,
    content_layers: tuple[str, ...],
    style_layers: tuple[str, ...],
    precision: str,
) -> Any:
    layers = tuple(dict.fromkeys(content_layers + style_layers))
    content_specs = tuple(tf.TensorSpec((1, None, None, None), tf.float32) for _ in content_layers)
    gram_specs = tuple(tf.TensorSpec((None, None), tf.float32) for _ in style_layers)

    @tf.function(
        input_signature=[
            _IMAGE_SPEC,
            content_specs,
            gram_specs,
            _VECTOR_SPEC,
            _VECTOR_SPEC,
            _VECTOR_SPEC,
        ]
    )
    def loss_and_gradient(image, content_targets, style_grams, content_w, style_w, global_w):
        with tf.GradientTape() as tape:
            tape.watch(image)
            features = extractor(image, layers, precision)
            content = weighted_mean(
                [content_loss(features[n], t) for n, t in zip(content_layers, content_targets)],
                content_w,
            )
            style = weighted_mean(
                [style_loss(gram(features[n]), t) for n, t in zip(style_layers, style_grams)],
                style_w,
            )
            parts = tf.stack([content, style, total_variation(image)]) * global_w
            total = tf.reduce_sum(parts)
        return total, parts, tape.gradient(total, image)

    return loss_and_gradient


def _compile_guided_loss(
    extractor: FeatureExtractor,
    content_layers: tuple[str, ...],
    style_layers: tuple[str, ...],
    precision: str,
) -> Any:
    """Like _compile_loss, with one style target per region (guided Gram matrices, Gatys et
    al. 2017, "Controlling Perceptual Factors", section 4.1).

    ``masks`` (R, H, W, 1) hold each region's weight per pixel at the image's size; at each
    layer they are averaged down to the layer's size ("area" resizing: VGG19's poolings
    halve the size, so a layer's position covers that block of pixels). Region r's Gram is
    the mask-weighted mean of f f^T over positions; its target ``style_grams[l][r]`` is the
    Gram of region r's style image. A region's relative error counts by ``region_w[r]``
    (its style weight times its share of the picture).
    """
    layers = tuple(dict.fromkeys(content_layers + style_layers))
    content_specs = tuple(tf.TensorSpec((1, None, None, None), tf.float32) for _ in content_layers)
    gram_specs = tuple(tf.TensorSpec((None, None, None), tf.float32) for _ in style_layers)

    @tf.function(
        input_signature=[
            _IMAGE_SPEC,
            content_specs,
            gram_specs,
            _VECTOR_SPEC,
            _VECTOR_SPEC,
            _VECTOR_SPEC,
            _MASKS_SPEC,
            _VECTOR_SPEC,
        ]
    )
    def loss_and_gradient(
        image, content_targets, style_grams, content_w, style_w, global_w, masks, region_w
    ):
        with tf.GradientTape() as tape:
            tape.watch(image)
            features = extractor(image, layers, precision)
            content = weighted_mean(
                [content_loss(features[n], t) for n, t in zip(content_layers, content_targets)],
                content_w,
            )
            per_layer = []
            for name, targets in zip(style_layers, style_grams):
                grams = guided_grams(features[name], masks)
                errors = tf.map_fn(
                    lambda pair: style_loss(pair[0], pair[1]),
                    (grams, targets),
                    fn_output_signature=tf.float32,
                )
                per_layer.append(_region_mean(errors, region_w))
            style = weighted_mean(per_layer, style_w)
            parts = tf.stack([content, style, total_variation(image)]) * global_w
            total = tf.reduce_sum(parts)
        return total, parts, tape.gradient(total, image)

    return loss_and_gradient


def _region_mean(errors: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    return tf.reduce_sum(errors * weights) / (tf.reduce_sum(weights) + 1e-8)


# --- the session ------------------------------------------------------------------------


class Transfer:
    """One run of the optimization. Not thread-safe; ``stop`` may be called from any thread."""

    def __init__(
        self,
        settings: Settings,
        *,
        content_image: np.ndarray | None = None,
        style_image: np.ndarray | None = None,
        weights: VGGWeights | None = None,
    ) -> None:
        """Images may be given as uint8 (H, W, 3) arrays; otherwise they are read from
        ``settings.content`` and ``settings.style`` when ``prepare`` runs."""
        self.settings = settings
        self._content_source = content_image
        self._style_source = style_image
        self.weights = weights
        self.device = device_description()
        self._stop = threading.Event()
        self._prepared = False
        self._best: tuple[float, tf.Tensor, np.ndarray] | None = None  # loss, image, parts
        self._steps_done = 0
        self._evaluations = 0
        self._converged = False
        self._completed = False  # every stage ran to its end (or converged)
        self._duration = 0.0

    # --- set-up ---

    def prepare(self) -> None:
        """Load the weights and images, and compute the targets. Idempotent."""
        if self._prepared:
            return
        s = self.settings
        texture = s.method == "texture"
        # Images first: a bad image is reported before seconds go into loading weights.
        content = self._content_source
        if content is None and not texture:
            content = images.load_image(s.content, role="content image")
        style = self._style_source
        if style is None:
            style = images.load_image(s.style, role="style image")
        styles = [style] + [images.load_image(p, role="style image") for p, _ in s.extra_styles]
        if texture:
            content = texture_canvas(style, s.texture_aspect)
        masks = region_masks(s.style_masks, content.shape[:2]) if s.style_masks else None
        if self.weights is None:
            self.weights = load_weights(s.weights)
        self.extractor = get_extractor(self.weights)
        self._content_colours = content  # the photo as given: its colours come back at the end
        self._content_full, self._styles_full = optimized_inputs(s.colour, content, styles)
        self._masks_full = masks
        self._style_weights = [w for _, w in s.style_images]
        # A texture has no content term: only the style is matched (a mode, not a weight of 0,
        # so the graph does not compute conv4_2's features for nothing).
        content_weights = {} if texture else s.content_layers
        self.content_layers = tuple(n for n, w in content_weights.items() if w > 0)
        self.style_layers = tuple(n for n, w in s.style_layers.items() if w > 0)
        self.content_w = tf.constant([content_weights[n] for n in self.content_layers], tf.float32)
        self.style_w = tf.constant([s.style_layers[n] for n in self.style_layers], tf.float32)
        self.global_w = tf.constant([s.content_weight, s.style_weight, s.tv_weight], tf.float32)
        self._loss = loss_function(
            self.extractor, self.content_layers, self.style_layers, s.precision, masks is not None
        )
        if s.precision == "bfloat16" and not (gpu_devices() or cpu_has_fast_bfloat16()):
            log.warning(
                "bfloat16 runs emulated (no AVX512_BF16/AMX CPU, no GPU): slower than float32"
            )
        self.plan = feasible_plan(s.stage_plan, content.shape[:2])
        self._use_size(self.plan[0][0])
        self._prepared = True
        log.info(
            "prepared a %dx%d run on %s with %s, %s, stages %s",
            self.width,
            self.height,
            self.device,
            self.weights.describe(),
            s.precision,
            self.plan,
        )

    def _use_size(self, size: int) -> None:
        """Scale the images to ``size`` (longest side) and compute that size's targets.

        The style images keep their ratio to the content: at a coarse stage they are scaled
        down by the same factor, so their strokes keep their size relative to the picture.
        """
        s = self.settings
        content = images.resize_longest(self._content_full, size)
        style_size = max(1, round(s.resolved_style_size * size / s.resolved_work_size))
        self.height, self.width = content.shape[:2]
        self.content_image = tf.constant(content[np.newaxis].astype(np.float32))
        self.style_images_now = [
            tf.constant(images.resize_longest(style, style_size)[np.newaxis].astype(np.float32))
            for style in self._styles_full
        ]
        self.style_image = self.style_images_now[0]
        if self._masks_full is not None:
            masks = tf.image.resize(self._masks_full, (self.height, self.width), method="area")
            self.masks = masks
            # A region counts by its style's weight and its share of the picture.
            shares = tf.reduce_mean(masks, axis=(1, 2, 3))
            self.region_w = tf.constant(self._style_weights, tf.float32) * shares
        self.content_targets, self.style_grams = self._targets()

    def _targets(self) -> tuple[tuple[tf.Tensor, ...], tuple[tf.Tensor, ...]]:
        """Content features, and per style layer the Gram target: the style images' Grams
        blended by their weights, or with regions one Gram per style image, stacked."""
        # Targets in the run's precision, so that a perfect match scores 0 in that precision.
        precision = self.settings.precision
        content_feats = (
            self.extractor(self.content_image, self.content_layers, precision)
            if self.content_layers
            else {}
        )
        guided = self._masks_full is not None
        weights = self._style_weights
        per_style = [
            self.extractor(image, self.style_layers, precision) if guided or weight > 0 else None
            for image, weight in zip(self.style_images_now, weights)
        ]
        grams = []
        for name in self.style_layers:
            each = [gram(f[name]) if f is not None else None for f in per_style]
            if guided:
                grams.append(tf.stack(each))
            else:
                total = sum(w for w in weights if w > 0)
                grams.append(tf.add_n([g * (w / total) for g, w in zip(each, weights) if w > 0]))
        return tuple(content_feats[n] for n in self.content_layers), tuple(grams)

    def initial_image(self) -> tf.Tensor:
        # A texture always grows from noise: there is no photo to start from.
        init = "noise" if self.settings.method == "texture" else self.settings.init
        if init == "content":
            return self.content_image
        if init == "style":
            return tf.image.resize(self.style_image, (self.height, self.width), method="bicubic")
        if init == "instant":
            # A head start: the feed-forward stylization (instant.py) at the working size.
            from nst.instant import stylizer as instant

            content = self.content_image[0].numpy().astype(np.uint8)
            styles = [
                (image[0].numpy().astype(np.uint8), weight)
                for image, weight in zip(self.style_images_now, self._style_weights)
                if weight > 0
            ]
            start = instant.stylize(content, styles, self.settings.style_strength)
            return tf.constant(start[np.newaxis].astype(np.float32))
        # White noise (Gatys et al. 2016, section 2.3), uniform over the whole 0..255 range.
        rng = np.random.default_rng(self.settings.seed)
        noise = rng.uniform(0.0, 255.0, size=(1, self.height, self.width, 3))
        return tf.constant(noise.astype(np.float32))

    # --- the loop ---

    def stop(self) -> None:
        """Ask the run to stop after the step in progress."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def evaluate(self, image: tf.Tensor) -> tuple[float, np.ndarray, tf.Tensor]:
        """Loss, its weighted parts (content, style, tv) and gradient at ``image`` (1,H,W,3)."""
        arguments = [
            image,
            self.content_targets,
            self.style_grams,
            self.content_w,
            self.style_w,
            self.global_w,
        ]
        if self._masks_full is not None:
            arguments += [self.masks, self.region_w]
        try:
            total, parts, grad = self._loss(*arguments)
        except tf.errors.ResourceExhaustedError as exc:
            raise RunError(
                f"Out of memory at {self.width}x{self.height} px; choose a smaller size."
            ) from exc
        return float(total), parts.numpy(), grad

    def steps(self) -> Iterator[Progress]:
        """Run the optimization, yielding progress after each step.

        With coarse-to-fine (Settings.stage_plan) each stage starts from the previous
        stage's best image, upsampled; steps are counted across all stages.
        """
        self.prepare()
        start = time.perf_counter()
        self._stop.clear()
        self._clock = _Clock(start, self._stage_costs())
        done = 0
        x: tf.Tensor | None = None
        for index, (size, iterations) in enumerate(self.plan):
            if index > 0:
                previous = self.best_image()
                self._use_size(size)
                x = tf.image.resize(previous, (self.height, self.width), method="bicubic")
                x = tf.clip_by_value(x, 0.0, 255.0)
            else:
                if max(self.height, self.width) != size:  # a second run of this session
                    self._use_size(size)
                x = self.initial_image()
            self._best = None  # losses at different sizes are not comparable
            self._converged = False
            yield from self._stage(x, done, iterations, index)
            done = self._steps_done
            if self._stop.is_set():
                break
            if self._converged and index + 1 < len(self.plan):
                log.info("stage %d converged at step %d; next size", index + 1, done)
        else:
            self._completed = not self._stop.is_set()

    def _stage_costs(self) -> list[tuple[int, float]]:
        """(iterations, relative cost of a step) per stage: cost grows with the pixels."""
        last = self.plan[-1][0]
        return [(n, (size / last) ** 2) for size, n in self.plan]

    def best_image(self) -> tf.Tensor:
        """The lowest-loss image of the current stage, float32 (1, H, W, 3) in 0..255."""
        if self._best is None:
            raise RunError("The run has not evaluated any image yet.")
        return tf.reshape(self._best[1], (1, self.height, self.width, 3))

    def _stage(self, x: tf.Tensor, done: int, iterations: int, index: int) -> Iterator[Progress]:
        """One stage's loop: ``iterations`` steps at the current size."""
        s = self.settings
        shape = (1, self.height, self.width, 3)

        def evaluate_flat(flat: tf.Tensor) -> tuple[float, tf.Tensor]:
            nonlocal last_parts, last_loss
            loss, parts, grad = self.evaluate(tf.reshape(flat, shape))
            self._evaluations += 1
            last_parts, last_loss = parts, loss
            if math.isfinite(loss):
                self._remember(loss, flat, parts)
            return loss, tf.reshape(grad, (-1,))

        last_parts, last_loss = np.zeros(3), 0.0
        flat = tf.reshape(x, (-1,))
        loss, grad = evaluate_flat(flat)
        self._check_finite(loss, done)
        lbfgs = None
        if s.optimizer == "lbfgs":
            lbfgs = LBFGS(s.resolved_learning_rate, lbfgs_history(int(flat.shape[0])))
        first_order = None if lbfgs else FIRST_ORDER[s.optimizer](s.resolved_learning_rate)
        # First-order methods get the gradient per pixel: the loss is a mean over pixels,
        # so its raw gradient shrinks as the image grows, and SGD's rate would have to grow
        # with it. Adam and RMSprop are indifferent to the scale; SGD and Adadelta are not.
        pixels = float(self.height * self.width)
        for stage_step in range(1, iterations + 1):
            if self._stop.is_set():
                break
            if lbfgs is not None:
                outcome = lbfgs.step(flat, loss, grad, evaluate_flat)
                flat, loss, grad = outcome.x, outcome.loss, outcome.gradient
                parts = self._best[2] if outcome.converged and self._best else last_parts
                self._converged = outcome.converged
                if outcome.converged:
                    # Every trial point's loss was NaN: that is a failure, not convergence.
                    self._check_finite(last_loss, done + stage_step)
            else:
                flat = tf.clip_by_value(first_order.step(flat, grad * pixels), 0.0, 255.0)
                loss, grad = evaluate_flat(flat)
                parts = last_parts
            step = done + stage_step
            self._check_finite(loss, step)
            self._steps_done = step
            elapsed = time.perf_counter() - self._clock.start
            self._duration = elapsed
            yield Progress(
                step=step,
                total=s.iterations,
                total_loss=loss,
                content_loss=float(parts[0]),
                style_loss=float(parts[1]),
                tv_loss=float(parts[2]),
                elapsed=elapsed,
                eta=self._clock.eta(elapsed, index, stage_step),
                evaluations=self._evaluations,
                image=self._preview(flat, step),
                stage=index + 1,
                stages=len(self.plan),
            )
            if self._converged:
                log.info("L-BFGS converged at step %d", step)
                break

    def _remember(self, loss: float, flat: tf.Tensor, parts: np.ndarray) -> None:
        if self._best is None or loss < self._best[0]:
            self._best = (loss, tf.identity(flat), parts)

    def _check_finite(self, loss: float, step: int) -> None:
        if not math.isfinite(loss):
            raise RunError(
                f"The loss became {loss} at step {step}; lower the learning rate "
                f"(now {self.settings.resolved_learning_rate:g}) or the style weight."
            )

    def _preview(self, flat: tf.Tensor, step: int) -> np.ndarray | None:
        every = self.settings.preview_every
        if every and (step % every == 0 or step == self.settings.iterations):
            return self._in_chosen_colours(self._to_uint8(flat))
        return None

    def _in_chosen_colours(self, image: np.ndarray) -> np.ndarray:
        """The optimized image with the colours the settings ask for (colour.py)."""
        s = self.settings
        strength = 1.0 if s.colour == "luminance" else s.colour_strength
        if s.colour == "match" or strength <= 0 or s.method == "texture":
            return image  # "match" has the photo's colours already; 0 keeps the painting's
        height, width = image.shape[:2]
        content = np.asarray(
            Image.fromarray(self._content_colours).resize((width, height), Image.LANCZOS)
        )
        return images.to_uint8(colour.blend(image, content, strength))

    def _to_uint8(self, flat: tf.Tensor) -> np.ndarray:
        image = tf.reshape(flat, (self.height, self.width, 3)).numpy()
        return images.to_uint8(image)

    # --- the outcome ---

    def result(self) -> Result:
        """The lowest-loss image seen so far, scaled to the output size."""
        if self._best is None:
            raise RunError("The run has not evaluated any image yet.")
        loss, flat, parts = self._best
        image = self._to_uint8(flat)
        if max(image.shape[:2]) != self.settings.size:
            image = images.resize_longest(image, self.settings.size)
        image = self._in_chosen_colours(image)
        return Result(
            image=image,
            settings=self.settings,
            steps=self._steps_done,
            stopped=self._stop.is_set() or not self._completed,
            converged=self._converged,
            losses={
                "total": loss,
                "content": float(parts[0]),
                "style": float(parts[1]),
                "tv": float(parts[2]),
            },
            duration=self._duration,
            device=self.device,
            weights=self.weights,
        )


def optimized_inputs(
    colour_mode: str, content: np.ndarray, styles: list[np.ndarray]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The content and style images the optimization sees, for a ``Settings.colour`` mode:
    as given ("style"); the styles recoloured to the content's colour statistics ("match");
    all as luminance, the styles' matched to the content's ("luminance")."""
    if colour_mode == "match":
        return content, [images.to_uint8(colour.match_colours(s, content)) for s in styles]
    if colour_mode == "luminance":
        grey_content = images.to_uint8(colour.grey(content))
        return grey_content, [images.to_uint8(colour.grey(s, like=content)) for s in styles]
    return content, list(styles)


def texture_canvas(style: np.ndarray, aspect: float | None) -> np.ndarray:
    """A mid-grey stand-in for the photo in texture mode: it gives the output its shape
    (``aspect`` = width / height, or the style image's own) and nothing else."""
    height, width = style.shape[:2]
    if aspect is None:
        aspect = width / height
    # Its longest side is what resize_longest scales to the working size; 1024 keeps the
    # proportions exact to 0.1%.
    if aspect >= 1:
        shape = (max(1, round(1024 / aspect)), 1024)
    else:
        shape = (1024, max(1, round(1024 * aspect)))
    return np.full((*shape, 3), 128, dtype=np.uint8)


# A mask may differ from the photo's proportions by this much (a mask saved at another
# size, rounded): beyond it, it was made for another picture.
MASK_ASPECT_TOLERANCE = 0.03


def region_masks(paths: tuple[str, ...], shape: tuple[int, int]) -> np.ndarray:
    """The styles' regions as float32 (R, H, W, 1) weights in 0..1 at the photo's ``shape``.

    Each mask image is read as grey (white: its style; black: not), scaled to the photo.
    The styles whose path is "" share the rest equally: 1 minus the masks' sum. Where masks
    overlap to more than 1 they are divided by their sum, so no pixel gets more than one
    style's worth of weight.
    """
    height, width = shape
    planes: list[np.ndarray | None] = []
    for path in paths:
        if not path:
            planes.append(None)
            continue
        image = images.load_image(path, role="mask")
        mask_h, mask_w = image.shape[:2]
        if abs(mask_w / mask_h - width / height) > MASK_ASPECT_TOLERANCE * width / height:
            raise RunError(
                f"The mask '{path}' is {mask_w}x{mask_h} px, not the shape of the content "
                f"image ({width}x{height} px); paint or save a mask of the photo's proportions."
            )
        grey = Image.fromarray(image).convert("L").resize((width, height), Image.BILINEAR)
        planes.append(np.asarray(grey, dtype=np.float32) / 255.0)
    given = np.sum([p for p in planes if p is not None], axis=0)
    rest = np.clip(1.0 - given, 0.0, 1.0) / max(1, sum(p is None for p in planes))
    stack = np.stack([rest if p is None else p for p in planes])
    total = stack.sum(axis=0)
    stack = np.where(total > 1.0, stack / np.maximum(total, 1e-8), stack)
    return stack[..., np.newaxis].astype(np.float32)


def feasible_plan(
    plan: tuple[tuple[int, int], ...], shape: tuple[int, int]
) -> tuple[tuple[int, int], ...]:
    """The plan without coarse stages whose short side would be under MIN_SIZE px (VGG19's
    four poolings would leave block5 no rows); their iterations go to the next stage."""
    short, long = min(shape), max(shape)
    kept: list[tuple[int, int]] = []
    carried = 0
    for index, (size, iterations) in enumerate(plan):
        if index < len(plan) - 1 and round(short * size / long) < MIN_SIZE:
            carried += iterations
            continue
        kept.append((size, iterations + carried))
        carried = 0
    return tuple(kept)


class _Clock:
    """Estimates the seconds left across stages whose steps cost differently.

    A step's cost is taken as proportional to its pixels (the convolutions dominate). The
    first step of each stage traces a new graph shape and is kept out of the rate.
    """

    def __init__(self, start: float, stages: list[tuple[int, float]]) -> None:
        self.start = start
        self.stages = stages
        self._traced = 0.0  # seconds spent in first steps
        self._units = 0.0  # cost units of the steps timed, first steps excluded
        self._last = 0.0

    def eta(self, elapsed: float, stage: int, stage_step: int) -> float:
        took = elapsed - self._last
        self._last = elapsed
        cost = self.stages[stage][1]
        if stage_step == 1:
            self._traced += took
        else:
            self._units += cost
        left = (self.stages[stage][0] - stage_step) * cost
        left += sum(n * c for n, c in self.stages[stage + 1 :])
        if self._units == 0:
            return took / cost * left  # only first steps so far: the best guess there is
        return (elapsed - self._traced) / self._units * left


def run(settings: Settings, **kwargs: Any) -> Result:
    """Run to the end with no progress reporting (for scripts and tests)."""
    session = Transfer(settings, **kwargs)
    for _ in session.steps():
        pass
    return session.result()

"""What a run optimizes now: the objective at the current stage's size (its images,
targets and compiled loss, whole or in tiles) and the weights in force, which steering
changes between two steps (steering.py). A part of Transfer (session.py), which owns the
loop; kept apart so that each file holds one concept.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from nst.errors import RunError
from nst.imaging.resize import resize_longest
from nst.objective.builder import loss_function
from nst.run.inputs import style_at
from nst.run.steering import Steering, objective_weights
from nst.run.targets import compute_targets
from nst.settings.changes import Change
from nst.tf_runtime import tf

log = logging.getLogger(__name__)


class RunObjective:
    """The objective of a Transfer at its current size (the attributes are the session's:
    settings, extractor, the images at full size, the tile plan)."""

    _steering: Steering

    def steer(self, name: str, value: float) -> None:
        """Change ``name`` (a weight: nst.settings.changes) to ``value`` before the next
        step; any thread. SettingsError (field "changes") if the run may not."""
        self._steering.ask(name, value)

    def _set_objective(self) -> None:
        """The layers and weights of the settings in force (Steering.now)."""
        now = self._steering.now
        self.content_layers, self.style_layers = now.term_layers
        self.content_w, self.style_w, self.global_w = objective_weights(now)
        self._style_weights = [w for _, w in now.style_images]

    def _steer(self, done: int) -> tuple[Change, ...]:
        """Make the changes due with ``done`` steps done: the new objective's targets at
        this size, the run's settings recording every change. The best image so far is
        forgotten: losses of two objectives do not compare."""
        made = self._steering.due(done)
        if made:
            self.settings = self.settings.replace(changes=self._steering.recorded)
            self._set_objective()
            self._use_size(max(self.height, self.width))
            self._best = None
            log.info("after step %d: %s", done, ", ".join(f"{n}={v:g}" for _, n, v in made))
        return made

    def _use_size(self, size: int) -> None:
        """Scale the images to ``size`` (longest side) and compute that size's targets.

        The style images keep their ratio to the content: at a coarse stage they are scaled
        down by the same factor, so their strokes keep their size relative to the picture.
        """
        s = self.settings
        content = resize_longest(self._content_full, size)
        style_size = max(1, round(s.resolved_style_size * size / s.resolved_work_size))
        self.height, self.width = content.shape[:2]
        self.tile = self._tiles.get(size)  # None: the whole image at once
        stage = self._stage_memory.get(size)
        self.history = stage.history if stage is not None else None  # None: by its size
        self.tile_count = 1
        if self.tile is not None:
            self.tile_count = len(self._loss.plan(self.height, self.width))
        self.content_image = tf.constant(content[np.newaxis].astype(np.float32))
        self.style_images_now = [
            tf.constant(style_at(style, style_size)[np.newaxis].astype(np.float32))
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

    @property
    def _loss(self) -> Any:
        """The compiled loss in the precision computing now (cached per process)."""
        return self._loss_in(self._compute)

    def _loss_in(self, precision: str, gradient: bool = True) -> Any:
        guided = self._masks_full is not None
        layers = (self.content_layers, self.style_layers)
        return loss_function(self.extractor, *layers, precision, guided, self.tile, gradient)

    def _value_in(self, precision: str) -> Any:
        """The loss for a result's losses, its gradient left out (builder.loss_function)
        except where the run's own whole-image loss is in this precision: already traced
        at this size, it costs less than a second function's trace at small sizes."""
        traced = precision == self._compute and self.tile is None
        return self._loss_in(precision, gradient=traced)

    def _targets(self, precision: str | None = None) -> tuple[tuple[tf.Tensor, ...], ...]:
        return compute_targets(
            self.extractor,
            self.content_image,
            self.style_images_now,
            self._style_weights,
            self.content_layers,
            self.style_layers,
            precision or self._compute,
            guided=self._masks_full is not None,
            tile=self.tile,
            style_extractor=self.style_extractor,
        )

    def evaluate(self, image: tf.Tensor) -> tuple[float, np.ndarray, tf.Tensor]:
        """Loss, its weighted parts (content, style, tv) and gradient at ``image`` (1,H,W,3)."""
        return self._evaluate(image, self._loss, (self.content_targets, self.style_grams))

    def _evaluate(self, image: tf.Tensor, loss: Any, targets: tuple[Any, ...]) -> Any:
        arguments = [
            image,
            *targets,
            self.content_w,
            self.style_w,
            self.global_w,
        ]
        if self._masks_full is not None:
            arguments += [self.masks, self.region_w]
        try:
            total, parts, *grad = loss(*arguments)
        except tf.errors.ResourceExhaustedError as exc:
            raise RunError(
                f"Out of memory at {self.width}x{self.height} px; choose a smaller size."
            ) from exc
        return float(total), parts.numpy(), grad[0] if grad else None  # none without a gradient

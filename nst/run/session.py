"""The optimization: a session that yields progress step by step.

    session = Transfer(settings, preview_interval=0.1)
    session.prepare()                 # load weights, images, targets (slow the first time)
    for progress in session.steps():  # the caller owns the loop: stopping is a `break`
        ...
    result = session.result()         # the best image so far, at the output size

The style Grams and content features are computed once per run (targets.py), one stage's
steps are taken by stage.py, and the live preview's rate and image are preview.py's. The
expensive part of a step, the loss and its gradient through VGG19, is one ``tf.function``
with a fixed input signature whose loss weights are tensors (nst.objective.builder), so
neither changing a weight nor starting a new run with the same layers traces it again.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from nst.errors import RunError
from nst.imaging.resize import resize_longest, resize_wrapped
from nst.memory import stage_memory_here, tile_kernels
from nst.precision import resolve
from nst.run.checkpoint import Checkpoint
from nst.run.clock import Clock, stage_costs
from nst.run.inputs import (
    extractor_padding,
    feasible_plan,
    in_chosen_colours,
    optimized_inputs,
    session_images,
    style_padding,
)
from nst.run.objective_now import RunObjective
from nst.run.preview import PreviewRate, as_image, preview
from nst.run.result import Progress, Result, device_description
from nst.run.stage import Stepper, check_finite
from nst.run.start import scaled_up, start_image
from nst.run.steering import Steering
from nst.settings import Settings
from nst.tf_runtime import tf
from nst.tiled_memory import StageMemory
from nst.vgg.extractor import get_extractor
from nst.vgg.weights import VGGWeights, load_weights

log = logging.getLogger(__name__)


class Transfer(RunObjective):
    """One run of the optimization. Not thread-safe; ``stop`` and ``steer`` may be called
    from any thread."""

    def __init__(
        self,
        settings: Settings,
        *,
        content_image: np.ndarray | None = None,
        style_image: np.ndarray | None = None,
        weights: VGGWeights | None = None,
        preview_interval: float = 0.0,
        tiles: Mapping[int, int] | None = None,
        resume: Checkpoint | None = None,
    ) -> None:
        """Images may be given as uint8 (H, W, 3) arrays; otherwise they are read from
        ``settings.content`` and ``settings.style`` when ``prepare`` runs.

        A progress record carries an image every ``settings.preview_every`` steps, and at
        most one every ``preview_interval`` seconds (a window: the rate it repaints at;
        nst.run.preview says what a step saves), and always at the last step. ``tiles``:
        the stages at these sizes (longest side) evaluate the loss in tiles of that many px
        (nst.objective.tiled: the same loss, in less memory); by default the stages that
        would not fit the memory the run may use do (nst.tiled_memory.run_memory).
        ``resume``: go on from this checkpoint of the same settings (nst.run.checkpoint).
        """
        self.settings = settings
        self.preview_interval = preview_interval
        self._tiles = None if tiles is None else dict(tiles)
        self._resume = resume
        self._steering = Steering(settings, resume.step if resume else 0)
        self._stage_index, self._stage_first = 0, 0  # the stage, and the step it began at
        self._stage_memory: dict[int, StageMemory] = {}
        self._content_source, self._style_source = content_image, style_image
        self.weights = weights
        self.device = device_description()
        self._stop = threading.Event()
        self._prepared = False
        self._best: tuple[float, tf.Tensor, np.ndarray] | None = None  # loss, image, parts
        self._steps_done, self._evaluations = 0, 0
        self._converged = False
        self._completed = False  # every stage ran to its end (or converged)
        self._duration = 0.0
        self._saved_losses: tuple[tf.Tensor, dict[str, float]] | None = None  # of _best

    def prepare(self) -> None:
        """Load the weights and images, and compute the targets. Idempotent."""
        if self._prepared:
            return
        s = self.settings
        # Images first: a bad image is reported before seconds go into loading weights.
        content, styles, masks = session_images(s, self._content_source, self._style_source)
        if self.weights is None:
            self.weights = load_weights(s.weights)
        self.extractor = get_extractor(self.weights, extractor_padding(s))
        self.style_extractor = get_extractor(self.weights, style_padding(s))
        self._content_colours = content  # the photo as given: its colours come back at the end
        self._content_full, self._styles_full = optimized_inputs(s.colour, content, styles)
        self._masks_full = masks
        self._set_objective()
        self.precision = resolve(s.precision)  # "automatic": what runs fast on this machine
        self._compute = self.precision.used  # float32 once bfloat16 can do no more
        self.plan = feasible_plan(s.stage_plan, content.shape[:2])
        if self._tiles is None:  # the stages that would not fit whole go in tiles
            dims = (content.shape[1], content.shape[0]), (styles[0].shape[1], styles[0].shape[0])
            self._stage_memory = stage_memory_here(s, *dims)
            self._tiles = {n: m.tile for n, m in self._stage_memory.items() if m.tile}
        self._use_size(self.plan[0][0])
        self._prepared = True
        log.info(
            "prepared a %dx%d run on %s with %s, %s, stages %s",
            *(self.width, self.height, self.device, self.weights.describe()),
            *(self.precision.words(), self.plan),
        )

    def initial_image(self) -> tf.Tensor:
        """The image the first stage starts from (nst.run.start)."""
        return start_image(
            self.settings,
            self.content_image,
            self.style_images_now,
            self._style_weights,
        )

    # --- the loop ---

    def stop(self) -> None:
        """Ask the run to stop after the step in progress."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def steps(self) -> Iterator[Progress]:
        """Run the optimization, yielding progress after each step.

        With coarse-to-fine (Settings.stage_plan) each stage starts from the previous
        stage's best image, upsampled; steps are counted across all stages.
        """
        self.prepare()
        resume, self._resume = self._resume, None  # once: a second run starts afresh
        start = time.perf_counter() - (resume.elapsed if resume else 0.0)
        self._stop.clear()
        if self._compute != self.precision.used:  # a second run after a float32 finish
            self._compute = self.precision.used
            self.precision = replace(self.precision, float32_from_step=None)
            self._use_size(self.plan[0][0])
        costs = {size: stage.cost for size, stage in self._stage_memory.items()}
        resumed = (resume.elapsed, resume.unit_seconds) if resume else (0.0, None)
        self._clock = Clock(start, stage_costs(self.plan, costs), *resumed)
        s = self.settings
        self._previews = PreviewRate(s.preview_every, s.iterations, self.preview_interval)
        first, done = (resume.stage, resume.step) if resume else (0, 0)
        self._steps_done = done
        for index, (size, iterations) in enumerate(self.plan):
            if index < first:  # done before the checkpoint
                continue
            self._stage_index, self._stage_first = index, done
            if index > first:
                previous = self.best_image()
                self._use_size(size)
                x = scaled_up(previous, self.height, self.width, self.settings.tileable)
            else:
                if max(self.height, self.width) != size:  # a resumed or second run
                    self._use_size(size)
                x = self.initial_image()
                if resume is not None:
                    x = tf.constant(resume.image_at(self.width, self.height)[np.newaxis])
            if resume is not None and index == first:
                self._stage_first -= resume.stage_step
                iterations -= resume.stage_step
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

    def close(self) -> None:
        """Nothing to end: a run in this process (nst.run.child.ChildTransfer, a run in a
        process of its own, ends that process), so that callers close either kind."""

    def checkpoint(self) -> Checkpoint:
        """Where the run is, to go on from later (nst.run.checkpoint)."""
        stage_steps = self._steps_done - self._stage_first
        image = self.best_image()[0].numpy()
        return Checkpoint(
            self._stage_index,
            self._steps_done,
            stage_steps,
            self._duration,
            image,
            unit_seconds=self._clock.unit_seconds(),
        )

    def best_image(self) -> tf.Tensor:
        """The lowest-loss image of the current stage, float32 (1, H, W, 3) in 0..255."""
        if self._best is None:
            raise RunError("The run has not evaluated any image yet.")
        return tf.reshape(self._best[1], (1, self.height, self.width, 3))

    def _evaluate_flat(self, flat: tf.Tensor) -> tuple[float, np.ndarray, tf.Tensor]:
        loss, parts, grad = self.evaluate(tf.reshape(flat, (1, self.height, self.width, 3)))
        self._evaluations += 1
        if math.isfinite(loss) and (self._best is None or loss < self._best[0]):
            self._best = (loss, tf.identity(flat), parts)
        return loss, parts, tf.reshape(grad, (-1,))

    def _stage(self, x: tf.Tensor, done: int, iterations: int, index: int) -> Iterator[Progress]:
        """One stage's loop: ``iterations`` steps at the current size."""
        s = self.settings
        rate = s.resolved_learning_rate
        stepper = Stepper(s.optimizer, rate, self._evaluate_flat, x, self.history)
        check_finite(stepper.loss, done, rate)
        for stage_step in range(1, iterations + 1):
            if self._stop.is_set():
                break
            step = done + stage_step
            changes = self._steer(step - 1)
            if changes:
                stepper.restart()
            stepper.step(step)
            if stepper.converged and self._finish_in_float32(step):
                self._best = None  # float32 losses from here
                stepper.evaluate_here()
            self._converged = stepper.converged
            check_finite(stepper.loss, step, rate)
            self._steps_done = step
            elapsed = time.perf_counter() - self._clock.start
            self._duration = elapsed
            content, style, tv = (float(v) for v in stepper.parts)
            image = None
            if self._previews.due(step):
                image = preview(stepper.flat, self.height, self.width, self._content_colours, s)
            yield Progress(
                step=step,
                total=s.iterations,
                total_loss=stepper.loss,
                content_loss=content,
                style_loss=style,
                tv_loss=tv,
                elapsed=elapsed,
                # The stage's own step, counting those before a resumed checkpoint.
                eta=self._clock.eta(elapsed, index, step - self._stage_first, stage_step == 1),
                evaluations=self._evaluations,
                image=image,
                stage=index + 1,
                stages=len(self.plan),
                converged=self._converged,
                tiles=self.tile_count,
                size=max(self.height, self.width),
                changes=changes,
            )
            if self._converged:
                log.info("converged at step %d: no lower loss within 0..255", step)
                break

    def _finish_in_float32(self, step: int) -> bool:
        """Whether to go on in float32: "automatic" chose bfloat16 and L-BFGS found no lower
        loss; at 512 px that loss read 0.7% under float32's and stopped short of what float32
        and Adam reach (bench/RESULTS.md)."""
        if self.settings.precision != "automatic" or self._compute == "float32":
            return False
        if self.tile is not None and tile_kernels(self.settings) == "bfloat16":
            # Its tiles' memory was planned for bfloat16 (nst.memory.tile_kernels):
            # float32 would need about twice the network's part. The stage ends here.
            log.info(
                "step %d: bfloat16 lowers the loss no further; a stage in tiles stays in it", step
            )
            return False
        self._compute = "float32"
        self.precision = replace(self.precision, float32_from_step=step)
        self.content_targets, self.style_grams = self._targets()
        log.info("step %d: bfloat16 lowers the loss no further; going on in float32", step)
        return True

    # --- the outcome ---

    def result(self) -> Result:
        """The lowest-loss image seen so far, scaled to the output size, with its losses."""
        if self._best is None:
            raise RunError("The run has not evaluated any image yet.")
        optimized = as_image(self._best[1], self.height, self.width)
        image = optimized
        if max(image.shape[:2]) != self.settings.size:
            scale = resize_wrapped if self.settings.tileable else resize_longest
            image = scale(image, self.settings.size)
        image = in_chosen_colours(image, self._content_colours, self.settings)
        return Result(
            image=image,
            settings=self.settings,
            steps=self._steps_done,
            stopped=self._stop.is_set() or not self._completed,
            converged=self._converged,
            losses=self.saved_losses(optimized),
            duration=self._duration,
            device=self.device,
            weights=self.weights,
            precision=self.precision,
        )

    def saved_losses(self, image: np.ndarray) -> dict[str, float]:
        """The losses of the 8-bit ``image`` (H, W, 3) at the working size, in float32.

        With the defaults (output at the working size, the painting's colours) it is the
        saved image itself. Float32 whatever the run's precision (targets too), so runs
        compare. One more evaluation, its gradient left out where that saves time
        (_value_in; in tiles their first pass alone), kept until the best image changes.
        """
        if self._saved_losses is None or self._saved_losses[0] is not self._best[1]:
            loss, targets = self._value_in("float32"), (self.content_targets, self.style_grams)
            if self._compute != "float32":
                targets = self._targets("float32")
            pixels = tf.constant(image[np.newaxis].astype(np.float32))
            total, parts, _ = self._evaluate(pixels, loss, targets)
            names = ("content", "style", "tv")
            losses = {"total": total, **{n: float(v) for n, v in zip(names, parts)}}
            self._saved_losses = (self._best[1], losses)
        return dict(self._saved_losses[1])


def run(settings: Settings, **kwargs: Any) -> Result:
    """Run to the end with no progress reporting (for scripts and tests)."""
    session = Transfer(settings, **kwargs)
    for _ in session.steps():
        pass
    return session.result()

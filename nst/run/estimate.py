"""How long a run will take, before it starts: the steps of its coarse-to-fine stages times
what a step costs on this machine, measured on earlier runs.

The model: one Gatys step (VGG19 forward to the deepest layer in use, and the gradient back
to the image) costs in proportion to the pixel count (its convolutions' work scales with
the pixels; nst/run/clock.py estimates a running run's time left the same way). So a
machine is described by one number per precision, its *rate*: seconds per step per
megapixel of working size. A run's time is the rate times its step-megapixels, the sum
over its stages of iterations times megapixels.

Left out, on purpose: the start (loading TensorFlow and the weights, about 10 s once a
session) and each stage's first step, which traces a new graph shape (1 to 3 s). Both are
small beside the runs worth asking about (LONG_RUN_SECONDS).

Qt-free and wordless: the window feeds progress records to a RateMeter, keeps its rates
and words the figures (gui/run_estimate_words.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nst.memory_model import work_dims
from nst.settings import Settings

# By stage size, a step's time per pixel relative to the whole image's (None: all 1).
Costs = Mapping[int, float] | None

# A run predicted to take longer than this asks before it starts (2 minutes: issue 14).
LONG_RUN_SECONDS = 120.0
# With no rate measured yet, a run above this size asks (issue 14): on the slowest machines
# measured (bench/RESULTS.md) a 1024 px run of the default 300 steps is over an hour, and
# even the fastest takes minutes.
UNMEASURED_ASK_SIZE = 1024

# Stages smaller than this give only a rough rate: a step also has a fixed cost (Python,
# the optimizer, the preview) of about a tenth of a second on a small CPU, which at tiny
# sizes outweighs the pixels' share and inflates the rate (about twice the large-run rate
# at 64x48 px). From 0.1 MP (about 384x288) it adds under 5%, on the safe side.
MIN_MEASURED_MEGAPIXELS = 0.1

# A rough rate (from small stages only) overstates a large run's time by up to about this
# factor, for the fixed cost above: a rough figure is the likely most, and this many times
# less the likely least.
ROUGH_FACTOR = 3.0

# Methods that run steps; the instant method is one pass of a network, never long.
STEPPED_METHODS = ("gatys", "texture")


def stage_megapixels(
    settings: Settings, content_dims: tuple[int, int], costs: Costs = None
) -> list[tuple[float, int]]:
    """(megapixels, iterations) of each stage of ``settings.stage_plan`` for a content
    image of ``content_dims`` (width, height), scaled as the engine scales it. ``costs``:
    by stage size, a step's time per pixel relative to the whole image's (a stage in
    tiles: nst.tiled_memory.StageMemory.cost), counted as that many more megapixels."""
    plan = []
    for size, iterations in settings.stage_plan:
        width, height = work_dims(*content_dims, size)
        cost = (costs or {}).get(size, 1.0)
        plan.append((width * height / 1e6 * cost, iterations))
    return plan


def step_megapixels(
    settings: Settings, content_dims: tuple[int, int], costs: Costs = None
) -> float:
    """The run's work in step-megapixels: iterations times megapixels, over its stages."""
    return sum(mp * n for mp, n in stage_megapixels(settings, content_dims, costs))


def run_seconds(
    settings: Settings, content_dims: tuple[int, int], rate: float, costs: Costs = None
) -> float:
    """Predicted seconds of the run's steps at ``rate`` seconds per step per megapixel."""
    return rate * step_megapixels(settings, content_dims, costs)


def should_ask(settings: Settings, predicted: TimeEstimate | None) -> bool:
    """Whether to ask before the run: a long prediction (a rough one by its likely most),
    or a large unmeasured one."""
    if settings.method not in STEPPED_METHODS:
        return False
    if predicted is None:
        return settings.resolved_work_size > UNMEASURED_ASK_SIZE
    return predicted.seconds > LONG_RUN_SECONDS


@dataclass(frozen=True)
class TimeEstimate:
    """A run's predicted seconds, and how sure: ``low`` is the least it is likely to take
    (``seconds`` itself when measured at a size worth timing). ``rough``: predicted from
    small runs only, whose fixed cost per step inflates the rate, so that ``seconds`` is
    the likely most and ``low`` a ROUGH_FACTOR-th of it."""

    seconds: float
    low: float
    rough: bool = False


def run_estimate(
    settings: Settings,
    content_dims: tuple[int, int],
    rate: float | None,
    rough_rate: float | None = None,
    costs: Costs = None,
) -> TimeEstimate | None:
    """The run's time from the measured ``rate`` or, without one, from the ``rough_rate``
    timed on small stages; None when neither was measured. ``costs``: see
    stage_megapixels."""
    if rate is not None:
        seconds = run_seconds(settings, content_dims, rate, costs)
        return TimeEstimate(seconds, seconds)
    if rough_rate is not None:
        seconds = run_seconds(settings, content_dims, rough_rate, costs)
        return TimeEstimate(seconds, seconds / ROUGH_FACTOR, rough=True)
    return None


class RateMeter:
    """Measures a run's rate from its progress records (``step``, ``stage``, ``elapsed``).

    Each stage's first step is left out (it traces a new graph shape). Stages under
    MIN_MEASURED_MEGAPIXELS are timed apart, for ``rough_rate`` only; ``rate`` is None
    until a step of a larger stage has been timed.
    """

    def __init__(self, stages: Sequence[tuple[float, int]]) -> None:
        self.stages = list(stages)  # (megapixels, iterations), as stage_megapixels gives
        self._last: tuple[int, int, float] | None = None  # stage, step, elapsed
        self.seconds = 0.0
        self.step_megapixels = 0.0
        self.small_seconds = 0.0  # the same, for stages under MIN_MEASURED_MEGAPIXELS
        self.small_step_megapixels = 0.0

    def add(self, progress: Any) -> None:
        stage, step, elapsed = progress.stage, progress.step, progress.elapsed
        last = self._last
        self._last = (stage, step, elapsed)
        if last is None or last[0] != stage or step <= last[1]:
            return
        megapixels = self.stages[stage - 1][0] if 0 < stage <= len(self.stages) else 0.0
        took = elapsed - last[2]
        if megapixels <= 0 or not math.isfinite(took) or took <= 0:
            return
        if megapixels < MIN_MEASURED_MEGAPIXELS:
            self.small_seconds += took
            self.small_step_megapixels += (step - last[1]) * megapixels
        else:
            self.seconds += took
            self.step_megapixels += (step - last[1]) * megapixels

    @property
    def rate(self) -> float | None:
        """Seconds per step per megapixel so far; None before any step was timed."""
        if self.step_megapixels <= 0:
            return None
        return self.seconds / self.step_megapixels

    @property
    def rough_rate(self) -> float | None:
        """Seconds per step per megapixel of the small stages (an overstatement for a
        large run: see TimeEstimate); None before any was timed."""
        if self.small_step_megapixels <= 0:
            return None
        return self.small_seconds / self.small_step_megapixels

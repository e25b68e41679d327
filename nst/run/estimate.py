"""How long a run will take, before it starts: the steps of its coarse-to-fine stages times
what a step costs on this machine, measured on earlier runs.

The model: one Gatys step (VGG19 forward to the deepest layer in use, and the gradient back
to the image) costs in proportion to the pixel count (docs/DESIGN.md section 4: about
284 GFLOP at 512x384, scaling with the pixels; nst/run/clock.py estimates a running run's
time left the same way). So a machine is described by one number per precision, its
*rate*: seconds per step per megapixel of working size. A run's time is the rate times
its step-megapixels, the sum over its stages of iterations times megapixels.

Left out, on purpose: the start (loading TensorFlow and the weights, about 10 s once a
session) and each stage's first step, which traces a new graph shape (1 to 3 s). Both are
small beside the runs worth asking about (LONG_RUN_SECONDS).

Qt-free: the window feeds progress records to a RateMeter and keeps its rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nst.memory import gib, work_dims
from nst.settings import Settings

# A run predicted to take longer than this asks before it starts (2 minutes: issue 14).
LONG_RUN_SECONDS = 120.0
# With no rate measured yet, a run above this size asks (issue 14): on the slowest machine
# measured (AMD EPYC, AVX2: 3.85 s a step at 512x384, DESIGN.md section 4) a 1024 px run
# of the default 300 steps is over an hour, and even the fastest takes minutes.
UNMEASURED_ASK_SIZE = 1024

# Stages smaller than this are not measured: a step also has a fixed cost (Python, the
# optimizer, the preview) of 0.1 to 0.15 s on the 2-core AMD EPYC development machine
# (2026-12, float32, L-BFGS, 6 steps, machine shared: 0.26 s a step at 64x48, 0.57 s at
# 128x96, 1.89 s at 256x192, 4.12 s at 384x288, 7.85 s at 512x384, i.e. 85, 47, 39, 37
# and 40 s per step per megapixel), which at tiny sizes outweighs the pixels' share and
# inflates the rate. From 0.1 MP (about 384x288) it adds under 5%, on the safe side.
MIN_MEASURED_MEGAPIXELS = 0.1

# Methods that run steps; the instant method is one pass of a network, never long.
STEPPED_METHODS = ("gatys", "texture")


def stage_megapixels(settings: Settings, content_dims: tuple[int, int]) -> list[tuple[float, int]]:
    """(megapixels, iterations) of each stage of ``settings.stage_plan`` for a content
    image of ``content_dims`` (width, height), scaled as the engine scales it."""
    plan = []
    for size, iterations in settings.stage_plan:
        width, height = work_dims(*content_dims, size)
        plan.append((width * height / 1e6, iterations))
    return plan


def step_megapixels(settings: Settings, content_dims: tuple[int, int]) -> float:
    """The run's work in step-megapixels: iterations times megapixels, over its stages."""
    return sum(mp * n for mp, n in stage_megapixels(settings, content_dims))


def run_seconds(settings: Settings, content_dims: tuple[int, int], rate: float) -> float:
    """Predicted seconds of the run's steps at ``rate`` seconds per step per megapixel."""
    return rate * step_megapixels(settings, content_dims)


def should_ask(settings: Settings, seconds: float | None) -> bool:
    """Whether to ask before the run: a long prediction, or a large unmeasured one."""
    if settings.method not in STEPPED_METHODS:
        return False
    if seconds is None:
        return settings.resolved_work_size > UNMEASURED_ASK_SIZE
    return seconds > LONG_RUN_SECONDS


def duration_words(seconds: float) -> str:
    """'about 40 s', 'about 14 min', 'about 2 h 5 min': rounded as a clock is read."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes} min" if minutes else f"about {hours} h"


def question(seconds: float | None, peak: int | None) -> str:
    """The sentence that asks before a long run."""
    memory = f"use about {gib(peak)} of memory" if peak else ""
    if seconds is None:
        head = "How long this run will take is unknown until its first steps on this computer"
        return f"{head}{'; it will ' + memory if memory else ''}. Run it?"
    return (
        f"This run will take {duration_words(seconds)}{' and ' + memory if memory else ''}. Run it?"
    )


def advice(seconds: float | None) -> str:
    """What the question's time rests on, and what makes the run shorter."""
    if seconds is None:
        basis = "The time left shows beside the progress bar once the first steps have run"
    else:
        basis = "Estimated from the steps of this computer's last run at this precision"
    return f"{basis}. A smaller working size is much faster; Stop ends a run with its best so far."


class RateMeter:
    """Measures a run's rate from its progress records (``step``, ``stage``, ``elapsed``).

    Each stage's first step is left out (it traces a new graph shape), and so are stages
    under MIN_MEASURED_MEGAPIXELS; ``rate`` is None until a step has been timed.
    """

    def __init__(self, stages: Sequence[tuple[float, int]]) -> None:
        self.stages = list(stages)  # (megapixels, iterations), as stage_megapixels gives
        self._last: tuple[int, int, float] | None = None  # stage, step, elapsed
        self.seconds = 0.0
        self.step_megapixels = 0.0

    def add(self, progress: Any) -> None:
        stage, step, elapsed = progress.stage, progress.step, progress.elapsed
        last = self._last
        self._last = (stage, step, elapsed)
        if last is None or last[0] != stage or step <= last[1]:
            return
        megapixels = self.stages[stage - 1][0] if 0 < stage <= len(self.stages) else 0.0
        took = elapsed - last[2]
        if megapixels < MIN_MEASURED_MEGAPIXELS or not math.isfinite(took) or took <= 0:
            return
        self.seconds += took
        self.step_megapixels += (step - last[1]) * megapixels

    @property
    def rate(self) -> float | None:
        """Seconds per step per megapixel so far; None before any step was timed."""
        if self.step_megapixels <= 0:
            return None
        return self.seconds / self.step_megapixels

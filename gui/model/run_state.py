"""Where a run stands, as a value: the window shows it, nothing matches its words.

The worker's typed signals become a RunState (gui/workers/run_phases.py); the status bar
and the result view draw from it alone: the phase, the step, the last step's losses and
time left, where the engine runs (Engine, known once a run or sweep has prepared), and
how the run ended (the saved path, or why it failed).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Phase(enum.Enum):
    IDLE = "idle"  # no run yet
    STARTING = "starting"  # the worker's thread is starting
    LOADING_MODEL = "loading model"  # TensorFlow and the weights, on the first run
    PREPARING = "preparing"  # the images and the targets (the instant network: its pass)
    RUNNING = "running"  # step ``step`` of ``total``
    STOPPING = "stopping"  # asked to stop: the current step finishes
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"


ACTIVE = frozenset(
    {Phase.STARTING, Phase.LOADING_MODEL, Phase.PREPARING, Phase.RUNNING, Phase.STOPPING}
)


@dataclass(frozen=True)
class Engine:
    """Where the engine runs, as the last run or sweep found it."""

    device: str  # "CPU (16 cores)", "GPU: NVIDIA H200"
    weights: str = ""  # the VGG19 weights' description; "" for the instant network
    # nst.precision.Precision the work used (None: not known, or it varied in a sweep);
    # typed loosely so that the model needs no engine module beyond the settings.
    precision: Any = None


@dataclass(frozen=True)
class Ending:
    """How a run ended: its result's steps and time, where it was saved or why not."""

    steps: int = 0  # the result's steps (0: stopped before the first)
    duration: float = 0.0  # seconds of the run itself
    saved_path: str = ""
    save_error: str = ""
    error: str = ""  # the run failed: why, in one sentence
    has_result: bool = False
    # The worker's RunOutcome (its image and recipe), for the result view to show and
    # save; the model never reads it.
    outcome: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class RunState:
    phase: Phase = Phase.IDLE
    step: int = 0
    total: int = 0
    method: str = ""  # the run's method ("instant" makes no steps)
    elapsed: float = 0.0  # seconds since the first step
    eta: float | None = None  # seconds left, once the engine can tell
    where: str = ""  # the stage and its tiles, in the engine's words (Progress.stage_words)
    losses: Mapping[str, float] = field(default_factory=dict)  # the last step's
    # The objective's changes so far: (steps done when it changed, the new values in words)
    marks: tuple[tuple[int, str], ...] = ()
    engine: Engine | None = None
    ending: Ending | None = None
    run: int = 0  # which run this is: a new one clears the views
    # The live image (uint8 H x W x 3) and how many have come: a new frame repaints the
    # result view; the model never reads the pixels.
    image: Any = field(default=None, compare=False)
    frames: int = 0

    @property
    def active(self) -> bool:
        """A run is going on: the settings are fixed until it ends."""
        return self.phase in ACTIVE

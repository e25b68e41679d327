"""Where a run stands, as a value: the window shows it, nothing matches its words."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Phase(enum.Enum):
    IDLE = "idle"  # no run yet
    STARTING = "starting"  # the worker's thread is starting
    LOADING_MODEL = "loading model"  # TensorFlow and the weights, on the first run
    PREPARING = "preparing"  # the images and the targets
    RUNNING = "running"  # step ``step`` of ``total``
    STOPPING = "stopping"  # asked to stop: the current step finishes
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"


ACTIVE = frozenset(
    {Phase.STARTING, Phase.LOADING_MODEL, Phase.PREPARING, Phase.RUNNING, Phase.STOPPING}
)


@dataclass(frozen=True)
class RunState:
    phase: Phase = Phase.IDLE
    step: int = 0
    total: int = 0

    @property
    def active(self) -> bool:
        """A run is going on: the settings are fixed until it ends."""
        return self.phase in ACTIVE

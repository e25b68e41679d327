"""The bench's sizes and time limits: the issue's (FULL) and a quick set (QUICK)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    efficiency_sizes: tuple[int, ...]
    quality_size: int
    reference_steps: int
    memory_sizes: tuple[int, ...]
    matmul_n: int
    repeats: int
    time_limit_s: float  # per time-to-quality run, and for the peer's drawing
    peer_save_every: int
    # The rows beside the default (one-size L-BFGS, RMSprop, SGD, Adadelta) are timed for at
    # most this long each (0: not run): a method that cannot reach the target at all would
    # otherwise take the whole time_limit_s.
    other_limit_s: float
    wall_size: int  # output size of the default run timed from Run to the saved file


FULL = Config((256, 512, 1024), 512, 1000, (512, 1024, 2048), 4096, 3, 1800.0, 10, 300.0, 512)
QUICK = Config((128, 256), 128, 200, (256, 512), 2048, 3, 300.0, 10, 60.0, 128)

"""The live preview: which steps carry an image, and that image as the result would show.

An image costs a step the copy off the device, the 8-bit rounding and the colour
handling of the saved result (``in_chosen_colours``): a small share of a long step on a
CPU, a larger one where steps are short (bench/preview_cost.py; figures in
bench/RESULTS.md). A window repaints a few times a second, so a session asked for an
image every step made most of them for nothing. ``interval`` asks for one at most every
so many seconds instead: a window passes the rate it repaints at, a script that keeps
every image 0.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from nst.imaging.resize import to_uint8
from nst.run.inputs import in_chosen_colours
from nst.settings import Settings
from nst.tf_runtime import tf


def as_image(flat: tf.Tensor, height: int, width: int) -> np.ndarray:
    """A flat float image in 0..255 as uint8 (H, W, 3)."""
    return to_uint8(tf.reshape(flat, (height, width, 3)).numpy())


class PreviewRate:
    """Which steps carry a preview: every ``every`` steps (0: none), at most one per
    ``interval`` seconds, and always the run's last step."""

    def __init__(
        self,
        every: int,
        last_step: int,
        interval: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.every = every
        self.last_step = last_step
        self.interval = interval
        self._clock = clock
        self._made = -math.inf  # when the last preview was made

    def due(self, step: int) -> bool:
        if not self.every:
            return False
        if step == self.last_step:
            return True
        if step % self.every:
            return False
        now = self._clock()
        if now - self._made < self.interval:
            return False
        self._made = now
        return True


def preview(
    flat: tf.Tensor, height: int, width: int, colours: np.ndarray, settings: Settings
) -> np.ndarray:
    """The image at ``flat`` in the colours the saved result will have."""
    return in_chosen_colours(as_image(flat, height, width), colours, settings)

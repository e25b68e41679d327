"""The optimizer's steps within one stage of a run (one image size).

A stage starts from an image and takes steps with L-BFGS or a first-order method. Each
step ends at an accepted point: its loss, the loss's weighted parts (content, style, tv)
and its gradient. L-BFGS evaluates trial points along its line search and accepts one of
them, so the parts of every point evaluated in a step are kept until the step says which
it accepted. Counting evaluations and keeping the best image are the session's: they go
through the ``evaluate`` it passes in.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from nst.errors import RunError
from nst.memory_model import lbfgs_history
from nst.optim.first_order import FIRST_ORDER
from nst.optim.lbfgs import LBFGS, gradient_vanishes, projected_gradient_l1
from nst.tf_runtime import tf

# An evaluation at a flat image: (loss, its parts (content, style, tv), flat gradient).
Evaluate = Callable[[tf.Tensor], tuple[float, np.ndarray, tf.Tensor]]


def check_finite(loss: float, step: int, learning_rate: float) -> None:
    if not math.isfinite(loss):
        raise RunError(
            f"The loss became {loss} at step {step}; lower the learning rate "
            f"(now {learning_rate:g}) or the style weight."
        )


class Stepper:
    """The steps of one optimizer from ``x`` (1, H, W, 3); the point a step accepted is in
    ``flat``, ``loss``, ``parts`` and ``grad``, and ``converged`` says whether no step
    can lower the loss further."""

    def __init__(
        self,
        optimizer: str,
        learning_rate: float,
        evaluate: Evaluate,
        x: tf.Tensor,
        history: int | None = None,
    ) -> None:
        """``history``: the L-BFGS pairs to keep (None: memory_model.lbfgs_history's for
        the image's size)."""
        self.learning_rate = learning_rate
        self._evaluate = evaluate
        self._seen: list[tuple[tf.Tensor, float, np.ndarray]] = []
        self.flat = tf.reshape(x, (-1,))
        self.converged = False
        self.evaluate_here()
        size = int(self.flat.shape[0])
        self._lbfgs = None
        self._first_order = None
        if optimizer == "lbfgs":
            self._lbfgs = LBFGS(learning_rate, history or lbfgs_history(size))
        else:
            self._first_order = FIRST_ORDER[optimizer](learning_rate)
        # First-order methods get the gradient per pixel: the loss is a mean over pixels,
        # so its raw gradient shrinks as the image grows, and SGD's rate would have to grow
        # with it. Adam and RMSprop are indifferent to the scale; SGD and Adadelta are not.
        self._pixels = float(size // 3)

    def _evaluate_flat(self, flat: tf.Tensor) -> tuple[float, tf.Tensor]:
        loss, parts, grad = self._evaluate(flat)
        self._seen.append((flat, loss, parts))
        return loss, grad

    def evaluate_here(self) -> None:
        """Evaluate the current point again (the loss changed: a new precision)."""
        self.loss, self.grad = self._evaluate_flat(self.flat)
        self.parts = self._seen[-1][2]
        self.converged = False

    def restart(self) -> None:
        """Go on under a changed objective: L-BFGS's pairs measured the old one's curvature
        and are forgotten; a first-order method keeps its moments. The current point is
        evaluated again."""
        if self._lbfgs is not None:
            self._lbfgs.forget()
        self.evaluate_here()

    def step(self, step: int) -> None:
        """One step (``step``: its number in the run, for the error that NaN raises)."""
        self._seen = [(self.flat, self.loss, self.parts)]
        if self._lbfgs is not None:
            outcome = self._lbfgs.step(self.flat, self.loss, self.grad, self._evaluate_flat)
            self.flat, self.loss, self.grad = outcome.x, outcome.loss, outcome.gradient
            self.parts = next(p for f, _, p in self._seen if f is self.flat)
            self.converged = outcome.converged
            trials = [loss for _, loss, _ in self._seen[1:]]
            if self.converged and not any(math.isfinite(v) for v in trials):
                # Every trial point's loss was NaN: that is a failure, not convergence.
                check_finite(self._seen[-1][1], step, self.learning_rate)
            return
        moving = projected_gradient_l1(self.flat, self.grad, 0.0, 255.0)
        if gradient_vanishes(self.loss, moving, 255.0):
            self.converged = True
            return
        moved = self._first_order.step(self.flat, self.grad * self._pixels)
        self.flat = tf.clip_by_value(moved, 0.0, 255.0)
        self.loss, self.grad = self._evaluate_flat(self.flat)
        self.parts = self._seen[-1][2]

"""L-BFGS on flat float32 tensors: the optimizer Gatys et al. used.

L-BFGS (Nocedal 1980; Liu & Nocedal 1989) is written here because TensorFlow has none,
with a backtracking Armijo line search (Nocedal & Wright, "Numerical Optimization",
algorithm 3.1) so that a bad step is never taken.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from nst.tf_runtime import tf

# An evaluation: image (flat) -> (loss, gradient (flat)).
Evaluate = Callable[[tf.Tensor], tuple[float, tf.Tensor]]


@dataclass
class LBFGSStep:
    """What one L-BFGS iteration did."""

    x: tf.Tensor
    loss: float
    gradient: tf.Tensor
    evaluations: int
    converged: bool  # no step along any direction lowered the loss


class LBFGS:
    """Limited-memory BFGS with a backtracking line search."""

    HISTORY = 10  # correction pairs kept unless told: scipy's default (m = 10)
    ARMIJO = 1e-4  # sufficient-decrease constant c1 (Nocedal & Wright, section 3.1)
    MAX_BACKTRACKS = 10  # halvings of the step before giving up on a direction
    # The first step has no curvature to scale it; move the most-affected pixel by this
    # many of its 255 levels, then the curvature pairs set the scale.
    FIRST_STEP_LEVELS = 10.0

    def __init__(self, learning_rate: float = 1.0, history: int | None = None) -> None:
        self.learning_rate = learning_rate
        # memory: 2 * history image-sized vectors (memory.lbfgs_history picks it per size)
        self.history = self.HISTORY if history is None else history
        self.s: list[tf.Tensor] = []
        self.y: list[tf.Tensor] = []
        # 1 / (y . s) per pair, kept from _remember: recomputing them each step cost m dot
        # products, each a device-to-host round trip (small beside a VGG19 pass, but waste).
        self.rho: list[float] = []

    def direction(self, g: tf.Tensor) -> tf.Tensor:
        """-H g by the two-loop recursion (Nocedal & Wright, algorithm 7.4)."""
        q = g
        alphas = []
        rhos = self.rho
        for s, y, rho in reversed(list(zip(self.s, self.y, rhos))):
            alpha = rho * float(tf.tensordot(s, q, 1))
            alphas.append(alpha)
            q = q - alpha * y
        s_last, y_last = self.s[-1], self.y[-1]
        gamma = float(tf.tensordot(s_last, y_last, 1)) / float(tf.tensordot(y_last, y_last, 1))
        r = gamma * q
        for (s, y, rho), alpha in zip(zip(self.s, self.y, rhos), reversed(alphas)):
            beta = rho * float(tf.tensordot(y, r, 1))
            r = r + (alpha - beta) * s
        return -r

    def step(self, x: tf.Tensor, loss: float, g: tf.Tensor, evaluate: Evaluate) -> LBFGSStep:
        if self.s:
            d = self.direction(g)
            t = self.learning_rate
        else:
            d = -g
            t = self.FIRST_STEP_LEVELS / max(float(tf.reduce_max(tf.abs(g))), 1e-30)
        slope = float(tf.tensordot(g, d, 1))
        if slope >= 0:  # not a descent direction (bad curvature): restart from the gradient
            self._forget()
            return self.step(x, loss, g, evaluate)
        for tries in range(1, self.MAX_BACKTRACKS + 1):
            x_new = x + t * d
            loss_new, g_new = evaluate(x_new)
            if math.isfinite(loss_new) and loss_new <= loss + self.ARMIJO * t * slope:
                self._remember(x_new - x, g_new - g)
                return LBFGSStep(x_new, loss_new, g_new, tries, converged=False)
            if not math.isfinite(loss_new) and tries == self.MAX_BACKTRACKS:
                break
            t *= 0.5
        had_history = bool(self.s)
        self._forget()
        if had_history:  # the curvature model misled us; try once more along the gradient
            retry = self.step(x, loss, g, evaluate)
            retry.evaluations += self.MAX_BACKTRACKS
            return retry
        return LBFGSStep(x, loss, g, self.MAX_BACKTRACKS, converged=True)

    def _forget(self) -> None:
        self.s.clear()
        self.y.clear()
        self.rho.clear()

    def _remember(self, s: tf.Tensor, y: tf.Tensor) -> None:
        # Keep only pairs with positive curvature, or the inverse Hessian model is not
        # positive definite (Nocedal & Wright, section 7.2).
        curvature = float(tf.tensordot(s, y, 1))
        if curvature <= 1e-10 * float(tf.tensordot(y, y, 1)):
            return
        self.s.append(s)
        self.y.append(y)
        self.rho.append(1.0 / curvature)
        if len(self.s) > self.history:
            self.s.pop(0)
            self.y.pop(0)
            self.rho.pop(0)

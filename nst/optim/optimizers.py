"""The optimizers that move the image's pixels, on flat float32 tensors.

First-order methods (Adam, Adadelta, RMSprop, SGD) follow their papers' update rules with
Keras's default constants; they are written out here, a few lines each, so that they act
on a plain tensor with no Keras variable tracking and so that each keeps the state the
engine can inspect. L-BFGS (Nocedal 1980; Liu & Nocedal 1989) is what Gatys et al. used;
it is written here because TensorFlow has none, with a backtracking Armijo line search
(Nocedal & Wright, "Numerical Optimization", algorithm 3.1) so that a bad step is never
taken.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from nst.tf_runtime import tf

# An evaluation: image (flat) -> (loss, gradient (flat)).
Evaluate = Callable[[tf.Tensor], tuple[float, tf.Tensor]]


class FirstOrder:
    """Base of the first-order methods: ``step(x, g)`` returns the new x."""

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate
        self.iterations = 0

    def step(self, x: tf.Tensor, g: tf.Tensor) -> tf.Tensor:
        self.iterations += 1
        return x - self.delta(g)

    def delta(self, g: tf.Tensor) -> tf.Tensor:
        raise NotImplementedError


class SGD(FirstOrder):
    """Gradient descent with heavy-ball momentum 0.9 (Polyak 1964; Sutskever et al. 2013)."""

    MOMENTUM = 0.9

    def __init__(self, learning_rate: float) -> None:
        super().__init__(learning_rate)
        self.velocity: tf.Tensor | None = None

    def delta(self, g: tf.Tensor) -> tf.Tensor:
        step = self.learning_rate * g
        self.velocity = step if self.velocity is None else self.MOMENTUM * self.velocity + step
        return self.velocity


class Adam(FirstOrder):
    """Kingma & Ba 2015, algorithm 1, with their defaults beta1 0.9, beta2 0.999."""

    BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8

    def __init__(self, learning_rate: float) -> None:
        super().__init__(learning_rate)
        self.m: tf.Tensor | None = None
        self.v: tf.Tensor | None = None

    def delta(self, g: tf.Tensor) -> tf.Tensor:
        if self.m is None:
            self.m, self.v = tf.zeros_like(g), tf.zeros_like(g)
        self.m = self.BETA1 * self.m + (1 - self.BETA1) * g
        self.v = self.BETA2 * self.v + (1 - self.BETA2) * tf.square(g)
        t = self.iterations
        rate = self.learning_rate * math.sqrt(1 - self.BETA2**t) / (1 - self.BETA1**t)
        return rate * self.m / (tf.sqrt(self.v) + self.EPSILON)


class RMSprop(FirstOrder):
    """Tieleman & Hinton 2012 (lecture 6e), decay 0.9 as in Keras."""

    RHO, EPSILON = 0.9, 1e-8

    def __init__(self, learning_rate: float) -> None:
        super().__init__(learning_rate)
        self.mean_square: tf.Tensor | None = None

    def delta(self, g: tf.Tensor) -> tf.Tensor:
        sq = tf.square(g)
        if self.mean_square is None:
            # start from the first gradient's square, not 0, so that the first step is not
            # 1/sqrt(1 - rho) ~ 3x larger than the rest
            self.mean_square = sq
        self.mean_square = self.RHO * self.mean_square + (1 - self.RHO) * sq
        return self.learning_rate * g / (tf.sqrt(self.mean_square) + self.EPSILON)


class Adadelta(FirstOrder):
    """Zeiler 2012, algorithm 1 (rho 0.95, epsilon 1e-6 as in the paper), times the rate."""

    RHO, EPSILON = 0.95, 1e-6

    def __init__(self, learning_rate: float) -> None:
        super().__init__(learning_rate)
        self.mean_square_g: tf.Tensor | None = None
        self.mean_square_dx: tf.Tensor | None = None

    def delta(self, g: tf.Tensor) -> tf.Tensor:
        if self.mean_square_g is None:
            self.mean_square_g, self.mean_square_dx = tf.zeros_like(g), tf.zeros_like(g)
        self.mean_square_g = self.RHO * self.mean_square_g + (1 - self.RHO) * tf.square(g)
        rms_dx = tf.sqrt(self.mean_square_dx + self.EPSILON)
        dx = rms_dx / tf.sqrt(self.mean_square_g + self.EPSILON) * g
        self.mean_square_dx = self.RHO * self.mean_square_dx + (1 - self.RHO) * tf.square(dx)
        return self.learning_rate * dx


FIRST_ORDER: dict[str, type[FirstOrder]] = {
    "adam": Adam,
    "adadelta": Adadelta,
    "rmsprop": RMSprop,
    "sgd": SGD,
}


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

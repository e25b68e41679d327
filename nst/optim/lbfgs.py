"""Bounded L-BFGS on flat float32 tensors: the optimizer Gatys et al. used, kept inside the
pixel range.

L-BFGS (Nocedal 1980; Liu & Nocedal 1989) is written here because TensorFlow has none.

Bounds, by projection in the two-metric form (Bertsekas 1982, "Projected Newton methods
for optimization problems with simple constraints"; its L-BFGS use: Kim, Sra & Dhillon
2010): a pixel at a bound whose gradient pushes it outward is held (the active set); the
direction -H g (nst/optim/pairs.py) acts on the gradient of the others, and every trial
point is projected onto the box. So every image evaluated, the best one kept among them,
lies in 0..255, and the losses reported belong to an image that can be saved.

Line search: the strong Wolfe conditions (Nocedal & Wright, "Numerical Optimization",
2nd ed., algorithms 3.5 and 3.6, with their c1 = 1e-4 and c2 = 0.9 for quasi-Newton
methods) along the projected path phi(t) = f(P(x + t d)), whose slope at t counts only the
pixels that the projection has not stopped. The first trial, t = 1, is taken almost
always: one evaluation a step.

A zero or vanishing gradient ends the run as converged, and so does a search along the
plain gradient that finds no lower loss; neither recurses.

Compiled, not scipy's L-BFGS-B, by measurement (bench/optimizer_share.py; the figures are
in bench/RESULTS.md): the compiled step's own work is a small share of an evaluation and
scipy's a larger one (its Cauchy-point and subspace work in float64, and the copies to
and from NumPy); with its default tolerances scipy also stopped early, at a higher loss.
And the compiled direction (the pairs in preallocated variables, a few ``tf.function``s)
runs where the image is, GPU included, with no host sync but the loss and a few scalars,
and the caller keeps its loop (``Transfer.steps()`` is a generator), where scipy's
minimizer would own it.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from nst.optim.pairs import acquire, release
from nst.tf_runtime import tf

# An evaluation: image (flat) -> (loss, gradient (flat)).
Evaluate = Callable[[tf.Tensor], tuple[float, tf.Tensor]]

# float32's machine epsilon: a change of the loss below this fraction of it is not seen.
FLOAT32_EPSILON = 2.0**-23


@dataclass
class LBFGSStep:
    """What one L-BFGS iteration did."""

    x: tf.Tensor
    loss: float
    gradient: tf.Tensor
    evaluations: int
    converged: bool  # the gradient vanished, or no step along it lowered the loss


def projected_gradient_l1(x: tf.Tensor, g: tf.Tensor, low: float, high: float) -> float:
    """|g|_1 over the pixels that may move inside [low, high] (for the first-order methods;
    L-BFGS computes it inside its compiled direction)."""
    held = ((x <= low) & (g > 0)) | ((x >= high) & (g < 0))
    return float(tf.reduce_sum(tf.where(held, 0.0, tf.abs(g))))


def gradient_vanishes(loss: float, projected_gradient_l1: float, span: float) -> bool:
    """Whether no step inside the box could change the loss that float32 can see: to first
    order, moving every pixel across the whole ``span`` changes it by at most
    |g|_1 * span. True for a zero gradient (a loss already at 0, or all weights 0)."""
    return projected_gradient_l1 * span <= FLOAT32_EPSILON * abs(loss)


class LBFGS:
    """Limited-memory BFGS, projected onto [low, high], with a strong Wolfe line search."""

    HISTORY = 10  # correction pairs kept unless told: scipy's default (m = 10)
    C1, C2 = 1e-4, 0.9  # Wolfe constants (Nocedal & Wright, section 3.1, for quasi-Newton)
    MAX_EVALUATIONS = 20  # per line search: scipy's L-BFGS-B default (maxls = 20)
    EXTRAPOLATE = 2.0  # growth of t while phi still falls steeply (N&W 3.5: any factor > 1)

    def __init__(
        self,
        learning_rate: float = 1.0,
        history: int | None = None,
        bounds: tuple[float, float] = (0.0, 255.0),
    ) -> None:
        self.learning_rate = learning_rate
        # memory: 2 * history image-sized vectors (memory_model.lbfgs_history picks it per size)
        self.history = self.HISTORY if history is None else history
        self.low, self.high = bounds
        memory = acquire(self.history, self.low, self.high)
        # Back to the pool when this optimizer goes (a stage ends), its pairs freed; not at
        # interpreter exit, when TensorFlow may be gone.
        self._release = weakref.finalize(self, release, memory)
        self._release.atexit = False
        self._memory = memory
        self._count = memory.count
        self._direction = memory.direction
        self._trial = memory.trial
        self._slopes = memory.slopes
        self._remember = memory.remember

    @property
    def pairs(self) -> int:
        """Correction pairs held now."""
        return int(self._count.numpy())

    def forget(self) -> None:
        self._memory.forget()

    # --- the step (Python: the line search's few scalar decisions) ---

    def allocate(self, n: int) -> None:
        """Make room for ``history`` pairs of ``n`` values (the first step does it)."""
        self._memory.allocate(n)

    def step(self, x: tf.Tensor, loss: float, g: tf.Tensor, evaluate: Evaluate) -> LBFGSStep:
        self.allocate(int(x.shape[0]))
        evaluations = 0
        for _ in range(2):  # the curvature model's direction, then the plain gradient's
            from_history = self.pairs > 0
            d, scalars = self._direction(x, g)
            slope, gradient_l1 = (float(v) for v in scalars.numpy())
            if gradient_vanishes(loss, gradient_l1, self.high - self.low):
                return LBFGSStep(x, loss, g, evaluations, converged=True)
            if slope < 0:
                t = self.learning_rate if from_history else 1.0
                found, used = self._search(x, loss, g, d, slope, t, evaluate)
                evaluations += used
                if found is not None:
                    x_new, loss_new, g_new = found
                    self._remember(x, x_new, g, g_new)
                    return LBFGSStep(x_new, loss_new, g_new, evaluations, converged=False)
            if not from_history:
                break
            self.forget()  # the curvature model misled the search: start again from g
        return LBFGSStep(x, loss, g, evaluations, converged=True)

    def _search(self, x, f0, g, d, slope0, t, evaluate):
        """Strong Wolfe search on phi(t) = f(P(x + t d)) (N&W algorithms 3.5, 3.6).

        Returns ((x_t, f_t, g_t) or None, evaluations). Past MAX_EVALUATIONS it settles for
        the lowest point with sufficient decrease, if any."""
        best = None  # (t, f, slope, x, g): the lowest point with sufficient decrease
        previous = (0.0, f0, slope0)
        bracket = None
        for used in range(1, self.MAX_EVALUATIONS + 1):
            if bracket is not None:
                t = _interpolate(*bracket)
            x_t = self._trial(x, d, tf.constant(t, tf.float32))
            f_t, g_t = evaluate(x_t)
            measured = self._slopes(x, d, tf.constant(t, tf.float32), g, g_t).numpy()
            decrease, slope_t = (float(v) for v in measured)
            sufficient = math.isfinite(f_t) and f_t <= f0 + self.C1 * decrease
            low = bracket[0] if bracket else previous
            # Past the low point of the bracket, or no lower than the last trial: the
            # minimum lies between that point and this one.
            if not sufficient or (f_t >= low[1] and (bracket is not None or used > 1)):
                point = (t, f_t if math.isfinite(f_t) else math.inf, slope_t)
                bracket = (low, point)
                continue
            if best is None or f_t < best[1]:
                best = (t, f_t, slope_t, x_t, g_t)
            if abs(slope_t) <= -self.C2 * slope0:
                return (x_t, f_t, g_t), used
            point = (t, f_t, slope_t)
            if bracket is not None:
                high = bracket[1]
                if slope_t * (high[0] - t) >= 0:
                    high = bracket[0]
                bracket = (point, high)
            elif slope_t >= 0:
                bracket = (point, previous)
            else:
                previous = point
                t *= self.EXTRAPOLATE
            if bracket is not None and abs(bracket[1][0] - bracket[0][0]) <= 1e-7 * t:
                break  # the bracket is below float32 resolution: take the best point
        if best is None:
            return None, used
        return (best[3], best[1], best[4]), used


def _interpolate(low: tuple[float, float, float], high: tuple[float, float, float]) -> float:
    """The next trial between two (t, phi, phi') points: the cubic's minimizer (N&W eq.
    3.59), kept in the middle 80% of the bracket (the safeguard of section 3.5), else the
    midpoint."""
    (a, fa, da), (b, fb, db) = low, high
    lo, hi = min(a, b), max(a, b)
    margin = 0.1 * (hi - lo)
    if math.isfinite(fb) and math.isfinite(db) and a != b:
        d1 = da + db - 3 * (fa - fb) / (a - b)
        radicand = d1 * d1 - da * db
        if radicand >= 0:
            d2 = math.copysign(math.sqrt(radicand), b - a)
            denominator = db - da + 2 * d2
            if denominator != 0:
                t = b - (b - a) * (db + d2 - d1) / denominator
                if lo + margin <= t <= hi - margin:
                    return t
    return 0.5 * (a + b)

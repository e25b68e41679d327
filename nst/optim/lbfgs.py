"""Bounded L-BFGS on flat float32 tensors: the optimizer Gatys et al. used, kept inside the
pixel range.

L-BFGS (Nocedal 1980; Liu & Nocedal 1989) is written here because TensorFlow has none.

Bounds, by projection in the two-metric form (Bertsekas 1982, "Projected Newton methods
for optimization problems with simple constraints"; its L-BFGS use: Kim, Sra & Dhillon
2010): a pixel at a bound whose gradient pushes it outward is held (the active set); the
two-loop recursion acts on the gradient of the others, and every trial point is projected
onto the box. So every image evaluated, the best one kept among them, lies in 0..255, and
the losses reported belong to an image that can be saved.

Line search: the strong Wolfe conditions (Nocedal & Wright, "Numerical Optimization",
2nd ed., algorithms 3.5 and 3.6, with their c1 = 1e-4 and c2 = 0.9 for quasi-Newton
methods) along the projected path phi(t) = f(P(x + t d)), whose slope at t counts only the
pixels that the projection has not stopped. The first trial, t = 1, is taken almost
always: one evaluation a step.

A zero or vanishing gradient ends the run as converged, and so does a search along the
plain gradient that finds no lower loss; neither recurses.

Compiled, not scipy's L-BFGS-B, by measurement (bench/optimizer_share.py; figures in
bench/RESULTS.md): at 512 px with 40 pairs the compiled step's own work is about 2% of a
float32 evaluation on a 2-core AVX2 CPU, the eager one it replaces 5%, scipy's 9% (its
Cauchy-point and subspace work in float64, and the copies to and from NumPy); with its
default tolerances scipy also stopped early, at a higher loss. And the compiled recursion
(stacked pairs in preallocated variables, one ``tf.function``) runs where the image is,
GPU included, with no host sync but the loss and a few scalars, and the caller keeps its
loop (``Transfer.steps()`` is a generator), where scipy's minimizer would own it.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from nst.tf_runtime import tf

# An evaluation: image (flat) -> (loss, gradient (flat)).
Evaluate = Callable[[tf.Tensor], tuple[float, tf.Tensor]]

# float32's machine epsilon: a change of the loss below this fraction of it is not seen.
FLOAT32_EPSILON = 2.0**-23
_FLAT = tf.TensorSpec((None,), tf.float32)
_SCALAR = tf.TensorSpec((), tf.float32)


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
        # memory: 2 * history image-sized vectors (memory.lbfgs_history picks it per size)
        self.history = self.HISTORY if history is None else history
        self.low, self.high = bounds
        memory = _acquire(self.history, self.low, self.high)
        # Back to the pool when this optimizer goes (a stage ends), its pairs freed; not at
        # interpreter exit, when TensorFlow may be gone.
        self.release = weakref.finalize(self, _release, memory)
        self.release.atexit = False
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


class _Memory:
    """The correction pairs and the compiled functions that read and write them.

    -H g in the compact form of Byrd, Nocedal & Schnabel (1994, "Representations of
    quasi-Newton matrices and their use in limited memory methods", theorem 2.2), which
    L-BFGS-B uses too: the same matrix as the two-loop recursion, but its image-sized work
    is two matrix-vector products over all pairs at once (and one more to remember a pair),
    not 4 x pairs small operations. At 512 px with 40 pairs the two-loop took 77 ms, 18% of
    a bfloat16 evaluation on an AVX512_BF16 CPU (bench/RESULTS.md); this form's products
    read the pairs at the memory's speed. The small (pairs x pairs) algebra is in float64.

    Tracing the functions takes seconds, and a run makes an optimizer per stage, so
    optimizers with the same history and bounds share one, taken from a pool: the pairs'
    width is left open (``None``) and each stage sizes them anew."""

    # The first step has no curvature to scale it; move the most-affected pixel by this
    # many of its 255 levels, then the curvature pairs set the scale.
    FIRST_STEP_LEVELS = 10.0

    def __init__(self, history: int, low: float, high: float) -> None:
        self.history, self.low, self.high = history, low, high
        self.width = 0  # values per pair now (the variables' declared width is open)
        m = history
        # (2 history, n): rows 0..m-1 the steps s, rows m..2m-1 the gradient changes y,
        # each a ring buffer whose slot ``head`` takes the next pair.
        self._w = tf.Variable(tf.zeros((2 * m, 0)), shape=[2 * m, None], trainable=False)
        self._sy = tf.Variable(tf.zeros((m, m), tf.float64), trainable=False)  # s_i . y_j
        self._yy = tf.Variable(tf.zeros((m, m), tf.float64), trainable=False)  # y_i . y_j
        self.count = tf.Variable(0, trainable=False)  # pairs held
        self._head = tf.Variable(0, trainable=False)  # the slot the next pair goes to
        self._gamma = tf.Variable(1.0, trainable=False)  # s.y / y.y of the newest pair
        self.direction = tf.function(self._direction_graph, input_signature=[_FLAT, _FLAT])
        self.trial = tf.function(self._trial_graph, input_signature=[_FLAT, _FLAT, _SCALAR])
        self.slopes = tf.function(
            self._slopes_graph, input_signature=[_FLAT, _FLAT, _SCALAR, _FLAT, _FLAT]
        )
        self.remember = tf.function(self._remember_graph, input_signature=[_FLAT] * 4)

    def forget(self) -> None:
        self.count.assign(0)
        self._head.assign(0)

    def allocate(self, n: int) -> None:
        if self.width != n:
            self.width = n
            self._w.assign(tf.zeros((2 * self.history, n)))
            self.forget()

    def free(self) -> None:
        """Forget the pairs and give their memory back."""
        self.forget()
        self.allocate(0)

    def _free(self, x: tf.Tensor, g: tf.Tensor) -> tf.Tensor:
        """The pixels that may move: not at a bound that the gradient pushes them past."""
        held = ((x <= self.low) & (g > 0)) | ((x >= self.high) & (g < 0))
        return tf.logical_not(held)

    def _direction_graph(self, x: tf.Tensor, g: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """-H g on the free pixels, and (slope g.d, |g_free|_1).

        H = gamma I + [S  gamma Y] M [S^T; gamma Y^T] with, over the pairs oldest first,
        M = [[R^-T (D + gamma Y^T Y) R^-1, -R^-T], [-R^-1, 0]], R the upper triangle of
        S^T Y and D its diagonal (Byrd, Nocedal & Schnabel 1994, equation 2.6)."""
        free = self._free(x, g)
        q = tf.where(free, g, 0.0)
        gradient_l1 = tf.reduce_sum(tf.abs(q))
        count, m = self.count, self.history
        if count > 0:
            order = tf.math.floormod(self._head - count + tf.range(count), m)  # oldest first
            products = tf.cast(tf.linalg.matvec(self._w, q), tf.float64)  # S q, then Y q
            a = tf.gather(products[:m], order)[:, tf.newaxis]
            b = tf.gather(products[m:], order)[:, tf.newaxis]
            sy = tf.gather(tf.gather(self._sy, order), order, axis=1)
            yy = tf.gather(tf.gather(self._yy, order), order, axis=1)
            gamma = tf.cast(self._gamma, tf.float64)
            r = tf.linalg.band_part(sy, 0, -1)
            r_inv_a = tf.linalg.triangular_solve(r, a, lower=False)
            middle = (tf.linalg.diag(tf.linalg.diag_part(sy)) + gamma * yy) @ r_inv_a - gamma * b
            p = tf.linalg.triangular_solve(r, middle, lower=False, adjoint=True)
            coefficients = tf.scatter_nd(
                tf.concat([order, order + m], 0)[:, tf.newaxis],
                tf.concat([p[:, 0], -gamma * r_inv_a[:, 0]], 0),
                [2 * m],
            )
            combined = tf.linalg.matvec(self._w, tf.cast(coefficients, tf.float32), adjoint_a=True)
            h_q = self._gamma * q + combined
        else:  # no curvature yet: scale so that the largest move is FIRST_STEP_LEVELS
            h_q = q * (self.FIRST_STEP_LEVELS / tf.maximum(tf.reduce_max(tf.abs(q)), 1e-30))
        d = -tf.where(free, h_q, 0.0)
        return d, tf.stack([tf.tensordot(g, d, 1), gradient_l1])

    def _trial_graph(self, x: tf.Tensor, d: tf.Tensor, t: tf.Tensor) -> tf.Tensor:
        return tf.clip_by_value(x + t * d, self.low, self.high)

    def _slopes_graph(self, x, d, t, g, g_t):  # fmt: skip
        """(g . (x_t - x), phi'(t)): the Armijo term along the projected path, and phi's
        slope at t, which counts only the pixels the projection has not stopped."""
        moved = x + t * d
        inside = (moved > self.low) & (moved < self.high)
        x_t = tf.clip_by_value(moved, self.low, self.high)
        slope = tf.reduce_sum(tf.where(inside, g_t * d, 0.0))
        return tf.stack([tf.tensordot(g, x_t - x, 1), slope])

    def _remember_graph(self, x, x_new, g, g_new):  # fmt: skip
        """Keep the pair (x_new - x, g_new - g) if its curvature is positive, with its
        products against the pairs held (S^T y, Y^T s, Y^T y) in the small matrices.

        The pairs are replaced whole (one copy, 7 ms at 512 px with 40 pairs), never
        written in place by a sparse or sliced update: those put the variable in TensorFlow's
        copy-on-read mode, and every later read of it copied all the pairs (11 ms a read)."""
        # Keep only pairs with positive curvature, or the inverse Hessian model is not
        # positive definite (N&W section 7.2); 1e-10 relative guards against rounding.
        s, y = x_new - x, g_new - g
        sy, yy = tf.tensordot(s, y, 1), tf.tensordot(y, y, 1)
        if sy > 1e-10 * yy:
            head, m = self._head, self.history
            pair = tf.stack([s, y])
            # Against every slot, the one the pair replaces as well; its own entries next.
            products = tf.cast(tf.matmul(pair, self._w, transpose_b=True), tf.float64)
            s_dot_y, y_dot_s, y_dot_y = products[1, :m], products[0, m:], products[1, m:]
            self._w.assign(
                tf.tensor_scatter_nd_update(self._w, tf.stack([[head], [head + m]]), pair)
            )
            slot = head[tf.newaxis, tf.newaxis]
            own = tf.stack([head, head])[tf.newaxis]
            sy_matrix = _set_column(_set_row(self._sy, slot, y_dot_s), slot, s_dot_y)
            yy_matrix = _set_column(_set_row(self._yy, slot, y_dot_y), slot, y_dot_y)
            self._sy.assign(tf.tensor_scatter_nd_update(sy_matrix, own, [tf.cast(sy, tf.float64)]))
            self._yy.assign(tf.tensor_scatter_nd_update(yy_matrix, own, [tf.cast(yy, tf.float64)]))
            self._gamma.assign(sy / yy)
            self._head.assign(tf.math.floormod(head + 1, m))
            self.count.assign(tf.minimum(self.count + 1, m))


def _set_row(matrix: tf.Tensor, slot: tf.Tensor, values: tf.Tensor) -> tf.Tensor:
    return tf.tensor_scatter_nd_update(matrix, slot, values[tf.newaxis])


def _set_column(matrix: tf.Tensor, slot: tf.Tensor, values: tf.Tensor) -> tf.Tensor:
    return tf.transpose(_set_row(tf.transpose(matrix), slot, values))


_POOL: dict[tuple[int, float, float], list[_Memory]] = {}
_POOL_LOCK = threading.Lock()


def _acquire(history: int, low: float, high: float) -> _Memory:
    """A free _Memory for these pairs and bounds, emptied; a new one if none is free (two
    runs at once each get their own)."""
    with _POOL_LOCK:
        free = _POOL.setdefault((history, low, high), [])
        memory = free.pop() if free else None
    if memory is None:
        return _Memory(history, low, high)
    memory.forget()
    return memory


def _release(memory: _Memory) -> None:
    memory.free()
    with _POOL_LOCK:
        _POOL.setdefault((memory.history, memory.low, memory.high), []).append(memory)


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

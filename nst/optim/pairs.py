"""L-BFGS's correction pairs and the compiled functions that read and write them.

-H g in the compact form of Byrd, Nocedal & Schnabel (1994, "Representations of
quasi-Newton matrices and their use in limited memory methods", theorem 2.2), which
L-BFGS-B uses too: the same matrix as the two-loop recursion it replaced, but its
image-sized work is a few matrix products over all pairs at once instead of 4 x pairs
small operations, which left the two-loop a large share of a bfloat16 evaluation
(bench/optimizer_share.py; figures in bench/RESULTS.md). The small (pairs x pairs)
algebra is in float64.

How the pairs are kept, both by measurement:
- In groups of slots (layout.group_slots), each group one variable, replaced whole when
  one of its slots takes a new pair: a sparse or sliced write in place puts a variable in
  copy-on-read mode, after which every read of it copied all of it (bench/RESULTS.md);
  a whole replacement copies only the group.
- A new pair's products with the others (S^T y, Y^T s, Y^T y) are taken in the next
  direction's pass over the pairs, which reads them anyway, instead of in a pass of its own.

Tracing the functions takes seconds, and a run makes an optimizer per stage, so
optimizers with the same history and bounds share one set, taken from a pool (acquire,
release): the pairs' width is left open (``None``) and each stage sizes them anew.
"""

from __future__ import annotations

import math
import threading

from nst.optim.layout import group_slots
from nst.tf_runtime import tf

_FLAT = tf.TensorSpec((None,), tf.float32)
_SCALAR = tf.TensorSpec((), tf.float32)


class Pairs:
    """Up to ``history`` pairs (s, y) in a ring, and the compiled steps that use them."""

    # The first step has no curvature to scale it; move the most-affected pixel by this
    # many of its 255 levels, then the curvature pairs set the scale.
    FIRST_STEP_LEVELS = 10.0

    def __init__(self, history: int, low: float, high: float) -> None:
        self.history, self.low, self.high = history, low, high
        self.width = 0  # values per pair now (the variables' declared width is open)
        m = history
        self.slots = k = group_slots(m)
        # Group j: rows 0..k-1 the steps s of slots j*k.., rows k..2k-1 their y.
        self._groups = [
            tf.Variable(tf.zeros((2 * k, 0)), shape=[2 * k, None], trainable=False)
            for _ in range(math.ceil(m / k))
        ]
        # The newest pair, until its products with the others are taken.
        self._pending = tf.Variable(tf.zeros((2, 0)), shape=[2, None], trainable=False)
        self._is_pending = tf.Variable(False, trainable=False)
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
        self._is_pending.assign(False)

    def allocate(self, n: int) -> None:
        if self.width != n:
            self.width = n
            for group in self._groups:
                group.assign(tf.zeros((2 * self.slots, n)))
            self._pending.assign(tf.zeros((2, n)))
            self.forget()

    def free(self) -> None:
        """Forget the pairs and give their memory back."""
        self.forget()
        self.allocate(0)

    # --- graphs ---

    def _products(self, rows: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """(rows . s_i, rows . y_i) for every slot i: two (len(rows), history) float64."""
        k, m = self.slots, self.history
        each = [tf.matmul(rows, group, transpose_b=True) for group in self._groups]
        with_s = tf.concat([p[:, :k] for p in each], axis=1)[:, :m]
        with_y = tf.concat([p[:, k:] for p in each], axis=1)[:, :m]
        return tf.cast(with_s, tf.float64), tf.cast(with_y, tf.float64)

    def _absorb(self, with_s: tf.Tensor, with_y: tf.Tensor) -> None:
        """Enter the pending pair's products (rows s, y of ``with_s``/``with_y``, taken with
        the pair already in its slot) into S^T Y and Y^T Y."""
        slot = tf.math.floormod(self._head - 1, self.history)[tf.newaxis, tf.newaxis]
        sy = _set_column(_set_row(self._sy, slot, with_y[0]), slot, with_s[1])
        self._sy.assign(sy)  # row: s . y_j; column: s_i . y
        self._yy.assign(_set_column(_set_row(self._yy, slot, with_y[1]), slot, with_y[1]))
        self._is_pending.assign(False)

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
        count, m, k = self.count, self.history, self.slots
        if count > 0:
            with_s, with_y = self._products(tf.concat([q[tf.newaxis], self._pending], 0))
            if self._is_pending:
                self._absorb(with_s[1:], with_y[1:])
            order = tf.math.floormod(self._head - count + tf.range(count), m)  # oldest first
            a = tf.gather(with_s[0], order)[:, tf.newaxis]
            b = tf.gather(with_y[0], order)[:, tf.newaxis]
            sy = tf.gather(tf.gather(self._sy, order), order, axis=1)
            yy = tf.gather(tf.gather(self._yy, order), order, axis=1)
            gamma = tf.cast(self._gamma, tf.float64)
            r = tf.linalg.band_part(sy, 0, -1)
            r_inv_a = tf.linalg.triangular_solve(r, a, lower=False)
            middle = (tf.linalg.diag(tf.linalg.diag_part(sy)) + gamma * yy) @ r_inv_a - gamma * b
            p = tf.linalg.triangular_solve(r, middle, lower=False, adjoint=True)
            slots = len(self._groups) * k
            on_s = tf.scatter_nd(order[:, tf.newaxis], p[:, 0], [slots])
            on_y = tf.scatter_nd(order[:, tf.newaxis], -gamma * r_inv_a[:, 0], [slots])
            h_q = self._gamma * q
            for j, group in enumerate(self._groups):
                weights = tf.cast(
                    tf.concat([on_s[j * k : j * k + k], on_y[j * k : j * k + k]], 0), tf.float32
                )
                h_q += tf.linalg.matvec(group, weights, adjoint_a=True)
        else:  # no curvature yet: scale so that the largest move is FIRST_STEP_LEVELS
            h_q = q * (self.FIRST_STEP_LEVELS / tf.maximum(tf.reduce_max(tf.abs(q)), 1e-30))
        d = -tf.where(free, h_q, 0.0)
        return d, tf.stack([tf.tensordot(g, d, 1), gradient_l1])

    def _trial_graph(self, x: tf.Tensor, d: tf.Tensor, t: tf.Tensor) -> tf.Tensor:
        return tf.clip_by_value(x + t * d, self.low, self.high)

    def _slopes_graph(self, x, d, t, g, g_t):
        """(g . (x_t - x), phi'(t)): the Armijo term along the projected path, and phi's
        slope at t, which counts only the pixels the projection has not stopped."""
        moved = x + t * d
        inside = (moved > self.low) & (moved < self.high)
        x_t = tf.clip_by_value(moved, self.low, self.high)
        slope = tf.reduce_sum(tf.where(inside, g_t * d, 0.0))
        return tf.stack([tf.tensordot(g, x_t - x, 1), slope])

    def _remember_graph(self, x, x_new, g, g_new):
        """Keep the pair (x_new - x, g_new - g) if its curvature is positive; its products
        with the others wait for the next direction."""
        # Keep only pairs with positive curvature, or the inverse Hessian model is not
        # positive definite (N&W section 7.2); 1e-10 relative guards against rounding.
        s, y = x_new - x, g_new - g
        sy, yy = tf.tensordot(s, y, 1), tf.tensordot(y, y, 1)
        if sy > 1e-10 * yy:
            if self._is_pending:  # two pairs with no direction between them (tests do it)
                self._absorb(*self._products(self._pending))
            head, k = self._head, self.slots
            pair = tf.stack([s, y])
            rows = tf.stack([[head % k], [head % k + k]])
            branches = [_replacing(group, rows, pair) for group in self._groups]
            tf.switch_case(head // k, branches)
            self._pending.assign(pair)
            self._is_pending.assign(True)
            self._gamma.assign(sy / yy)
            self._head.assign(tf.math.floormod(head + 1, self.history))
            self.count.assign(tf.minimum(self.count + 1, self.history))


def _replacing(group: tf.Variable, rows: tf.Tensor, pair: tf.Tensor):  # noqa: ANN202
    """A branch that writes ``pair`` into ``rows`` of ``group`` by replacing it whole."""

    def replace() -> tf.Tensor:
        group.assign(tf.tensor_scatter_nd_update(group, rows, pair))
        return tf.constant(0)

    return replace


def _set_row(matrix: tf.Tensor, slot: tf.Tensor, values: tf.Tensor) -> tf.Tensor:
    return tf.tensor_scatter_nd_update(matrix, slot, values[tf.newaxis])


def _set_column(matrix: tf.Tensor, slot: tf.Tensor, values: tf.Tensor) -> tf.Tensor:
    return tf.transpose(_set_row(tf.transpose(matrix), slot, values))


_POOL: dict[tuple[int, float, float], list[Pairs]] = {}
_POOL_LOCK = threading.Lock()
# Pairs released while TensorFlow traces a function on this thread, freed by the next
# acquire: release runs from an optimizer's finalizer, which Python's garbage collector
# may call in the middle of a trace, and a variable's assign there waits for the graph's
# lock the trace holds (a test run hung so).
_RELEASED: list[Pairs] = []


def acquire(history: int, low: float, high: float) -> Pairs:
    """A free Pairs for this history and these bounds, emptied; a new one if none is free
    (two runs at once each get their own)."""
    _free_released()
    with _POOL_LOCK:
        free = _POOL.setdefault((history, low, high), [])
        pairs = free.pop() if free else None
    if pairs is None:
        return Pairs(history, low, high)
    pairs.forget()
    return pairs


def release(pairs: Pairs) -> None:
    """Free ``pairs``' memory and pool them (an optimizer's finalizer); in the middle of a
    trace, only later (_RELEASED)."""
    if tf.inside_function():
        with _POOL_LOCK:
            _RELEASED.append(pairs)
        return
    pairs.free()
    with _POOL_LOCK:
        _POOL.setdefault((pairs.history, pairs.low, pairs.high), []).append(pairs)


def _free_released() -> None:
    with _POOL_LOCK:
        released = list(_RELEASED)
        _RELEASED.clear()
    for pairs in released:
        release(pairs)

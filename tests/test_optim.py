"""The bounded L-BFGS (nst/optim/lbfgs.py) on small problems with known answers, and its
compiled direction (the compact form, nst/optim/pairs.py) against a NumPy two-loop
reference."""

from __future__ import annotations

import numpy as np
import pytest

from nst.optim.lbfgs import LBFGS, gradient_vanishes
from nst.tf_runtime import tf


def reference_direction(g: np.ndarray, pairs: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """-H g by the two-loop recursion (Nocedal & Wright, algorithm 7.4), in float64."""
    q = g.astype(np.float64)
    alphas = []
    for s, y in reversed(pairs):
        alpha = (s @ q) / (s @ y)
        alphas.append(alpha)
        q = q - alpha * y
    s, y = pairs[-1]
    r = (s @ y) / (y @ y) * q
    for (s, y), alpha in zip(pairs, reversed(alphas)):
        r = r + (alpha - (y @ r) / (s @ y)) * s
    return -r


# 5 pairs: one group of slots; 11 and 19: two groups of 6 and three of 7 (layout.group_slots),
# the last one partly used.
@pytest.mark.parametrize("history", [5, 11, 19])
def test_the_compact_direction_matches_numpys_two_loop_recursion(history: int) -> None:
    rng = np.random.default_rng(0)
    n = 50
    spd = rng.normal(size=(n, n))
    spd = spd @ spd.T / n + np.eye(n)  # y = A s with A positive definite: s.y > 0
    optimizer = LBFGS(history=history)
    optimizer.allocate(n)
    x = rng.uniform(100, 150, n).astype(np.float32)  # well inside 0..255: every pixel free
    g0 = rng.normal(size=n).astype(np.float32)
    pairs = []
    for _ in range(history + 3):  # more pairs than it keeps: the ring buffer wraps
        s = rng.normal(size=n).astype(np.float32)
        y = (spd @ s).astype(np.float32)
        pairs.append((s, y))
        optimizer._remember(
            tf.constant(x), tf.constant(x + s), tf.constant(g0), tf.constant(g0 + y)
        )
    assert optimizer.pairs == history
    for _ in range(3):  # then as a run goes: a direction, a new pair, a direction, ...
        g = rng.normal(size=n).astype(np.float32)
        d, scalars = optimizer._direction(tf.constant(x), tf.constant(g))
        expected = reference_direction(
            g, [(s.astype(np.float64), y.astype(np.float64)) for s, y in pairs[-history:]]
        )
        scale = np.abs(expected).max()
        np.testing.assert_allclose(d.numpy(), expected, rtol=2e-4, atol=1e-5 * scale)
        assert scalars.numpy()[0] == pytest.approx(g @ expected, rel=1e-4)
        s = rng.normal(size=n).astype(np.float32)
        pairs.append((s, (spd @ s).astype(np.float32)))
        optimizer._remember(
            tf.constant(x), tf.constant(x + s), tf.constant(g0), tf.constant(g0 + pairs[-1][1])
        )


def quadratic(diagonal: np.ndarray, centre: np.ndarray, floor: float = 0.0):
    """0.5 (x - c)' diag(a) (x - c) - floor: with ``floor`` its bounded minimum, the loss
    goes to 0, and float32 resolves the last steps (convergence is relative to the loss)."""
    a, c = tf.constant(diagonal, tf.float32), tf.constant(centre, tf.float32)

    def evaluate(x):
        r = x.numpy().astype(np.float64) - centre  # the loss in float64, then less the floor
        return float(0.5 * np.sum(diagonal * r * r)) - floor, a * (x - c)

    return evaluate


def minimize(optimizer: LBFGS, x: np.ndarray, evaluate, steps: int):
    x = tf.constant(x, tf.float32)
    loss, grad = evaluate(x)
    outcomes = []
    for _ in range(steps):
        outcome = optimizer.step(x, loss, grad, evaluate)
        outcomes.append(outcome)
        x, loss, grad = outcome.x, outcome.loss, outcome.gradient
        if outcome.converged:
            break
    return x.numpy(), loss, outcomes


def test_lbfgs_solves_an_ill_conditioned_quadratic_mostly_in_one_evaluation_a_step() -> None:
    n = 20
    evaluate = quadratic(np.linspace(1, 50, n), np.full(n, 100.0))
    _, loss, outcomes = minimize(LBFGS(), np.full(n, 101.0), evaluate, 40)
    assert loss < 1e-6  # from 255 at x = 101
    evaluations = [o.evaluations for o in outcomes if not o.converged]
    assert np.median(evaluations) == 1  # the Wolfe search takes the unit step


def test_the_optimum_outside_the_box_is_found_on_its_bounds() -> None:
    # Each pixel's unconstrained optimum is below 0, above 255 or inside; the bounded one
    # is the clipped optimum (the problem is separable).
    rng = np.random.default_rng(1)
    centre, diagonal = rng.uniform(-100, 355, 300), rng.uniform(1, 10, 300)
    floor = 0.5 * np.sum(diagonal * (np.clip(centre, 0, 255) - centre) ** 2)
    evaluate = quadratic(diagonal, centre, floor)
    seen = []

    def recording(x):
        seen.append(x.numpy())
        return evaluate(x)

    x, _, _ = minimize(LBFGS(), rng.uniform(0, 255, 300), recording, 60)
    np.testing.assert_allclose(x, np.clip(centre, 0, 255), atol=1e-2)
    assert all(v.min() >= 0 and v.max() <= 255 for v in seen)  # every trial point, too


def test_a_zero_gradient_converges_at_once_without_recursion() -> None:
    def flat(x):
        return 0.0, tf.zeros_like(x)

    optimizer = LBFGS()
    x = tf.constant(np.full(1000, 7.0, np.float32))
    outcome = optimizer.step(x, 0.0, tf.zeros_like(x), flat)
    assert outcome.converged and outcome.evaluations == 0
    assert outcome.x is x


def test_a_gradient_that_only_pushes_pixels_past_their_bounds_is_converged() -> None:
    # Every pixel at 0 with a gradient that would lower it further: nothing may move.
    x = tf.zeros(12)
    outcome = LBFGS().step(x, 5.0, tf.ones(12), lambda _: pytest.fail("evaluated"))
    assert outcome.converged


def test_a_loss_no_step_can_lower_is_converged_after_one_search() -> None:
    # A gradient that points nowhere useful (the loss rises both ways): the search along
    # the gradient finds nothing lower, so the step reports convergence, not an error.
    def bowl_with_wrong_gradient(x):
        return float(1.0 + tf.reduce_sum(tf.square(x - 100.0))), tf.ones_like(x)

    x = tf.fill([8], 100.0)
    outcome = LBFGS().step(x, 1.0, tf.ones(8), bowl_with_wrong_gradient)
    assert outcome.converged and outcome.x is x and outcome.loss == 1.0
    assert outcome.evaluations <= LBFGS.MAX_EVALUATIONS


def test_vanishing_is_relative_to_the_loss_and_exact_at_zero() -> None:
    assert gradient_vanishes(0.0, 0.0, 255.0)
    assert not gradient_vanishes(0.0, 1e-30, 255.0)
    assert gradient_vanishes(1.0, 1e-12, 255.0)
    assert not gradient_vanishes(1.0, 1e-6, 255.0)


def test_successive_optimizers_reuse_the_compiled_steps_at_any_size() -> None:
    # A run makes an optimizer per stage and an app makes many runs: tracing the compiled
    # steps anew each time cost seconds a run. A released optimizer's pairs are reused,
    # emptied and resized, by the next one with the same history.
    history = 4
    first = LBFGS(history=history)
    minimize(first, np.full(12, 101.0), quadratic(np.linspace(1, 5, 12), np.full(12, 100.0)), 8)
    direction, traces = first._direction, first._direction.experimental_get_tracing_count()
    assert first.pairs > 0
    del first  # a stage ends
    second = LBFGS(history=history)
    assert second._direction is direction and second.pairs == 0
    evaluate = quadratic(np.linspace(1, 50, 30), np.full(30, 100.0))
    _, loss, _ = minimize(second, np.full(30, 101.0), evaluate, 40)
    assert loss < 1e-6  # a different size, with the same compiled steps
    assert direction.experimental_get_tracing_count() == traces


def test_two_optimizers_at_once_keep_their_own_pairs() -> None:
    first, second = LBFGS(history=3), LBFGS(history=3)
    assert first._direction is not second._direction
    minimize(first, np.full(6, 101.0), quadratic(np.ones(6), np.full(6, 100.0)), 1)
    assert first.pairs == 1 and second.pairs == 0


def test_an_optimizer_collected_in_the_middle_of_a_trace_does_not_hang_it() -> None:
    # The garbage collector may finalize an optimizer while TensorFlow traces a function
    # on the same thread; freeing its pairs there waited for the graph's lock forever (a
    # test run hung so). In a child process, so that a hang fails instead of waiting.
    import subprocess
    import sys

    script = """
import gc
from nst.optim import pairs
from nst.optim.lbfgs import LBFGS
from nst.tf_runtime import tf

optimizer = LBFGS(history=3)
optimizer.allocate(12)
cycle = [optimizer]
cycle.append(cycle)  # only the collector frees it
del optimizer, cycle

@tf.function
def traced(x):
    gc.collect()  # its finalizer runs here, inside the trace
    return x * 2

assert float(traced(tf.constant(1.0))) == 2.0 and len(pairs._RELEASED) == 1
LBFGS(history=3)  # the next optimizer frees them
assert not pairs._RELEASED
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]

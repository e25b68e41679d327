"""The L-BFGS choice measured: the optimizer's own share of a step, and time to a loss.

    python -m bench.optimizer_share [--size 512] [--race 256] [--evaluations 40]

1. At ``--size`` px (tubingen): one loss-and-gradient evaluation through VGG19 against the
   optimizer's own work in a step with a full history (nst.memory_model.lbfgs_history pairs):
   the compiled direction (compact form, nst.optim.pairs) and line-search bookkeeping
   (nst.optim.lbfgs), an older eager lbfgs.py from git history (given with --old, for
   comparison), and scipy's L-BFGS-B if scipy imports (its iteration on a free
   quadratic, with the copies to and from float64 NumPy that driving it from TensorFlow
   takes).
2. At ``--race`` px: the lowest loss each reaches in ``--evaluations`` evaluations from
   the photo, and the seconds it took. Float32 throughout. Prints; writes nothing.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import sys
import time

import numpy as np

from nst.memory_model import lbfgs_history
from nst.optim.lbfgs import LBFGS
from nst.run.session import Transfer
from nst.settings import Settings
from nst.tf_runtime import tf

SAMPLES = "gui/samples/"


def session_at(size: int) -> Transfer:
    settings = Settings(
        content=SAMPLES + "tubingen.jpg",
        style=SAMPLES + "starry_night.jpg",
        size=size,
        stages=1,
        iterations=1,
    )
    session = Transfer(settings)
    session.prepare()
    return session


def evaluator(session: Transfer):
    shape = (1, session.height, session.width, 3)

    def evaluate(flat):
        loss, _, grad = session.evaluate(tf.reshape(flat, shape))
        return loss, tf.reshape(grad, (-1,))

    return evaluate


def timed(work, repeats: int) -> float:
    """Median seconds of ``work()`` over ``repeats`` calls, after one warm-up call."""
    work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def compiled_step_cost(n: int, m: int) -> float:
    """The compiled optimizer's work in a one-evaluation step, the evaluation left out."""
    rng = np.random.default_rng(0)
    optimizer = LBFGS(history=m)
    optimizer.allocate(n)
    x = tf.constant(rng.uniform(1, 254, n).astype(np.float32))
    g = tf.constant(rng.normal(size=n).astype(np.float32))
    for _ in range(m):  # a full history of positive-curvature pairs
        s = tf.constant(rng.normal(size=n).astype(np.float32))
        optimizer._remember(x, x + s, g, g + 2.0 * s)

    def step():
        d, scalars = optimizer._direction(x, g)
        scalars.numpy()
        x_t = optimizer._trial(x, d, tf.constant(1.0))
        optimizer._slopes(x, d, tf.constant(1.0), g, g).numpy()
        optimizer._remember(x, x_t, g, g + 0.5 * (x_t - x))
        optimizer._count.numpy()  # wait for the writes

    return timed(step, 5)


def load_old(path: str):
    spec = importlib.util.spec_from_file_location("old_lbfgs", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_lbfgs"] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def old_step_cost(path: str, n: int, m: int) -> float:
    module = load_old(path)
    rng = np.random.default_rng(0)
    optimizer = module.LBFGS(history=m)
    x = tf.constant(rng.uniform(1, 254, n).astype(np.float32))
    g = tf.constant(rng.normal(size=n).astype(np.float32))
    for _ in range(m):
        s = tf.constant(rng.normal(size=n).astype(np.float32))
        optimizer._remember(s, 2.0 * s)

    def step():
        d = optimizer.direction(g)
        float(tf.tensordot(g, d, 1))
        x_new = x + d
        optimizer._remember(x_new - x, 0.5 * (x_new - x))
        optimizer.s.pop()
        optimizer.y.pop()
        optimizer.rho.pop()

    return timed(step, 5)


def scipy_step_cost(n: int, m: int, iterations: int = 12) -> float | None:
    """scipy L-BFGS-B's seconds an iteration on a free quadratic, with the float32 <->
    float64 copies a TensorFlow loss needs, the function's own arithmetic left out."""
    try:
        from scipy.optimize import Bounds, minimize
    except ImportError:
        return None
    rng = np.random.default_rng(0)
    diagonal = rng.uniform(1, 50, n)
    centre = rng.uniform(0, 255, n)
    inside = [0.0]

    def fun(x):
        start = time.perf_counter()
        r = x - centre
        value, grad = 0.5 * float(np.sum(diagonal * r * r)), diagonal * r
        inside[0] += time.perf_counter() - start
        tf.constant(x.astype(np.float32))  # the image, as a TensorFlow loss takes it
        gradient = tf.constant(grad.astype(np.float32))  # the gradient, as it returns it
        return value, gradient.numpy().astype(np.float64)

    start = time.perf_counter()
    options = {"maxcor": m, "maxiter": iterations}
    x0 = rng.uniform(0, 255, n)
    out = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=Bounds(0, 255), options=options)
    return (time.perf_counter() - start - inside[0]) / max(1, out.nfev)


def race(size: int, evaluations: int, old_path: str | None) -> None:
    session = session_at(size)
    evaluate = evaluator(session)
    x0 = tf.reshape(session.initial_image(), (-1,))
    n = int(x0.shape[0])
    m = lbfgs_history(n)
    evaluate(x0)  # trace the loss
    print(f"race at {session.width}x{session.height}, {evaluations} evaluations, m = {m}")
    contenders = {"compiled": LBFGS(1.0, m)}
    if old_path:
        contenders["old eager"] = load_old(old_path).LBFGS(1.0, m)
    for name, optimizer in contenders.items():
        start, used, x = time.perf_counter(), 1, x0
        loss, grad = evaluate(x)
        best = loss
        while used < evaluations:
            outcome = optimizer.step(x, loss, grad, evaluate)
            x, loss, grad = outcome.x, outcome.loss, outcome.gradient
            used += max(1, outcome.evaluations)
            best = min(best, loss)
            if outcome.converged:
                break
        low, high = float(tf.reduce_min(x)), float(tf.reduce_max(x))
        print(
            f"  {name:10s} loss {best:.5g} after {used} evaluations, "
            f"{time.perf_counter() - start:.1f} s, pixels {low:.1f}..{high:.1f}"
        )
    try:
        from scipy.optimize import Bounds, minimize
    except ImportError:
        return
    seen = []

    def fun(x):
        loss, grad = evaluate(tf.constant(x.astype(np.float32)))
        seen.append(loss)
        return loss, grad.numpy().astype(np.float64)

    start = time.perf_counter()
    minimize(
        fun,
        x0.numpy().astype(np.float64),
        jac=True,
        method="L-BFGS-B",
        bounds=Bounds(0.0, 255.0),
        options={"maxcor": m, "maxfun": evaluations},
    )
    print(
        f"  {'scipy':10s} loss {min(seen):.5g} after {len(seen)} evaluations, "
        f"{time.perf_counter() - start:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--race", type=int, default=0, help="px; 0: no race")
    parser.add_argument("--evaluations", type=int, default=40)
    parser.add_argument("--old", help="the eager lbfgs.py it replaced, for comparison")
    args = parser.parse_args()
    print(f"CPU: {platform.processor() or platform.machine()}, TensorFlow {tf.__version__}")
    if args.size:
        session = session_at(args.size)
        evaluate = evaluator(session)
        x = tf.reshape(session.initial_image(), (-1,))
        n = int(x.shape[0])
        m = lbfgs_history(n)
        step = timed(lambda: evaluate(x)[1].numpy(), 3)
        print(f"{session.width}x{session.height}: evaluation {step:.3f} s; m = {m} pairs")
        own = compiled_step_cost(n, m)
        print(f"  compiled L-BFGS own work {own * 1e3:.1f} ms = {100 * own / step:.2f}% of it")
        if args.old:
            old = old_step_cost(args.old, n, m)
            print(f"  old eager L-BFGS own work {old * 1e3:.1f} ms = {100 * old / step:.2f}%")
        scipy = scipy_step_cost(n, m)
        if scipy is not None:
            print(f"  scipy L-BFGS-B own work {scipy * 1e3:.1f} ms = {100 * scipy / step:.2f}%")
    if args.race:
        race(args.race, args.evaluations, args.old)


if __name__ == "__main__":
    main()

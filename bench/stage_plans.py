"""Which coarse-to-fine plan reaches the default's loss soonest: one run per plan, timed
from the first step to the step where the last stage's loss is at or below the target.

    python -m bench.stage_plans --size 512 --precision float32 --json plans.json

The target is the loss the default plan has after its last step (the first plan below,
run first). Each plan's last stage then runs until it reaches that loss (at most
``--limit`` steps), so every plan is timed to the same quality. Tracing each new size
counts: a user waits for it too. Losses are those the run reports (in ``--precision``),
at the final size, so they compare within one precision. Beside the seconds, each plan's
cost in final-size evaluations (an evaluation at half the side counted as a quarter): a
measure that other work on the machine does not change.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

# (name, coarse stages as (longest side, steps) at a 512 px output; scaled for others).
# "x1.41": crowsonkb's style-transfer-pytorch grows the image by sqrt(2) a stage from 128 px.
PLANS: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = (
    ("default: 50 at 256", ((256, 50),)),
    ("100 at 256", ((256, 100),)),
    ("50 at 128, 50 at 256", ((128, 50), (256, 50))),
    ("x1.41 from 128, 30 each", ((128, 30), (181, 30), (256, 30), (362, 30))),
    ("x1.41 from 128, 50 each", ((128, 50), (181, 50), (256, 50), (362, 50))),
)


def run_plan(settings: Any, plan: tuple, target: float | None, limit: int, weights: Any) -> dict:
    """Seconds and steps until the last stage's loss is at or below ``target`` (None: run
    the default's steps and report where it ends), with the last stage's loss curve."""
    from nst.run.session import Transfer

    session = Transfer(settings, weights=weights)
    session.prepare()
    final = settings.size
    last = settings.stage_plan[-1][1] if target is None else limit
    session.plan = (*plan, (final, last))
    start = time.perf_counter()
    curve, best = [], float("inf")
    evaluations: dict[int, int] = {}  # stage -> evaluations up to its last step so far
    for p in session.steps():
        evaluations[p.stage] = p.evaluations
        if p.stage != p.stages:
            continue
        best = min(best, p.total_loss)
        seconds = time.perf_counter() - start
        curve.append((round(seconds, 2), best))
        if target is not None and best <= target:
            break
    reached = target is None or best <= target
    # Evaluations cost about their pixel count: the cost in final-size evaluations is a
    # measure that the machine's other work does not change (the seconds it does).
    sides = [side for side, _ in session.plan]
    counts = [evaluations[i + 1] - evaluations.get(i, 0) for i in range(len(sides))]
    cost = sum(n * (side / final) ** 2 for n, side in zip(counts, sides))
    return {
        "seconds": curve[-1][0] if reached else None,
        "final_steps": len(curve),
        "loss": best,
        "evaluations": counts,
        "cost": round(cost, 1),
        "curve": curve,
    }


def scaled(plan: tuple, size: int) -> tuple:
    return tuple((max(32, round(side * size / 512)), steps) for side, steps in plan)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stage_plans", description=__doc__)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--precision", default="float32")
    parser.add_argument("--limit", type=int, default=400, help="most steps of a last stage")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    from bench.reference import CONTENT, STYLE
    from nst.settings import Settings
    from nst.vgg.weights import load_weights

    weights = load_weights(None)
    settings = Settings(
        content=str(CONTENT), style=str(STYLE), size=args.size, precision=args.precision
    )
    # Trace the loss and the optimizer once beforehand, so that no plan pays for it alone.
    run_plan(settings.replace(size=64, iterations=2), ((32, 2),), None, 2, weights)
    rows: list[dict[str, Any]] = []
    target = None
    for name, plan in PLANS:
        row = run_plan(settings, scaled(plan, args.size), target, args.limit, weights)
        row["name"], row["plan"] = name, scaled(plan, args.size)
        if target is None:
            target = row["loss"]
            row["target"] = target
        rows.append(row)
        shown = {k: v for k, v in row.items() if k != "curve"}
        print(json.dumps(shown), flush=True)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as out:
                json.dump(rows, out)
    base, base_cost = rows[0]["seconds"], rows[0]["cost"]
    for row in rows:
        ratio = f"{row['seconds'] / base:.2f}" if row["seconds"] else "not reached"
        print(
            f"{row['name']:28s} {row['seconds']} s ({ratio} of the default's), "
            f"{row['final_steps']} last-stage steps, cost {row['cost']} final-size "
            f"evaluations ({row['cost'] / base_cost:.2f} of the default's)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What a change of the objective in the middle of a run costs (issue 22): how many steps
the steered run takes to settle and to reach what starting again would have reached.

    python -m bench.steering_cost [--size 256] [--steps 150] [--at 50]
        [--change style_weight=100]

Three runs of tubingen in The Starry Night at ``--size`` px, one stage, L-BFGS, in this
process:

- steered: the default weights, then ``--change`` after ``--at`` steps (Settings.changes,
  as a window's edit or --change makes it: L-BFGS forgets its pairs and goes on from the
  image it has);
- restarted: the new weights from the photo, for the steps left (``--steps`` - ``--at``):
  what stopping and starting again at the change gives in the same time;
- fresh: the new weights from the start, ``--steps`` steps.

Prints, after the change: the steps until the steered run's loss falls by less than
SETTLED of itself per step (three steps running), the steps until it is as low as the
restarted run's last, and the three runs' last losses (the new objective's, each run's
own precision). Writes nothing.
"""

from __future__ import annotations

import argparse

from bench.machine_header import header_lines
from nst.run.session import Transfer
from nst.settings import Settings
from nst.settings.changes import parse_change

SAMPLES = "gui/samples/"
SETTLED = 0.01  # a step that lowers the loss by less than 1% of it: the curve is flat again


def losses(settings: Settings) -> list[float]:
    """The run's loss after each step."""
    return [progress.total_loss for progress in Transfer(settings).steps()]


def settled_after(curve: list[float], start: int) -> int | None:
    """Steps after ``start`` until three steps running each lower the loss by less than
    SETTLED of it (None: never)."""
    calm = 0
    for step in range(start + 1, len(curve)):
        falling = (curve[step - 1] - curve[step]) / curve[step]
        calm = calm + 1 if falling < SETTLED else 0
        if calm == 3:
            return step - 2 - start
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--at", type=int, default=50)
    parser.add_argument("--change", default="style_weight=100")
    args = parser.parse_args(argv)
    _, name, value = parse_change(f"{args.at}:{args.change}")
    base = Settings(
        content=SAMPLES + "tubingen.jpg",
        style=SAMPLES + "starry_night.jpg",
        size=args.size,
        iterations=args.steps,
        stages=1,
        preview_every=0,
    )
    changed = base.replace(changes=[(0, name, value)])  # the new weights from the start
    steered = losses(base.replace(changes=[(args.at, name, value)]))
    restarted = losses(changed.replace(iterations=args.steps - args.at))
    fresh = losses(changed)
    after = steered[args.at :]  # steered[at] is the first step with the new weights
    match = next((k + 1 for k, loss in enumerate(after) if loss <= restarted[-1]), None)
    print("\n".join(header_lines()))
    print(
        f"{args.size} px, {args.steps} steps, {args.change} after {args.at}: the steered run "
        f"settled {settled_after(steered, args.at)} steps after the change (restarted: "
        f"{settled_after(restarted, 0)} steps after its start) and was as low as the "
        f"restarted run's last after {match} of the {args.steps - args.at} steps left; "
        f"last losses: steered {steered[-1]:.4g}, restarted {restarted[-1]:.4g}, "
        f"fresh {fresh[-1]:.4g}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Does Gatys reach the quality target sooner from the instant result (--init instant)
than from the content image (the default)?

    .venv/bin/python bench/head_start.py [--size 512] [--reference-steps 50]

Same pair as the speed benchmark (tubingen.jpg, starry_night.jpg), default Gatys settings
(L-BFGS, paper layers and weights) at 512 px. The quality target is a fixed total loss: the
loss the content-initialized run reaches after ``--reference-steps`` steps. Each start is
then run until its loss is at or below that target (or ``--max-steps``), and the steps,
loss evaluations (forward + backward passes, the cost unit of L-BFGS) and seconds are
printed. The starting losses are measured by our own loss function (Transfer.evaluate),
so the instant image is judged by the same VGG19 losses as the Gatys run.

Seconds are noisy on a shared machine; steps and evaluations are not (the runs are
deterministic), and seconds include the instant stylization itself (model loaded first).

What it found (figures in bench/RESULTS.md): the instant start is ahead for the first
steps and behind after, and reaches the target later. So --init instant is not the
default.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nst.imaging.load import load_image  # noqa: E402
from nst.imaging.resize import resize_longest  # noqa: E402
from nst.imaging.save import save_result  # noqa: E402
from nst.instant import stylizer as instant  # noqa: E402
from nst.run.session import Transfer  # noqa: E402
from nst.settings import Settings  # noqa: E402
from nst.vgg.weights import load_weights  # noqa: E402

SAMPLES = ROOT / "gui" / "samples"


def run_until(settings: Settings, weights, target: float | None, max_steps: int) -> dict:
    """Run from ``settings.init``; stop at the first step whose loss is <= target."""
    session = Transfer(settings.replace(iterations=max_steps, preview_every=0), weights=weights)
    session.prepare()
    started = time.perf_counter()
    start_image = session.initial_image()
    init_s = time.perf_counter() - started
    start_loss = session.evaluate(start_image)[0]
    reached = None
    losses: list[float] = []
    for progress in session.steps():
        losses.append(progress.total_loss)
        if target is not None and progress.total_loss <= target:
            reached = progress
            break
    last = reached or progress
    return {
        "init": settings.init,
        "start_loss": start_loss,
        "init_s": init_s,
        "steps": last.step if reached or target is None else None,  # None: not reached
        "evaluations": last.evaluations,
        "seconds": last.elapsed + init_s,
        "losses": losses,
        "image": session.result().image,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--reference-steps", type=int, default=50)
    parser.add_argument("--max-steps", type=int, default=100)
    parser.add_argument("--save", metavar="DIR", help="save both results here to look at")
    args = parser.parse_args()

    base = Settings(
        content=str(SAMPLES / "tubingen.jpg"),
        style=str(SAMPLES / "starry_night.jpg"),
        size=args.size,
    )
    weights = load_weights(base.weights)
    # Load the instant model before timing (the first call reads and prepares it).
    content = resize_longest(load_image(base.content), args.size)
    instant.stylize(content, [(load_image(base.style), 1.0)], 1.0)

    # One step first, so that neither timed run pays for tracing the loss graph.
    run_until(base, weights, None, 1)
    reference = run_until(base, weights, None, args.reference_steps)
    target = reference["losses"][-1]
    print(
        f"{args.size} px, default Gatys settings ({base.optimizer}); target: total loss "
        f"{target:.4f}, reached from the content image after {args.reference_steps} steps"
    )
    # The content run is the reference itself: it reaches the target at its last step.
    runs = [reference, run_until(base.replace(init="instant"), weights, target, args.max_steps)]
    print(f"{'init':8} {'start loss':>10} {'steps':>6} {'evals':>6} {'seconds':>8} {'init s':>7}")
    for r in runs:
        steps = r["steps"] if r["steps"] is not None else f">{args.max_steps}"
        print(
            f"{r['init']:8} {r['start_loss']:10.4f} {steps!s:>6} {r['evaluations']:6d} "
            f"{r['seconds']:8.1f} {r['init_s']:7.2f}"
        )
    for r in runs:
        marks = [1, 5, 10, 20, 30, 50, 75, 100]
        trace = ", ".join(f"{m}: {r['losses'][m - 1]:.3f}" for m in marks if m <= len(r["losses"]))
        print(f"loss by step, init {r['init']}: {trace}")
    if runs[0]["steps"] and runs[1]["steps"]:
        print(
            f"steps ratio instant/content: {runs[1]['steps'] / runs[0]['steps']:.2f}; "
            f"seconds ratio: {runs[1]['seconds'] / runs[0]['seconds']:.2f}"
        )
    if args.save:
        for r in runs:
            save_result(r["image"], args.save, f"head_start_{r['init']}", {})
    return 0


if __name__ == "__main__":
    sys.exit(main())

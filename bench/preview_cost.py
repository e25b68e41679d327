"""What a step saves when it carries no preview image: the image's cost against a step's.

    python -m bench.preview_cost [--size 512] [--steps 6] [--repeats 20]

At ``--size`` px (tubingen, 512x384 by default) a default run (L-BFGS, precision
"automatic") takes ``--steps`` steps with no preview; the first step traces the loss and
is left out of the mean. Then the preview of the last image (nst.run.preview.preview:
the copy off the device, the 8-bit rounding and the colour handling) is timed
``--repeats`` times for the default colours (the painting's) and for the photo's
(``--colour luminance``, the most work). Prints the means and the ratios; writes nothing.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bench.machine_header import header_lines
from nst.run.preview import preview
from nst.run.session import Transfer
from nst.settings import Settings

SAMPLES = "gui/samples/"


def mean_seconds(work, repeats: int) -> float:
    """Mean seconds of ``work()`` over ``repeats`` calls, after one warm-up call."""
    work()
    start = time.perf_counter()
    for _ in range(repeats):
        work()
    return (time.perf_counter() - start) / repeats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)

    settings = Settings(
        content=SAMPLES + "tubingen.jpg",
        style=SAMPLES + "starry_night.jpg",
        size=args.size,
        stages=1,
        iterations=args.steps,
        preview_every=0,
    )
    session = Transfer(settings)
    elapsed = [progress.elapsed for progress in session.steps()]
    step = float(np.mean(np.diff(elapsed)))  # the first step, which traces, left out
    flat = session.best_image()
    height, width = session.height, session.width
    colours = session._content_colours  # the photo as given, as the session keeps it

    print("\n".join(header_lines()))
    print(
        f"{width}x{height}, {session.precision.used}: a step {step:.3f} s "
        f"(mean of {len(elapsed) - 1} after the first)"
    )
    for colour in ("style", "luminance"):
        chosen = settings.replace(colour=colour)
        cost = mean_seconds(
            lambda chosen=chosen: preview(flat, height, width, colours, chosen), args.repeats
        )
        print(
            f"preview, colour {colour!r}: {cost * 1000:.1f} ms "
            f"(mean of {args.repeats}), {100 * cost / step:.1f}% of a step"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

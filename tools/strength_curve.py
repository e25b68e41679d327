"""python -m tools.strength_curve: how far the result moves per tenfold style/content ratio.

Runs the optimization on the bundled tubingen.jpg / starry_night.jpg at a small size for
style/content ratios 10^-2 .. 10^4 in half-decade steps, from the same start, and prints
for each ratio the mean absolute pixel difference (0..255) from the photo and from the
previous ratio's result. Where the step-to-step difference is about constant, equal steps
of log(ratio) look like equal changes: that range is what the style strength slider spans
(settings.py, STRENGTH_LOG_LOW .. STRENGTH_LOG_HIGH).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

SAMPLES = Path(__file__).resolve().parent.parent / "gui" / "samples"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.strength_curve")
    parser.add_argument("--size", type=int, default=96)
    parser.add_argument("--iterations", type=int, default=60)
    args = parser.parse_args()
    from nst.imaging.load import load_image
    from nst.imaging.resize import resize_longest
    from nst.run import session as transfer
    from nst.settings import Settings
    from nst.vgg.weights import load_weights

    weights = load_weights(None)
    content = load_image(SAMPLES / "tubingen.jpg")
    style = load_image(SAMPLES / "starry_night.jpg")
    photo = resize_longest(content, args.size).astype(np.float32)
    previous = None
    print(f"{args.size} px, {args.iterations} L-BFGS steps, content weight 1")
    print("log10(ratio)  from photo  from previous  seconds")
    for k in np.arange(-2.0, 4.01, 0.5):
        started = time.perf_counter()
        settings = Settings(
            content="c",
            style="s",
            size=args.size,
            iterations=args.iterations,
            style_weight=float(10**k),
            content_weight=1.0,
            stages=1,
        )
        result = transfer.run(settings, content_image=content, style_image=style, weights=weights)
        image = result.image.astype(np.float32)
        step = np.abs(image - previous).mean() if previous is not None else float("nan")
        print(
            f"{k:12.1f}  {np.abs(image - photo).mean():10.1f}  {step:13.1f}  "
            f"{time.perf_counter() - started:7.1f}",
            flush=True,
        )
        previous = image


if __name__ == "__main__":
    main()

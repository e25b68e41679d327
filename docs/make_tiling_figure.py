"""Make the README's figure of textures laid 2 x 2, tileable and not, with the command line.

    .venv/bin/python docs/make_tiling_figure.py docs [--size 256] [--iterations 150]

Two textures of The Starry Night made by `python -m nst --method texture`, one with
--tileable, each laid 2 x 2 edge to edge (nothing else is edited) beside the other, and
the seam statistics of each (tools/tile_seams.py) printed. The runs' PNGs and recipes stay
in a scratch folder whose path is printed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from make_creative_figures import STARRY, run, strip
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.tile_seams import seam_stats, seamless, tiled  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--iterations", type=int, default=150)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="nst-tiling-"))
    print(f"runs in {scratch}", flush=True)
    common = ["--method", "texture", "--style", str(STARRY), "--texture-aspect", "1"]
    common += ["--size", str(args.size), "--iterations", str(args.iterations)]
    panels = []
    kinds = (
        ("--no-tileable", "plain texture, laid 2 x 2"),
        ("--tileable", "--tileable, laid 2 x 2"),
    )
    for option, label in kinds:
        image = np.asarray(Image.open(run(scratch, *common, option)).convert("RGB"))
        stats = seam_stats(image)
        words = ", ".join(f"{k} {v:.1f}" for k, v in stats.items())
        print(f"{option}: {'seamless' if seamless(stats) else 'seams'}; {words}", flush=True)
        panels.append((Image.fromarray(tiled(image)), label))
    strip(panels, height=2 * args.size).save(Path(args.out) / "tileable_textures.jpg", quality=90)
    print(f"saved {Path(args.out) / 'tileable_textures.jpg'}", flush=True)


if __name__ == "__main__":
    main()

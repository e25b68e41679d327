"""What evaluating the objective in tiles costs: seconds per evaluation, whole against tiled.

    python -m bench.tiled_cost [--size 512] [--tile 256] [--repeats 3] [--precision float32]

A default run's loss at ``--size`` px (tubingen and starry_night, its targets and weights
as nst.run.session.Transfer prepares them) is evaluated on the whole image by the compiled
loss (builder.loss_function) and in tiles of ``--tile`` px with the least exact halo
(nst/objective/tiled.py), each ``--repeats`` times after one call that traces. Both see
the same pixels, so the ratio of the means is the ratio per pixel (issue 21's target: at
most 2.5). Also printed: how many pixels the tiles' network sees, as a multiple of the
image's (the halos' overlap), which bounds what tiles can save. Writes nothing.
"""

from __future__ import annotations

import argparse
from typing import Any

from bench.machine_header import header_lines
from bench.preview_cost import mean_seconds
from nst.objective.builder import loss_function
from nst.objective.tiled import TiledLoss
from nst.run.session import Transfer
from nst.settings import Settings

SAMPLES = "gui/samples/"


def evaluation_seconds(loss: Any, arguments: list[Any], repeats: int) -> float:
    """Mean seconds of an evaluation, the gradient on the host (so it is done), over
    ``repeats`` calls after one that traces."""
    return mean_seconds(lambda: loss(*arguments)[2].numpy(), repeats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--tile", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--precision", choices=("float32", "bfloat16"), default="float32")
    args = parser.parse_args(argv)

    photo, painting = SAMPLES + "tubingen.jpg", SAMPLES + "starry_night.jpg"
    s = Transfer(
        Settings(content=photo, style=painting, size=args.size, stages=1, precision=args.precision)
    )
    s.prepare()
    layers = (s.content_layers, s.style_layers)
    arguments = [s.initial_image(), s.content_targets, s.style_grams]
    arguments += [s.content_w, s.style_w, s.global_w]
    tiled = TiledLoss(s.extractor, *layers, args.precision, tile=args.tile)
    tiles = tiled.plan(s.height, s.width)
    seen = sum((t.outer[2] - t.outer[0]) * (t.outer[3] - t.outer[1]) for t in tiles)

    whole = evaluation_seconds(
        loss_function(s.extractor, *layers, args.precision), arguments, args.repeats
    )
    in_tiles = evaluation_seconds(tiled, arguments, args.repeats)
    print("\n".join(header_lines()))
    print(
        f"{s.width}x{s.height}, {args.precision}: whole {whole:.2f} s, "
        f"in {len(tiles)} tiles of {args.tile} px (halo {tiled.halo}) {in_tiles:.2f} s "
        f"(means of {args.repeats}); tiled / whole per pixel {in_tiles / whole:.2f}; "
        f"the tiles' network sees {seen / (s.width * s.height):.2f}x the image's pixels"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

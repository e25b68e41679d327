"""What a tileable picture costs a step: seconds per evaluation of a texture's loss with
VGG19 padded circularly (--tileable) against its mirrored edge (a plain texture's).

    python -m bench.tileable_cost [--size 512] [--repeats 5] [--rounds 3]

The Starry Night's texture at ``--size`` px, its targets as nst.run.session.Transfer
prepares them, is evaluated by the compiled loss (nst.objective.builder) with each
padding in turn, ``--rounds`` times each alternating (the machines are shared: a slow
spell then falls on both), each time the mean of ``--repeats`` calls after one that
traces. Prints the best round of each and their ratio. Writes nothing.
"""

from __future__ import annotations

import argparse

from bench.machine_header import header_lines
from bench.preview_cost import mean_seconds
from nst.run.session import Transfer
from nst.settings import Settings

SAMPLES = "gui/samples/"


def session(size: int, tileable: bool) -> Transfer:
    settings = Settings(
        method="texture",
        style=SAMPLES + "starry_night.jpg",
        size=size,
        stages=1,
        texture_aspect=1.0,
        tileable=tileable,
    )
    prepared = Transfer(settings)
    prepared.prepare()
    return prepared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    runs = {"mirrored": session(args.size, False), "circular": session(args.size, True)}
    image = runs["mirrored"].initial_image()
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            seconds[name].append(mean_seconds(lambda run=run: run.evaluate(image), args.repeats))
    print("\n".join(header_lines()))
    best = {name: min(times) for name, times in seconds.items()}
    words = ", ".join(f"{name} {best[name]:.3f} s" for name in runs)
    precision = runs["circular"].precision.used
    print(
        f"{args.size} px texture, {precision}: {words} per evaluation (best of {args.rounds} "
        f"rounds of {args.repeats}); circular / mirrored {best['circular'] / best['mirrored']:.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

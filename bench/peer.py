"""The peer: pastiche 1.6.0 (PyTorch, CPU), run in its own virtualenv by bench/__main__.py.

Run as ``bench/.venv-peer/bin/python bench/peer.py ...``: it imports torch and pastiche,
never nst (TensorFlow is not in that environment). It draws with pastiche's defaults
(L-BFGS, one evaluation per step, content init, tv weight 0), times every step, saves the
image every ``--save-every`` steps (saving is outside the timed part) and prints one JSON
object: {"size": [w, h], "step_seconds": [...], "checkpoints": {step: path}}.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--content", required=True)
    parser.add_argument("--style", required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--save-every", type=int, required=True)
    parser.add_argument("--time-limit", type=float, required=True, help="seconds of drawing")
    parser.add_argument("--out", required=True, help="folder for the checkpoints")
    args = parser.parse_args()

    from pastiche.pastiche import PasticheArtist, save_image

    artist = PasticheArtist(args.content, [args.style], device="cpu", size=args.size)
    times: list[float] = []
    checkpoints: dict[int, str] = {}
    for step in range(1, args.steps + 1):
        start = time.perf_counter()
        artist.draw()
        times.append(time.perf_counter() - start)
        if step % args.save_every == 0 or step == args.steps or sum(times) > args.time_limit:
            path = os.path.join(args.out, f"peer_{step:05d}.png")
            save_image(artist.pastiche, path)
            checkpoints[step] = path
        if sum(times) > args.time_limit:
            break
    height, width = artist.content_size
    print(json.dumps({"size": [width, height], "step_seconds": times, "checkpoints": checkpoints}))


if __name__ == "__main__":
    main()

"""The peer: pastiche 1.6.0 (PyTorch, CPU), run in its own virtualenv by bench/peer_run.py.

Run as ``bench/.venv-peer/bin/python bench/peer.py ...``: it imports torch and pastiche,
never nst (TensorFlow is not in that environment). It draws with pastiche's L-BFGS (one
evaluation per step, content init), times every step, saves the image every
``--save-every`` steps (saving is outside the timed part) and prints one JSON object:
{"size": [w, h], "step_seconds": [...], "checkpoints": {step: path}, "initial_loss": its
own loss of the content image}.

With pastiche's defaults it minimizes a different loss from ours (its own layer weights,
an L1 total variation of weight 0), so our loss of its images stalls far above the target
(bench/RESULTS.md). To time both on the same
objective, ``--content-layer-weights`` and ``--style-layer-weights`` (computed by
bench/peer_run.py from our targets) make its content and style terms equal ours, and
``--tv-weight`` replaces its L1 total variation by ours (squared differences, 0..1 units;
nst/objective/losses.py). Its features, Grams, optimizer and step are pastiche's own code.
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
    parser.add_argument("--content-layer-weights", help="JSON {pastiche layer: weight}")
    parser.add_argument("--style-layer-weights", help="JSON {pastiche layer: weight}")
    parser.add_argument("--tv-weight", type=float, help="weight of our squared TV term")
    parser.add_argument("--style-hw", type=int, nargs=2, help="style image's height and width")
    args = parser.parse_args()

    artist = make_artist(args)
    initial_loss = artist.loss  # pastiche's own loss of the content image, before any step
    times: list[float] = []
    checkpoints: dict[int, str] = {}
    from pastiche.pastiche import save_image

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
    report = {"size": [width, height], "step_seconds": times, "checkpoints": checkpoints}
    print(json.dumps({**report, "initial_loss": initial_loss}))


def make_artist(args: argparse.Namespace):  # noqa: ANN201 (pastiche's class)
    from pastiche.pastiche import PasticheArtist

    if not args.content_layer_weights:
        return PasticheArtist(args.content, [args.style], device="cpu", size=args.size)
    content = json.loads(args.content_layer_weights)
    style = json.loads(args.style_layer_weights)
    tv_weight = args.tv_weight or 0.0

    class SameLoss(PasticheArtist):
        """pastiche's loss with our total variation in place of its L1 one."""

        def _calc_loss(self):  # noqa: ANN202
            loss = super()._calc_loss()  # its tv_weight is 0: content and style only
            if tv_weight:
                x = self.pastiche / 255.0
                dy = x[:, :, 1:, :] - x[:, :, :-1, :]
                dx = x[:, :, :, 1:] - x[:, :, :, :-1]
                loss = loss + tv_weight * ((dy**2).mean() + (dx**2).mean())
            return loss

    return SameLoss(
        args.content,
        [args.style],
        device="cpu",
        size=args.size,
        content_layers=list(content),
        content_layer_weights=list(content.values()),
        content_weight=1.0,
        style_layers=list(style),
        style_layer_weights=list(style.values()),
        style_weights=[1.0],
        tv_weight=0.0,
        style_size=tuple(args.style_hw) if args.style_hw else None,
    )


if __name__ == "__main__":
    main()

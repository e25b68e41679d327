"""Section 3, the peer: pastiche 1.6.0 on PyTorch (CPU), run by bench/peer.py in its own
venv (bench/.venv-peer) on the same objective; its saved images scored by our float32 loss.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.config import Config
from bench.efficiency import sessions_for
from bench.reference import reference_settings

BENCH = Path(__file__).resolve().parent
PEER_VENV = BENCH / ".venv-peer"
PEER_PYTHON = PEER_VENV / "bin" / "python"
# The peer's pinned versions (issue 4). torch's CPU wheel; pillow is pastiche's other need.
PEER_PACKAGES = ("torch==2.13.0", "pillow")
PEER_PACKAGE = "pastiche==1.6.0"  # --no-deps: it would pull torchvision-free torch anyway


def ensure_peer() -> str | None:
    """Create bench/.venv-peer with torch and pastiche if missing; None when ready."""
    if PEER_PYTHON.exists():
        check = subprocess.run(
            [PEER_PYTHON, "-c", "import torch, pastiche, PIL"], capture_output=True
        )
        if check.returncode == 0:
            return None
    print("setting up the peer's environment in bench/.venv-peer ...", file=sys.stderr)
    steps = [
        [sys.executable, "-m", "venv", str(PEER_VENV)],
        [PEER_PYTHON, "-m", "pip", "install", "-q", *PEER_PACKAGES],
        [PEER_PYTHON, "-m", "pip", "install", "-q", "--no-deps", PEER_PACKAGE],
    ]
    for command in steps:
        done = subprocess.run([str(c) for c in command], capture_output=True, text=True)
        if done.returncode != 0:
            return (
                f"could not set up the peer ({' '.join(map(str, command))}): {done.stderr[-300:]}"
            )
    return None


def our_eval_seconds(cfg: Config, weights: Any, imgs: tuple) -> float:
    """Our float32 loss-and-gradient evaluation at the peer's size: best of the repeats."""
    session, image = sessions_for(cfg.quality_size, "float32", weights, imgs)
    return min(_timed(session.evaluate, image) for _ in range(cfg.repeats))


def _timed(function: Any, *args: Any) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def peer(cfg: Config, target: float, weights: Any, imgs: tuple) -> dict[str, Any]:
    import numpy as np

    from nst.imaging.load import load_image
    from nst.run.session import Transfer
    from nst.tf_runtime import tf

    problem = ensure_peer()
    if problem:
        return {"error": problem}
    settings = reference_settings(cfg.quality_size).replace(stages=1)
    scorer = Transfer(settings, content_image=imgs[0], style_image=imgs[1], weights=weights)
    scorer.prepare()
    with tempfile.TemporaryDirectory() as folder:
        # The very pixels our run sees: resampled alike, pastiche's targets are ours.
        content, style = working_images(scorer, folder)
        command = [
            str(PEER_PYTHON),
            str(BENCH / "peer.py"),
            "--content",
            content,
            "--style",
            style,
            "--size",
            str(cfg.quality_size),
            "--steps",
            "100000",
            "--save-every",
            str(cfg.peer_save_every),
            "--time-limit",
            str(cfg.time_limit_s),
            "--out",
            folder,
            *same_loss_arguments(scorer),
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            return {"error": f"pastiche failed: {done.stderr.strip()[-300:]}"}
        report = json.loads(done.stdout.strip().splitlines()[-1])
        times = report["step_seconds"]
        reached, best, best_at = None, float("inf"), 0.0
        for step, path in sorted((int(k), v) for k, v in report["checkpoints"].items()):
            image = load_image(path)
            if image.shape[:2] != (scorer.height, scorer.width):
                image = np.asarray(tf.image.resize(image, (scorer.height, scorer.width)))
            loss = scorer.evaluate(tf.constant(image[np.newaxis].astype(np.float32)))[0]
            if loss < best:
                best, best_at = loss, sum(times[:step])
            if loss <= target and reached is None:
                reached = {"steps": step, "seconds": sum(times[:step]), "loss": loss}
    return {
        # The objectives agree where these two agree (peer.py's docstring).
        "initial_loss_theirs": report["initial_loss"],
        "initial_loss_ours": scorer.evaluate(scorer.initial_image())[0],
        "seconds_per_step": statistics.median(times[1:] or times),
        "steps_run": len(times),
        "seconds_run": sum(times),
        "best_loss": best,
        "best_seconds": best_at,
        "reached": reached,
        "size": report["size"],
    }


def working_images(session: Any, folder: str) -> tuple[str, str]:
    """The session's content and style images at its working size, saved as PNGs."""
    import numpy as np
    from PIL import Image

    from nst.imaging.resize import to_uint8

    paths = []
    for name, image in (("content", session.content_image), ("style", session.style_image)):
        path = os.path.join(folder, f"{name}.png")
        Image.fromarray(to_uint8(np.asarray(image)[0])).save(path)
        paths.append(path)
    return paths[0], paths[1]


def same_loss_arguments(session: Any) -> list[str]:
    """peer.py's options that make pastiche's loss equal ours on the same images.

    Ours, per content layer: w * ||F - P||^2 / ||P||^2 (weights relative within the list,
    times the global content weight); pastiche's: w' * mean((F - P)^2), so
    w' = content_weight * w / sum(w) * numel(P) / ||P||^2. Per style layer, ours:
    style_weight * w / sum(w) * ||G - A||^2 / ||A||^2 (Grams over positions, as pastiche's);
    pastiche's: w' * mean((G - A)^2), so w' = style_weight * w / sum(w) * C^2 / ||A||^2.
    Layers are named after their ReLU there (ours are taken after the ReLU too).
    """
    import numpy as np

    s = session.settings

    def relu(name: str) -> str:
        return name.replace("conv", "relu")

    def weights(layers: dict[str, float], names: tuple, targets: tuple, scale: float) -> dict:
        """scale * w / sum(w) * numel(T) / ||T||^2 per layer, named as pastiche names it."""
        total = sum(layers[n] for n in names)
        out = {}
        for name, target in zip(names, targets):
            t = np.asarray(target, dtype=np.float64)
            out[relu(name)] = scale * layers[name] / total * t.size / float(np.sum(t**2))
        return out

    content = weights(
        s.content_layers, session.content_layers, session.content_targets, s.content_weight
    )
    style = weights(s.style_layers, session.style_layers, session.style_grams, s.style_weight)
    height, width = session.style_image.shape[1:3]
    return [
        "--content-layer-weights",
        json.dumps(content),
        "--style-layer-weights",
        json.dumps(style),
        "--tv-weight",
        str(s.tv_weight),
        "--style-hw",
        str(height),
        str(width),
    ]

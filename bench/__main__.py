"""python -m bench: the speed of this app, measured side by side in one run.

    python -m bench                     # the issue's sizes: hours on a busy 2-core CPU
    python -m bench --quick             # 128-256 px: about 20 minutes on a busy 2-core CPU
    python -m bench --recompute-reference

Sections (issue 4):
1. Step efficiency: counted FLOPs of one step (VGG19 convs up to the deepest layer in use,
   forward and input gradient) / the measured step time, against a float32 matmul timed
   in the same run, interleaved, minimum of the repeats.
2. Time to quality: wall time of each optimizer / preset, from the same start (content
   image, prepared session, graph traced), until its loss is at or below the loss that
   1000 Adam steps reach (bench/reference.py, cached).
3. The peer, pastiche 1.6.0 on PyTorch (CPU), in its own venv (bench/.venv-peer): seconds
   per step, and time until our float32 loss of its saved image reaches the same target.
4. Peak memory (RSS) of a whole run in a child process.
The table is printed and written to bench/RESULTS.md with the date and machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.reference import (
    CONTENT,
    STYLE,
    compute_reference,
    load_reference,
    reference_settings,
    save_reference,
)

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "RESULTS.md"
PEER_VENV = BENCH / ".venv-peer"
PEER_PYTHON = PEER_VENV / "bin" / "python"
# The peer's pinned versions (issue 4). torch's CPU wheel; pillow is pastiche's other need.
PEER_PACKAGES = ("torch==2.13.0", "pillow")
PEER_PACKAGE = "pastiche==1.6.0"  # --no-deps: it would pull torchvision-free torch anyway


@dataclass(frozen=True)
class Config:
    efficiency_sizes: tuple[int, ...]
    quality_size: int
    reference_steps: int
    memory_sizes: tuple[int, ...]
    matmul_n: int
    repeats: int
    time_limit_s: float  # per time-to-quality run, and for the peer's drawing
    peer_save_every: int
    # The rows beside the default (one-size L-BFGS, RMSprop, SGD, Adadelta) are timed for at
    # most this long each (0: not run): a method that cannot reach the target at all would
    # otherwise take the whole time_limit_s.
    other_limit_s: float


FULL = Config((256, 512, 1024), 512, 1000, (512, 1024, 2048), 4096, 3, 1800.0, 10, 300.0)
QUICK = Config((128, 256), 128, 200, (256, 512), 2048, 3, 300.0, 10, 60.0)


# --- section 1: step efficiency ------------------------------------------------------------


def step_flops(height: int, width: int, deepest: str) -> float:
    """Multiply-adds x 2 of VGG19's convs up to ``deepest``, forward and input gradient.

    A 3x3 conv costs 2 * 9 * Cin * Cout FLOPs per output position; its input gradient (a
    transposed conv) the same. Weight gradients are not needed (the weights are fixed).
    Pooling, ReLU, Grams and losses are left out (under 5% of the step at 512 px).
    """
    from nst.vgg.layers import BLOCK_CHANNELS, CONV_LAYERS, POOL_AFTER

    total, channels_in, h, w = 0.0, 3, height, width
    for name in CONV_LAYERS[: CONV_LAYERS.index(deepest) + 1]:
        channels_out = BLOCK_CHANNELS[int(name[5])]
        total += 2.0 * 9 * channels_in * channels_out * h * w
        channels_in = channels_out
        if name in POOL_AFTER:
            h, w = h // 2, w // 2
    return 2.0 * total


def matmul_seconds(n: int, dtype: Any) -> float:
    from nst.tf_runtime import tf

    a = tf.random.uniform((n, n), dtype=tf.float32)
    a = tf.cast(a, dtype)
    tf.matmul(a, a).numpy()  # warm-up
    start = time.perf_counter()
    float(tf.reduce_sum(tf.cast(tf.matmul(a, a)[:1, :1], tf.float32)))
    return time.perf_counter() - start


def sessions_for(size: int, precision: str, weights: Any, images: tuple) -> Any:
    from nst.run.session import Transfer

    settings = reference_settings(size).replace(optimizer="lbfgs", precision=precision, stages=1)
    session = Transfer(settings, content_image=images[0], style_image=images[1], weights=weights)
    session.prepare()
    image = session.initial_image()
    session.evaluate(image)  # traces the graph for this shape
    return session, image


# Where bfloat16 is emulated, it is timed at this size only (a 512 px step would take
# minutes); 128 px is the quick bench's smallest size.
EMULATED_BF16_SIZE = 128


def efficiency(cfg: Config, weights: Any, images: tuple, fast_bf16: bool) -> dict:
    """Where bfloat16 is emulated (no AVX512_BF16/AMX, no GPU) it is about 10x slower than
    float32, so it is timed at EMULATED_BF16_SIZE only, to show that, not at every size."""
    from nst.tf_runtime import tf

    sizes = cfg.efficiency_sizes
    keys = [(size, "float32") for size in sizes]
    if not fast_bf16:  # emulated: one small size, float32 beside it, shows the ratio
        sizes = (EMULATED_BF16_SIZE,)
        keys.append((EMULATED_BF16_SIZE, "float32"))
    keys = list(dict.fromkeys(keys + [(size, "bfloat16") for size in sizes]))
    sessions = {(size, p): sessions_for(size, p, weights, images) for size, p in keys}
    times: dict[Any, list[float]] = {key: [] for key in sessions}
    times["matmul_f32"], times["matmul_bf16"] = [], []
    for _ in range(cfg.repeats):  # interleaved, so that a busy moment hits all alike
        times["matmul_f32"].append(matmul_seconds(cfg.matmul_n, tf.float32))
        times["matmul_bf16"].append(matmul_seconds(cfg.matmul_n, tf.bfloat16))
        for key, (session, image) in sessions.items():
            start = time.perf_counter()
            session.evaluate(image)
            times[key].append(time.perf_counter() - start)
    flops_mm = 2.0 * cfg.matmul_n**3
    out: dict[str, Any] = {
        "matmul_gflops_f32": flops_mm / min(times["matmul_f32"]) / 1e9,
        "matmul_gflops_bf16": flops_mm / min(times["matmul_bf16"]) / 1e9,
        "steps": [],
    }
    for (size, precision), (session, _) in sessions.items():
        deepest = session.settings.layers_in_use[-1]
        flops = step_flops(session.height, session.width, deepest)
        seconds = min(times[(size, precision)])
        out["steps"].append(
            {
                "size": f"{session.width}x{session.height}",
                "precision": precision,
                "seconds": seconds,
                "gflops": flops / 1e9,
                "gflops_per_s": flops / seconds / 1e9,
                "of_matmul_f32": flops / seconds / 1e9 / out["matmul_gflops_f32"],
            }
        )
    return out


# --- section 2: time to quality --------------------------------------------------------------


def reference_for(cfg: Config, recompute: bool) -> dict[str, Any]:
    from nst.vgg.weights import load_weights

    key = f"{cfg.quality_size}px_{cfg.reference_steps}steps"
    store = load_reference() or {}
    record = store.get(key)
    sha = load_weights(None).sha256
    settings = reference_settings(cfg.quality_size, cfg.reference_steps).to_dict()
    stale = (
        record is None
        or record["weights_sha256"] != sha
        or _same_run(record) != _same_run({"settings": settings})
    )
    if recompute or stale:
        print(
            f"computing the reference: {cfg.reference_steps} Adam steps at "
            f"{cfg.quality_size} px ...",
            file=sys.stderr,
            flush=True,
        )
        record = compute_reference(cfg.quality_size, cfg.reference_steps)
        record["computed_here"] = True
        store[key] = record
        save_reference(store)
    else:
        record["computed_here"] = False
    return record


def _same_run(record: dict[str, Any]) -> dict[str, Any] | None:
    """The record's settings with the fields added since it was computed at their defaults
    (a field the run did not have cannot have changed it) and the images by file name, or
    None if they do not load."""
    from nst.settings import Settings, SettingsError

    try:
        settings = Settings.from_dict(record["settings"])
    except (SettingsError, TypeError, KeyError):
        return None
    data = settings.to_dict()
    # The plan it ran, not how it was asked for: stages None and 1 are the same run at sizes
    # under twice the coarsest size, different ones above.
    data["stages"] = len(settings.stage_plan)
    # The same images wherever the repository is checked out.
    for key in ("content", "style"):
        data[key] = os.path.basename(data[key])
    return data


def run_to_target(settings: Any, target: float, limit: float, weights: Any, imgs: tuple) -> dict:
    """Seconds until the run's float32 loss at the final size is at or below ``target``."""
    from nst.run.session import Transfer

    session = Transfer(settings, content_image=imgs[0], style_image=imgs[1], weights=weights)
    session.prepare()
    session.plan = until_target_plan(settings)
    checker = _float32_checker(settings, weights, imgs) if settings.precision != "float32" else None
    checking = 0.0  # seconds spent checking float32 losses, kept off the clock
    best = float("inf")
    curve: list[tuple[float, float]] = []  # (seconds, best loss so far) at the final size
    for p in session.steps():
        final_stage = p.stage == p.stages
        loss = p.total_loss
        if final_stage and loss <= target and checker is not None:
            start = time.perf_counter()
            loss = checker(session.best_image())
            checking += time.perf_counter() - start
        seconds = p.elapsed - checking
        if final_stage:
            best = min(best, loss)
            curve.append((round(seconds, 2), best))
        if final_stage and loss <= target:
            return {
                "seconds": seconds,
                "steps": p.step,
                "evaluations": p.evaluations,
                "loss": loss,
                "curve": curve,
            }
        if seconds > limit:
            break
    return {
        "seconds": None,
        "steps": p.step,
        "evaluations": p.evaluations,
        "loss": best,
        "curve": curve,
    }


def _float32_checker(settings: Any, weights: Any, imgs: tuple) -> Any:
    from nst.run.session import Transfer

    exact = settings.replace(precision="float32", stages=1)
    session = Transfer(exact, content_image=imgs[0], style_image=imgs[1], weights=weights)
    session.prepare()
    return lambda image: session.evaluate(image)[0]


def adam_seconds_per_step(size: int, weights: Any, imgs: tuple, steps: int = 6) -> float:
    """Median seconds of an Adam step after the first (traced) one, measured now."""
    from nst.run.session import Transfer

    settings = reference_settings(size, steps)
    session = Transfer(settings, content_image=imgs[0], style_image=imgs[1], weights=weights)
    stamps = [p.elapsed for p in session.steps()]
    return statistics.median(b - a for a, b in zip(stamps, stamps[1:]))


def _said(row: dict) -> dict:
    """Print a finished row at once (a long bench shows what it has so far)."""
    shown = {k: v for k, v in row.items() if k != "curve"}
    print(f"  {json.dumps(shown)}", file=sys.stderr, flush=True)
    return row


def time_to_quality(cfg: Config, ref: dict, weights: Any, imgs: tuple, fast: bool) -> dict:
    target = ref["loss"]
    adam_step = adam_seconds_per_step(cfg.quality_size, weights, imgs)
    adam_steps = next(i for i, (_, loss) in enumerate(ref["curve"], 1) if loss <= target)
    rows = [
        {
            "name": "Adam, float32 (the reference)",
            "seconds": adam_step * adam_steps,
            "steps": adam_steps,
            "evaluations": adam_steps,
            "loss": target,
            "note": f"{adam_steps} steps of the cached curve x {adam_step:.3g} s/step now",
        }
    ]
    base = reference_settings(cfg.quality_size, 100_000).replace(optimizer="lbfgs")
    c2f = max(2, len(base.stage_plan))
    # The default (and its bfloat16 twin) get time_limit_s, or a third of Adam's time if that
    # is longer, so that the quarter-of-Adam target shows either way. At least two sizes, so
    # that --quick (128 px, below the automatic plan's 256 px start) exercises coarse-to-fine.
    main_limit = max(cfg.time_limit_s, adam_step * adam_steps / 3)
    plans = [("L-BFGS, float32, coarse-to-fine (default)", base.replace(stages=c2f), main_limit)]
    if fast:
        fast_c2f = base.replace(precision="bfloat16", stages=c2f)
        plans.append(("L-BFGS, bfloat16, coarse-to-fine", fast_c2f, main_limit))
    if cfg.other_limit_s > 0:
        plans.append(("L-BFGS, float32, one size", base.replace(stages=1), cfg.other_limit_s))
        for name, optimizer in (("RMSprop", "rmsprop"), ("SGD", "sgd"), ("Adadelta", "adadelta")):
            own_rate = base.replace(optimizer=optimizer, learning_rate=None, stages=1)
            plans.append((f"{name}, float32, one size", own_rate, cfg.other_limit_s))
    for name, settings, limit in plans:
        row = run_to_target(settings, target, limit, weights, imgs)
        row["name"] = name
        row["limit"] = limit
        rows.append(_said(row))
    quarter = at_a_quarter(rows, ref["curve"], adam_step, adam_steps)
    return {
        "target": target,
        "rows": rows,
        "adam_1000_s": adam_step * cfg.reference_steps,
        "quarter": quarter,
    }


def at_a_quarter(
    rows: list[dict], adam_curve: list, adam_step: float, adam_steps: int
) -> dict[str, Any]:
    """Each run's best loss at a quarter of Adam's time to the target, beside Adam's own at
    that time (its best over the steps that fit in it): the target's comparison, made at
    the time it allows whether or not a run got to the target."""
    seconds = adam_step * adam_steps / 4
    steps = max(1, adam_steps // 4)
    adam = min(loss for _, loss in adam_curve[:steps])
    ours = {}
    for row in rows[1:]:
        losses = [loss for t, loss in row.get("curve", []) if t <= seconds]
        ours[row["name"]] = min(losses) if losses else None
    return {"seconds": seconds, "adam_steps": steps, "adam": adam, "ours": ours}


def until_target_plan(settings: Any) -> tuple[tuple[int, int], ...]:
    """The coarse stages a run of the default iterations has, then the last size open-ended
    (``settings.iterations`` steps)."""
    from nst.settings import Settings

    default = settings.replace(iterations=Settings().iterations).stage_plan
    return (*default[:-1], (default[-1][0], settings.iterations))


# --- section 3: the peer -------------------------------------------------------------------


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


# --- section 4: memory ----------------------------------------------------------------------


def memory_child(size: int) -> None:
    """A default run at ``size``: coarse-to-fine with a step at each coarse size, then at the
    output size two steps more than L-BFGS keeps pairs, so that its whole history counts."""
    from nst.memory import steps_to_fill_history
    from nst.run.session import Transfer

    settings = reference_settings(size).replace(optimizer="lbfgs", stages=None)
    session = Transfer(settings)
    session.prepare()
    last = session.plan[-1][0]
    steps = steps_to_fill_history(str(CONTENT), last)
    session.plan = (*((s, 1) for s, _ in session.plan[:-1]), (last, steps))
    for _ in session.steps():
        pass


def peak_rss(size: int) -> dict[str, Any]:
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bench", "--memory-child", str(size)],
        cwd=BENCH.parent,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    error = child.stderr.read().decode(errors="replace").strip() if child.stderr else ""
    return {
        "size": size,
        "gib": usage.ru_maxrss / 2**20,
        "seconds": time.perf_counter() - start,
        "ok": os.waitstatus_to_exitcode(status) == 0,
        "error": error[-200:],
    }


# --- report ---------------------------------------------------------------------------------


def machine() -> str:
    from nst.hardware import cpu_flags, cpu_has_fast_bfloat16
    from nst.run.result import device_description
    from nst.tf_runtime import tf

    model = "unknown CPU"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    isa = "AVX-512" if "avx512f" in cpu_flags() else "AVX2" if "avx2" in cpu_flags() else "?"
    bf16 = "native bfloat16" if cpu_has_fast_bfloat16() else "no native bfloat16"
    return (
        f"{device_description()}, {model}, {isa}, {bf16}; TensorFlow {tf.__version__}, "
        f"Python {platform.python_version()}"
    )


def table(results: dict[str, Any]) -> str:
    lines = []
    eff = results.get("efficiency")
    if eff:
        lines += [
            "## Step efficiency",
            "",
            f"matmul {results['config']['matmul_n']}^2: float32 "
            f"{eff['matmul_gflops_f32']:.0f} GFLOP/s, bfloat16 {eff['matmul_gflops_bf16']:.0f}"
            " GFLOP/s",
            "",
            "| size | precision | step s | GFLOP/step | GFLOP/s | of f32 matmul |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for r in eff["steps"]:
            lines.append(
                f"| {r['size']} | {r['precision']} | {r['seconds']:.3f} | "
                f"{r['gflops']:.1f} | {r['gflops_per_s']:.0f} | "
                f"{r['of_matmul_f32']:.0%} |"
            )
        lines.append("")
    ttq = results.get("quality")
    if ttq:
        adam = ttq["rows"][0]["seconds"]
        lines += [
            "## Time to quality",
            "",
            f"target: total loss {ttq['target']:.4g} ({results['reference']})",
            "",
            "| run | seconds | steps | evaluations | loss | vs Adam |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in ttq["rows"]:
            s = r["seconds"]
            limit = r.get("limit", results["config"]["time_limit_s"])
            shown = f"{s:.1f}" if s is not None else f"not reached in {limit:.0f} s"
            ratio = f"{adam / s:.2f}x faster" if s else "-"
            lines.append(
                f"| {r['name']} | {shown} | {r['steps']} | {r['evaluations']} | "
                f"{r['loss']:.4g} | {ratio} |"
            )
        lines.append("")
        q = ttq.get("quarter")
        if q:
            lines.append(
                f"at a quarter of Adam's time ({q['seconds']:.0f} s, {q['adam_steps']} Adam "
                f"steps): Adam's loss {q['adam']:.4g}"
            )
            for name, loss in q["ours"].items():
                shown = f"{loss:.4g}" if loss is not None else "not yet at the final size"
                lines.append(f"- {name}: {shown}")
            lines.append("")
    pe = results.get("peer")
    if pe:
        lines += ["## Peer: pastiche 1.6.0 (PyTorch 2.13.0, CPU)", ""]
        if "error" in pe:
            lines += [f"not run: {pe['error']}", ""]
        else:
            ours = results["our_eval_s"]
            lines.append(
                "same objective: pastiche's layer weights set from our targets and our total "
                "variation term added (bench/peer.py); the photo's loss by pastiche's own code "
                f"{pe['initial_loss_theirs']:.5g}, by ours {pe['initial_loss_ours']:.5g}"
            )
            lines.append("")
            lines.append(
                f"seconds per step at {pe['size'][0]}x{pe['size'][1]}: pastiche "
                f"{pe['seconds_per_step']:.3f}, ours (float32 evaluation) {ours:.3f}: "
                f"ours {pe['seconds_per_step'] / ours:.2f}x faster per step"
            )
            rows = (ttq or {}).get("rows", [])[1:]
            best_ours = min((r["seconds"] for r in rows if r["seconds"]), default=None)
            if pe["reached"]:
                r = pe["reached"]
                versus = (
                    f"ours (fastest row above) {best_ours:.1f} s: "
                    f"{r['seconds'] / best_ours:.2f}x faster"
                    if best_ours
                    else "ours: not reached in this run"
                )
                lines.append(
                    f"pastiche reached the target loss after {r['steps']} steps, "
                    f"{r['seconds']:.1f} s; {versus}"
                )
            else:
                lines.append(
                    f"pastiche did not reach the target loss in {pe['steps_run']} steps "
                    f"({pe['seconds_run']:.0f} s); its best, scored by our loss: "
                    f"{pe['best_loss']:.4g}"
                )
            lines += versus_peers_best(pe, rows)
            lines.append("")
    mem = results.get("memory")
    if mem:
        lines += [
            "## Peak memory (RSS) of a default run (one step at each coarse size, then a full"
            " L-BFGS history at the output size)",
            "",
            "| output size | peak RSS GiB | seconds | ok |",
            "| ---: | ---: | ---: | --- |",
        ]
        for m in mem:
            lines.append(
                f"| {m['size']} | {m['gib']:.2f} | {m['seconds']:.0f} | "
                f"{'yes' if m['ok'] else m['error']} |"
            )
        lines.append("")
    return "\n".join(lines)


def versus_peers_best(pe: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """To the loss pastiche reached at its best, the same loss for both: when each got there."""
    lines = []
    for r in rows:
        if "(default)" not in r["name"]:
            continue
        when = next((t for t, loss in r.get("curve", []) if loss <= pe["best_loss"]), None)
        if when is None:
            lines.append(f"{r['name']} did not reach pastiche's best loss in its run")
        else:
            lines.append(
                f"to pastiche's best loss ({pe['best_loss']:.4g}, its {pe['best_seconds']:.0f} s):"
                f" {r['name']} {when:.1f} s, {pe['best_seconds'] / when:.2f}x faster"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--recompute-reference", action="store_true")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=("optimizer", "efficiency", "quality", "peer", "memory"),
        help="run only these sections (default: all)",
    )
    parser.add_argument("--sizes", type=int, nargs="+", help="step-efficiency sizes (px)")
    parser.add_argument("--quality-size", type=int, help="time-to-quality size (px)")
    parser.add_argument("--reference-steps", type=int, help="Adam steps of the reference")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument(
        "--time-limit", type=float, help="seconds per L-BFGS time-to-quality run and the peer"
    )
    parser.add_argument("--other-limit", type=float, help="seconds per RMSprop/SGD/Adadelta run")
    parser.add_argument(
        "--json", metavar="FILE", help="also write every measurement (loss curves too) here"
    )
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.memory_child)
        return 0
    cfg = QUICK if args.quick else FULL
    if args.quality_size:
        cfg = dataclasses.replace(cfg, quality_size=args.quality_size)
    if args.time_limit:
        cfg = dataclasses.replace(cfg, time_limit_s=args.time_limit)
    if args.other_limit is not None:
        cfg = dataclasses.replace(cfg, other_limit_s=args.other_limit)
    if args.reference_steps:
        cfg = dataclasses.replace(cfg, reference_steps=args.reference_steps)
    sections = set(args.only or ("optimizer", "efficiency", "quality", "peer", "memory"))
    from bench.machine_header import header_lines, optimizer_share, share_line

    machine_lines = header_lines()  # first, so that what follows reads against it
    print("\n".join(machine_lines), flush=True)
    if "optimizer" in sections:
        machine_lines.append(share_line(optimizer_share(128 if args.quick else 512)))
        print(machine_lines[-1], flush=True)

    from nst.hardware import cpu_has_fast_bfloat16
    from nst.imaging.load import load_image
    from nst.tf_runtime import gpu_devices
    from nst.vgg.weights import load_weights

    fast_bf16 = bool(cpu_has_fast_bfloat16() or gpu_devices())
    weights = load_weights(None)
    imgs = (load_image(str(CONTENT)), load_image(str(STYLE)))
    load_before = os.getloadavg()
    started = time.perf_counter()
    results: dict[str, Any] = {"config": cfg.__dict__}
    if "efficiency" in sections:
        print("step efficiency ...", file=sys.stderr, flush=True)
        if args.sizes:
            cfg = dataclasses.replace(cfg, efficiency_sizes=tuple(args.sizes))
        results["efficiency"] = efficiency(cfg, weights, imgs, fast_bf16)
    if sections & {"quality", "peer"}:
        ref = reference_for(cfg, args.recompute_reference)
        how = "computed in this run" if ref["computed_here"] else f"cached, {ref['computed']}"
        results["reference"] = (
            f"{ref['steps']} Adam steps at {cfg.quality_size} px, float32, "
            f"default layers and weights; {how}"
        )
    if "quality" in sections:
        print("time to quality ...", file=sys.stderr, flush=True)
        results["quality"] = time_to_quality(cfg, ref, weights, imgs, fast_bf16)
    if "peer" in sections:
        print("peer ...", file=sys.stderr, flush=True)
        session, image = sessions_for(cfg.quality_size, "float32", weights, imgs)
        results["our_eval_s"] = min(_timed(session.evaluate, image) for _ in range(cfg.repeats))
        results["peer"] = peer(cfg, ref["loss"], weights, imgs)
    if "memory" in sections:
        print("memory ...", file=sys.stderr, flush=True)
        results["memory"] = [peak_rss(size) for size in cfg.memory_sizes]
    load_after = os.getloadavg()[0]
    header = [
        f"# Benchmark results ({'quick' if args.quick else 'full'})",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- machine: {machine()}",
        *machine_lines,
        f"- load average (1 min) at start {load_before[0]:.1f}, at end {load_after:.1f}"
        f"{busy_note(max(load_before[0], load_after))}",
        f"- bench wall time: {time.perf_counter() - started:.0f} s; command: "
        f"`python -m bench {' '.join(argv if argv is not None else sys.argv[1:])}`",
        "",
    ]
    text = "\n".join(header) + table(results)
    print(text)
    if not args.no_save:
        RESULTS.write_text(text + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


def busy_note(load: float) -> str:
    """Says so when the load average was above the cores: more threads wanted the CPU than
    it has (other work, or more threads of this run than cores)."""
    cores = os.cpu_count() or 1
    if load > cores:
        return f" (above the core count ({cores}): more threads wanted the CPU than it has)"
    return ""


def _timed(function: Any, *args: Any) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())

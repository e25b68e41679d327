"""Section 2, time to quality: wall time of each optimizer / preset, from the same start
(content image, prepared session, graph traced), until its float32 loss is at or below the
loss that the reference's Adam steps reach (bench/reference.py, cached)."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from typing import Any

from bench.config import Config
from bench.reference import (
    compute_reference,
    load_reference,
    reference_settings,
    save_reference,
)


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
    # Scored as saved: the 8-bit image, by the float32 loss, whatever the run's precision.
    checker = _float32_checker(settings, weights, imgs)
    checking = 0.0  # seconds spent checking float32 losses, kept off the clock
    best = float("inf")
    curve: list[tuple[float, float]] = []  # (seconds, best loss so far) at the final size
    for p in session.steps():
        final_stage = p.stage == p.stages
        loss = p.total_loss
        if final_stage and loss <= target:
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
    """image (1, H, W, 3) -> the float32 loss of it saved as 8 bits."""
    import numpy as np

    from nst.imaging.resize import to_uint8
    from nst.run.session import Transfer

    exact = settings.replace(precision="float32", stages=1)
    session = Transfer(exact, content_image=imgs[0], style_image=imgs[1], weights=weights)
    session.prepare()
    return lambda image: session.evaluate(
        to_uint8(image[0].numpy())[np.newaxis].astype(np.float32)
    )[0]


def adam_seconds_per_step(size: int, weights: Any, imgs: tuple, steps: int = 6) -> float:
    """Median seconds of an Adam step after the first (traced) one, measured now."""
    from nst.run.session import Transfer

    settings = reference_settings(size, steps)
    session = Transfer(settings, content_image=imgs[0], style_image=imgs[1], weights=weights)
    stamps = [p.elapsed for p in session.steps()]
    return statistics.median(b - a for a, b in zip(stamps, stamps[1:]))


def reference_steps(curve: list, target: float) -> int:
    """Adam's steps to ``target``: the first at or below it, else (a reference's saved
    8-bit image can score a little below every point of its run) the step of its best."""
    losses = [loss for _, loss in curve]
    reached = [i for i, loss in enumerate(losses, 1) if loss <= target]
    return reached[0] if reached else losses.index(min(losses)) + 1


def _said(row: dict) -> dict:
    """Print a finished row at once (a long bench shows what it has so far)."""
    shown = {k: v for k, v in row.items() if k != "curve"}
    print(f"  {json.dumps(shown)}", file=sys.stderr, flush=True)
    return row


def time_to_quality(cfg: Config, ref: dict, weights: Any, imgs: tuple) -> dict:
    """The reference's Adam (float32) and each run to its loss. The default runs at the
    precision "automatic" resolves to here; where that is not float32, float32 L-BFGS and
    Adam at the default's precision run too, so that the default meets Adam at its own."""
    from nst.precision import resolve

    target = ref["loss"]
    adam_step = adam_seconds_per_step(cfg.quality_size, weights, imgs)
    adam_steps = reference_steps(ref["curve"], target)
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
    base = reference_settings(cfg.quality_size, 100_000).replace(optimizer="lbfgs")  # float32
    c2f = max(2, len(base.stage_plan))
    # The default and the rows beside it at its precision get time_limit_s, or a third of
    # Adam's time if that is longer, so that the quarter-of-Adam target shows either way. At
    # least two sizes, so that --quick (128 px, below the automatic plan's 256 px start)
    # exercises coarse-to-fine.
    main_limit = max(cfg.time_limit_s, adam_step * adam_steps / 3)
    used = resolve("automatic").used
    default = base.replace(precision="automatic", stages=c2f)
    plans = [(f"L-BFGS, coarse-to-fine, automatic = {used} (default)", default, main_limit)]
    same_adam = f"Adam, {used}, one size"
    if used != "float32":
        plans.append(("L-BFGS, float32, coarse-to-fine", base.replace(stages=c2f), main_limit))
        adam = reference_settings(cfg.quality_size, 100_000).replace(precision=used)
        plans.append((same_adam, adam, main_limit))
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
    same = next((row for row in rows[1:] if row["name"] == same_adam), None)
    quarter = at_a_quarter(rows, ref["curve"], adam_step, adam_steps, same)
    return {
        "target": target,
        "rows": rows,
        "adam_1000_s": adam_step * cfg.reference_steps,
        "quarter": quarter,
    }


def at_a_quarter(
    rows: list[dict],
    adam_curve: list,
    adam_step: float,
    adam_steps: int,
    same: dict | None = None,
) -> dict[str, Any]:
    """Each run's best loss at a quarter of Adam's time to the target, beside Adam's own at
    that time (its best over the steps that fit in it): the target's comparison, made at
    the time it allows whether or not a run got to the target. Adam is ``same`` (the row of
    Adam at the default's precision) where it reached the target, else the float32
    reference (``against`` names which)."""
    if same is not None and same["seconds"] is not None:
        seconds = same["seconds"] / 4
        fitting = [loss for t, loss in same["curve"] if t <= seconds]
        steps = max(1, len(fitting))
        adam = min(fitting) if fitting else same["curve"][0][1]
        against = same["name"]
    else:
        seconds = adam_step * adam_steps / 4
        steps = max(1, adam_steps // 4)
        adam = min(loss for _, loss in adam_curve[:steps])
        against = rows[0]["name"]
    ours = {}
    for row in rows[1:]:
        if row["name"] == against:
            continue
        losses = [loss for t, loss in row.get("curve", []) if t <= seconds]
        ours[row["name"]] = min(losses) if losses else None
    return {"seconds": seconds, "adam_steps": steps, "adam": adam, "against": against, "ours": ours}


def until_target_plan(settings: Any) -> tuple[tuple[int, int], ...]:
    """The coarse stages a run of the default iterations has, then the last size open-ended
    (``settings.iterations`` steps)."""
    from nst.settings import Settings

    default = settings.replace(iterations=Settings().iterations).stage_plan
    return (*default[:-1], (default[-1][0], settings.iterations))

"""One job of a window's queue on the one run path: its images, the memory check, a
Transfer (or the instant network's one pass), then save_outcome into the job's own output
folder, under the name and with the recipe a run from the window gets.

``save_job_result`` saves a result made elsewhere (a Ray worker's) the same way. The
caller owns the loop over jobs (a queue is reordered while it runs) and the store;
``stop()`` on the SessionSeries ends the job after its current step and keeps its best
image, as Stop does for a window's run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nst.batch.store import DONE, STOPPED, Job
from nst.cluster.item import transfer_for
from nst.imaging.save import check_output_dir
from nst.run.inputs import run_images
from nst.run.outcome import save_outcome
from nst.run.series import SessionSeries


@dataclass(frozen=True)
class JobResult:
    """A job that ran: done, or stopped (its best image kept; no files if stopped before
    its first step)."""

    state: str  # DONE or STOPPED
    files: list[str] = field(default_factory=list)  # the PNG's and recipe's names in its folder
    losses: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


def run_job(
    job: Job,
    series: SessionSeries,
    *,
    weights: Any = None,
    on_step: Callable[[Any], None] | None = None,
    preview_interval: float = 0.0,
    keep_stopped: Callable[[], bool] = lambda: True,
) -> JobResult:
    """Run ``job`` and save its result; an NstError (a photo that cannot be read, a folder
    that cannot be written, too little memory) says why it failed. TensorFlow is imported
    here, on the caller's thread. ``on_step`` gets each nst.run.result.Progress.

    A stopped job's best image is saved, as Stop keeps a window's, unless
    ``keep_stopped()`` says no (a window closing: the job will run again from the start,
    and its result must not be there twice)."""
    started = time.perf_counter()
    settings = job.settings
    folder = check_output_dir(job.folder)  # before minutes of work, not after
    if series.stopped:
        return JobResult(STOPPED)
    if settings.method == "instant":
        from nst.instant import stylizer  # TensorFlow

        result = stylizer.run(settings)
    else:
        result = _transfer(job, series, weights, on_step, preview_interval)
        if result is None:
            return JobResult(STOPPED, seconds=time.perf_counter() - started)
    if result.stopped and not keep_stopped():
        return JobResult(STOPPED, seconds=time.perf_counter() - started)
    return save_job_result(job, result, started, folder)


def save_job_result(job: Job, result: Any, started: float, folder: Path | None = None) -> JobResult:
    """Save a run's ``result`` into the job's folder: a Result, or what a Ray worker sent
    back (nst.cluster.item.ItemOutcome, which reads like one). ``started``: when the job's
    work began, on time.perf_counter's clock. NstError when the folder refuses the file."""
    if folder is None:
        folder = check_output_dir(job.folder)
    recipe = result.recipe()
    recipe["wall_time_s"] = round(time.perf_counter() - started, 3)
    saved = save_outcome(result.image, job.settings, folder, recipe, keep_elsewhere=False)
    assert saved.path is not None  # keep_elsewhere off: a failure raised
    state = STOPPED if getattr(result, "stopped", False) else DONE
    files = [saved.path.name, saved.path.with_suffix(".json").name]
    losses = dict(getattr(result, "losses", {}))  # the instant network has none
    return JobResult(state, files, losses, time.perf_counter() - started)


def _transfer(
    job: Job,
    series: SessionSeries,
    weights: Any,
    on_step: Callable[[Any], None] | None,
    preview_interval: float,
) -> Any:
    """The Gatys run's Result; None when stopped before its first step."""
    content, style = run_images(job.settings)
    session = transfer_for(
        job.settings, content, style, weights=weights, preview_interval=preview_interval
    )
    with closing(session):
        stepped = False
        for progress in series.steps(session):
            stepped = True
            if on_step is not None:
                on_step(progress)
        return session.result() if stepped else None

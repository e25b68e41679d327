"""How the Queue tab words a job: its state, its time, what became of it, and why the
tab's buttons wait. The model holds facts (the store's Job); the words live here."""

from __future__ import annotations

import os

from gui.model import FolderRefused, NotReady
from gui.readiness import describe_not_ready
from nst.batch.store import DONE, FAILED, RUNNING, STOPPED, WAITING, Job
from nst.run.clock import clock_text

STATE_WORDS = {
    WAITING: "waiting",
    RUNNING: "running",
    DONE: "done",
    FAILED: "failed",
    STOPPED: "stopped",
}

RUN_ALL_TIP = "Run the waiting jobs one after another, from the top."
STOP_TIP = "Stop the running job after its current step (its best image is kept)."
RAY_RUN_ALL_TIP = "Send every waiting job to the Ray cluster, to run there side by side."
RAY_STOP_TIP = "Cancel the jobs still on the Ray cluster; they wait again, to run from the start."
BUSY_TIP = "A run or a sweep is going on; the queue can start when it ends."
HELD_BY = (
    "Another window (process {pid}) runs this queue; run it there, or close that window "
    "and press Run all again."
)
NOTHING_TIP = "No job is waiting: add one with Add to queue, or retry one."


def photo_name(job: Job) -> str:
    return os.path.basename(job.content) if job.content else "(texture)"


def style_name(job: Job) -> str:
    return os.path.basename(job.style)


def time_text(job: Job) -> str:
    return clock_text(job.seconds) if job.seconds is not None else ""


def details(job: Job, step: tuple[int, int] | None = None, on_ray: bool = False) -> str:
    """What became of the job, in a line: its step, its file or why it failed. A job on a
    Ray cluster reports no step: it runs there until its result comes back."""
    if job.state == RUNNING:
        if on_ray:
            return "sent to the Ray cluster…"
        return f"step {step[0]} of {step[1]}" if step else "starting…"
    if job.state == FAILED:
        return job.reason
    if job.state in (DONE, STOPPED) and job.files:
        kept = "saved as" if job.state == DONE else "stopped; its best image saved as"
        return f"{kept} {job.files[0]}"
    if job.state == STOPPED:
        return "stopped before its first step"
    return ""


def tip(job: Job) -> str:
    """The row's tooltip: the whole line the table may cut, and where results go."""
    lines = [details(job), f"Results go into {job.folder}" if job.folder else ""]
    return "\n".join(line for line in lines if line)


def not_added(refusal: NotReady | FolderRefused) -> str:
    """Why nothing was added to the queue, in one sentence."""
    if isinstance(refusal, NotReady):
        return describe_not_ready(refusal)
    if refusal.texture:
        return "A texture takes no photo: choose the Gatys or instant method to add a folder."
    return f"The folder '{refusal.folder}' holds no image the app can read."


def added(count: int, waiting: int) -> str:
    what = "a job" if count == 1 else f"{count} jobs"
    return f"Added {what} to the queue ({waiting} waiting)."

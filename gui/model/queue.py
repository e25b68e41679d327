"""The window's queue without Qt: jobs kept in the engine's job store (one SQLite file,
one transaction per change), published to the window's model as they change.

Adding takes the window's current request (RunRequest) as a job, or one job per photo of
a folder with the current styles and settings. The queue runs its waiting jobs one after
another: ``begin_next`` marks the next one running, the caller runs it (a worker thread,
or a test's function) and reports with ``end_job``. On a Ray cluster they run
side by side: ``begin_all`` marks every waiting job running, each reports with
``end_job``, and ``put_back`` returns one not finished (stopped) to waiting. Opening the
store puts a job
left running by a closed or crashed window back to waiting, to run again from the start;
a done job is never run again unless retried, and a retried job saves a new numbered
file (the engine's save_outcome never overwrites).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from gui.model.jobs import NotReady
from gui.model.window_model import WindowModel
from nst.batch.owner import Owner
from nst.batch.plan import BatchError, expand
from nst.batch.store import DONE, FAILED, RUNNING, STOPPED, WAITING, Job, JobRunning, JobStore

QUEUE_NAME = "window"  # the window's queue in the store (batches have their own)
QUEUE_FILE = "queue.sqlite"
_QUEUE = {"batch": None, "queue": QUEUE_NAME}
QUEUE_OWNER = f"queue:{QUEUE_NAME}"  # the store's key of the window that runs it


@dataclass(frozen=True)
class JobOutcome:
    """How a job that was given its turn ended: ``state`` DONE, STOPPED or FAILED (with
    ``reason``, one sentence); ``files`` its result's names in its folder."""

    state: str
    files: list[str] = field(default_factory=list)
    losses: dict[str, float] = field(default_factory=dict)
    seconds: float | None = None
    reason: str = ""


@dataclass(frozen=True)
class FolderRefused:
    """Why a folder of photos adds no job, as facts (the window words them)."""

    folder: str
    texture: bool = False  # the texture method takes no photo
    no_photos: bool = False  # no image file in it


class QueueModel:
    def __init__(self, model: WindowModel, path: str | os.PathLike[str]) -> None:
        self.model = model
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.store = JobStore(self.path)
        self.recovered = 0
        # Another window on the same store that is still open runs this queue: this one
        # adds and reorders jobs but runs none (each would run the other's jobs too).
        self.held_by: Owner | None = None
        self._take()
        self._running = False  # Run all: the queue takes one job after another
        self._active: list[int] = []  # the jobs running now: one, or several on Ray
        self._closed = False
        self._publish()

    def _take(self) -> bool:
        """Take the queue for this window unless another open window holds it."""
        self.held_by = self.store.claim(QUEUE_OWNER)
        if self.held_by is None:
            # A job that was running when the window closed or crashed runs again.
            self.recovered += self.store.recover(**_QUEUE)
        return self.held_by is None

    def close(self) -> None:
        """Close the store (once). A job still running goes back to waiting, as a crash
        leaves it: it runs again from the start next time."""
        if self._closed:
            return
        for job_id in self._active:
            self.store.reset(job_id)
        self._running, self._active, self._closed = False, [], True
        if self.held_by is None:
            self.store.release(QUEUE_OWNER)
        self.store.close()

    @property
    def jobs(self) -> tuple[Job, ...]:
        return self.model.jobs

    @property
    def running(self) -> bool:
        """The queue is running (a job now, or the next one soon)."""
        return self._running or bool(self._active)

    @property
    def current(self) -> int | None:
        """The job running now (the first of several on Ray)."""
        return self._active[0] if self._active else None

    @property
    def stopping(self) -> bool:
        """Asked to stop: the job running now ends, and no next one starts."""
        return bool(self._active) and not self._running

    def _publish(self) -> None:
        jobs = tuple(self.store.jobs(**_QUEUE))
        self.model.set_jobs(jobs, self.running, self.current)

    def job(self, job_id: int) -> Job | None:
        return next((j for j in self.jobs if j.id == job_id), None)

    def waiting(self) -> int:
        return sum(j.state == WAITING for j in self.jobs)

    # ------------------------------------------------------------------ adding

    def add_current(self) -> int | NotReady:
        """The window's current settings and output folder as a job at the end; its id,
        or why they cannot run (a sweep or the queue going on is no reason: it waits)."""
        request = self.model.request_run(busy=False)
        if isinstance(request, NotReady):
            return request
        job_id = self.store.add(request.settings, folder=_absolute(request.folder), **_QUEUE)
        self._publish()
        return job_id

    def add_folder(self, folder: str) -> list[int] | NotReady | FolderRefused:
        """One job per photo in ``folder`` (by name), each with the current styles and
        settings; the new ids, or why none was added."""
        not_ready = self.model.readiness(busy=False)
        if not_ready is not None:
            # The chosen photo is not needed: each job takes one of the folder's.
            missing = tuple(m for m in not_ready.missing if m != "content")
            loading = tuple(role for role in not_ready.loading if role != "content")
            if not_ready.problems or loading or missing:
                return NotReady(problems=not_ready.problems, loading=loading, missing=missing)
        settings = self.model.settings
        if settings.method == "texture":
            return FolderRefused(folder, texture=True)
        try:
            photos = expand([folder], "content")
        except BatchError:
            return FolderRefused(folder, no_photos=True)
        output = _absolute(self.model.folder)
        ids = [
            self.store.add(settings.replace(content=photo), folder=output, **_QUEUE)
            for photo in photos
        ]
        self._publish()
        return ids

    # ------------------------------------------------------------------ order

    def can_move(self, job_id: int, by: int) -> bool:
        index = self._index(job_id)
        return index is not None and 0 <= index + by < len(self.jobs)

    def move(self, job_id: int, by: int) -> bool:
        """Move a job ``by`` places (-1: up, 1: down); False when it cannot go there."""
        if not self.can_move(job_id, by):
            return False
        index = self._index(job_id)
        assert index is not None
        self.store.move(job_id, index + by)
        self._publish()
        return True

    def can_remove(self, job_id: int) -> bool:
        job = self.job(job_id)
        return job is not None and job.state != RUNNING

    def remove(self, job_id: int) -> bool:
        """Remove a job (its saved results stay); a running one is not removed."""
        if not self.can_remove(job_id):
            return False
        try:
            self.store.remove(job_id)
        except JobRunning:
            return False
        self._publish()
        return True

    def can_retry(self, job_id: int) -> bool:
        job = self.job(job_id)
        return job is not None and job.state in (DONE, FAILED, STOPPED)

    def retry(self, job_id: int) -> bool:
        """Back to waiting; its earlier result stays, and the next is a new file."""
        if not self.can_retry(job_id):
            return False
        self.store.reset(job_id)
        self._publish()
        return True

    def _index(self, job_id: int) -> int | None:
        return next((i for i, j in enumerate(self.jobs) if j.id == job_id), None)

    # ------------------------------------------------------------------ running

    def run_all(self) -> bool:
        """Run the waiting jobs in order from now on; False when none waits or another
        window runs the queue (``held_by``; tried again each time)."""
        if self.held_by is not None and not self._take():
            return False
        if not self.waiting():
            return False
        if not self._running:
            self._running = True
            self._publish()
        return True

    def stop(self) -> None:
        """Take no next job; the job running now ends as the caller stops it."""
        if self._running:
            self._running = False
            self._publish()

    def begin_next(self) -> Job | None:
        """The next waiting job, marked running; None when the queue stops or is done."""
        jobs = self._begin(limit=1)
        return jobs[0] if jobs else None

    def begin_all(self) -> list[Job]:
        """Every waiting job, in order, marked running (to run side by side on a Ray
        cluster); [] when the queue stops or is done."""
        return self._begin(limit=None)

    def _begin(self, limit: int | None) -> list[Job]:
        if self._closed or not self._running or self._active:
            return []
        waiting = [j.id for j in self.store.jobs(**_QUEUE) if j.state == WAITING][:limit]
        if not waiting:
            self._running = False
            self._publish()
            return []
        for job_id in waiting:
            self.store.start(job_id)
        self._active = waiting
        self._publish()
        return [self.store.get(job_id) for job_id in waiting]

    def put_back(self, job_id: int) -> None:
        """A running job that did not finish (its Ray task cancelled by Stop, or never
        sent) waits again, to run from the start."""
        if self._closed or job_id not in self._active:
            return
        self.store.reset(job_id)
        self._active.remove(job_id)
        self._publish()

    def step(self, job_id: int, step: int, total: int, where: str = "") -> None:
        """The running job made a step (for its row's progress); ``where``: its stage."""
        self.model.job_step(job_id, step, total, where)

    def end_job(self, job_id: int, outcome: JobOutcome) -> None:
        """The job ended: done, stopped or failed. A stopped job stops the queue (the user
        asked); a failed one does not: the next job runs."""
        if self._closed:  # the window closed: the job waits again (close())
            return
        if outcome.state == FAILED:
            self.store.fail(job_id, outcome.reason, outcome.seconds)
        else:
            seconds = outcome.seconds or 0.0
            self.store.finish(job_id, outcome.state, outcome.files, outcome.losses, seconds)
        if outcome.state == STOPPED:
            self._running = False
        if job_id in self._active:
            self._active.remove(job_id)
        self._publish()


def _absolute(folder: str) -> str:
    return os.path.abspath(os.path.expanduser(folder)) if folder else ""

"""A batch that the command line runs (or ran), watched from the window without Qt: its
items read from the batch's own job store, how many are done, failed and left, and
whether its contact sheet changed since the last look.

The store is opened to read only (nst.batch.store's JobStore.read_only): the window never
writes into a batch another process runs, and a read never waits on that process. The
view calls ``refresh`` on a timer; each call reads a few rows and says what changed, so
the view redraws only that. A look that finds the store unreadable for a moment keeps
what was seen last and says why; the next look tries again.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nst.batch.plan import BatchError
from nst.batch.runner import BATCH_OWNER, SHEET_NAME, time_left
from nst.batch.store import DONE, FAILED, RUNNING, STOPPED, STORE_NAME, Job, JobStore, StoreError
from nst.errors import reason

_STAMP = "%Y-%m-%dT%H:%M:%S%z"  # the store's times (nst.batch.store._now)


@dataclass(frozen=True)
class BatchCounts:
    """How far the batch is: ``left`` counts what still waits, runs or was stopped."""

    done: int = 0
    failed: int = 0
    running: int = 0
    stopped: int = 0
    total: int = 0

    @property
    def left(self) -> int:
        return self.total - self.done - self.failed


@dataclass(frozen=True)
class BatchSeen:
    """What one look at the batch found: its items changed, its sheet was rewritten, or
    the store could not be read this time (``unreadable``: the one sentence why)."""

    items: bool = False
    sheet: bool = False
    unreadable: str = ""


class BatchWatch:
    def __init__(self, folder: str | os.PathLike[str]) -> None:
        """Watch the batch in ``folder``; BatchError when it holds no batch, StoreError
        when its store cannot be read."""
        path = Path(os.path.abspath(os.path.expanduser(os.fspath(folder))))
        if not (path / STORE_NAME).is_file():
            raise BatchError(f"The folder '{folder}' holds no batch (no {STORE_NAME} in it).")
        self.folder = path
        self.store = JobStore.read_only(path / STORE_NAME)
        self._jobs: tuple[Job, ...] = ()
        self._sheet: tuple[int, int] | None = None
        self._closed = False
        self._running_seen: float | None = None  # time.monotonic() of a look at one running

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.store.close()

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def jobs(self) -> tuple[Job, ...]:
        """The batch's items in order, as last seen."""
        return self._jobs

    @property
    def sheet_path(self) -> Path:
        return self.folder / SHEET_NAME

    def refresh(self) -> BatchSeen:
        """Look at the store and the sheet again; what changed since the last look."""
        unreadable = ""
        jobs = self._jobs
        if not self._closed:
            try:
                jobs = tuple(self.store.jobs(batch=""))
            except (StoreError, sqlite3.Error) as exc:
                unreadable = f"The batch's store cannot be read just now ({reason(exc)})."
        items, self._jobs = jobs != self._jobs, jobs
        if any(job.state == RUNNING for job in jobs):
            self._running_seen = time.monotonic()
        stamp = _stamp(self.sheet_path)
        sheet, self._sheet = stamp != self._sheet, stamp
        return BatchSeen(items, sheet, unreadable)

    def running_lately(self, within: float = 3.0, now: float | None = None) -> bool:
        """An item was seen running in the last ``within`` seconds: between two items the
        command line writes batch.json and the sheet, and for that moment none runs."""
        if self._running_seen is None:
            return False
        return (time.monotonic() if now is None else now) - self._running_seen <= within

    def runner_ended(self) -> bool:
        """The process that took the batch has ended without letting go (killed, or the
        machine went down): its running item will not end, a --resume runs it again."""
        if self._closed:
            return False
        try:
            owner = self.store.owner(BATCH_OWNER)
        except sqlite3.Error:
            return False
        return owner is not None and owner.alive() is False

    def counts(self) -> BatchCounts:
        states = [job.state for job in self._jobs]
        return BatchCounts(
            done=states.count(DONE),
            failed=states.count(FAILED),
            running=states.count(RUNNING),
            stopped=states.count(STOPPED),
            total=len(states),
        )

    def result_path(self, job: Job) -> Path | None:
        """The item's result image, once done or stopped with one."""
        if job.state in (DONE, STOPPED) and job.files:
            return self.folder / job.files[0]
        return None

    def eta(self) -> float | None:
        """Seconds the batch has left at its items' times so far (the command line's
        rule, nst.batch.runner.time_left); None before an item is done."""
        times = [job.seconds for job in self._jobs if job.state == DONE and job.seconds]
        return time_left(times, self.counts().left)

    @staticmethod
    def running_for(job: Job, now: datetime | None = None) -> float | None:
        """Seconds since a running item started (its store's last change), None if the
        item is not running or its time cannot be read."""
        if job.state != RUNNING:
            return None
        try:
            started = datetime.strptime(job.updated, _STAMP)
        except ValueError:
            return None
        now = now or datetime.now(started.tzinfo)
        return max(0.0, (now - started).total_seconds())


def _stamp(path: Path) -> tuple[int, int] | None:
    """The file's modification time and size: a rewritten sheet (replaced atomically by
    the runner) changes them; None while there is none."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)

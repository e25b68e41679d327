"""The job store: SQLite from the standard library, one transaction per state change.

A JSON file rewritten in place can be left half-written by a killed process; SQLite in
WAL mode cannot: a change is either in the file or not. Jobs belong to a batch folder or,
with ``batch`` None, to a named queue (a window's), so both can share one store.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nst.batch.owner import Owner
from nst.errors import NstError, reason
from nst.settings import Settings

WAITING, RUNNING, DONE, FAILED, STOPPED = "waiting", "running", "done", "failed", "stopped"
STATES = (WAITING, RUNNING, DONE, FAILED, STOPPED)
STORE_NAME = "jobs.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL DEFAULT '',
    batch TEXT,
    position INTEGER NOT NULL,
    content TEXT NOT NULL,
    style TEXT NOT NULL,
    settings TEXT NOT NULL,
    state TEXT NOT NULL,
    folder TEXT NOT NULL DEFAULT '',
    files TEXT NOT NULL DEFAULT '[]',
    losses TEXT NOT NULL DEFAULT '{}',
    seconds REAL,
    reason TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
)
"""


# Who runs each batch or queue (nst/batch/owner.py): one row per key, "batch:" or "queue:".
_OWNERS = """
CREATE TABLE IF NOT EXISTS owners (
    key TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    since TEXT NOT NULL
)
"""


class StoreError(NstError):
    """The job store cannot be opened or written; the message names the file."""


class JobRunning(StoreError):
    """A running job cannot be removed: it must stop first."""

    def __init__(self, message: str, job_id: int) -> None:
        super().__init__(message)
        self.job_id = job_id


@dataclass(frozen=True)
class Job:
    """One item of a batch or a queue. ``content`` is "" for a texture."""

    id: int
    queue: str
    batch: str | None
    position: int
    content: str
    style: str
    settings_json: str
    state: str
    files: list[str] = field(default_factory=list)
    losses: dict[str, float] = field(default_factory=dict)
    seconds: float | None = None
    reason: str = ""
    created: str = ""
    updated: str = ""
    folder: str = ""  # where a queue job's results go ("" in a batch: the batch's folder)

    @property
    def settings(self) -> Settings:
        return Settings.from_dict(json.loads(self.settings_json))


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class JobStore:
    """Jobs in one SQLite file. Every method that changes a job is one transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            # isolation_level None: transactions are explicit (BEGIN IMMEDIATE below).
            self._db = sqlite3.connect(str(self.path), isolation_level=None, timeout=10.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(_SCHEMA)
            self._db.execute(_OWNERS)
            self._add_missing_columns()
        except sqlite3.Error as exc:
            words = f"The job store '{self.path}' cannot be opened ({reason(exc)})."
            raise StoreError(words) from exc

    @classmethod
    def read_only(cls, path: str | os.PathLike[str], timeout: float = 0.25) -> JobStore:
        """The store opened to read only (a window watching a batch that another process
        runs): it never writes, not even the schema, and waits at most ``timeout`` seconds
        for a lock. In WAL mode a writer never blocks a reader; only SQLite's recovery of
        the log can, and a reader that must not freeze should try again later instead."""
        store = cls.__new__(cls)
        store.path = Path(path)
        uri = store.path.resolve().as_uri() + "?mode=ro"
        try:
            store._db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=timeout)
            store._db.execute("SELECT 1 FROM jobs LIMIT 0")
        except sqlite3.Error as exc:
            words = f"The job store '{store.path}' cannot be read ({reason(exc)})."
            raise StoreError(words) from exc
        return store

    def _add_missing_columns(self) -> None:
        """A store written before a column existed gets it, with its default."""
        have = {row[1] for row in self._db.execute("PRAGMA table_info(jobs)")}
        if "folder" not in have:
            self._db.execute("ALTER TABLE jobs ADD COLUMN folder TEXT NOT NULL DEFAULT ''")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> JobStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            words = f"The job store '{self.path}' cannot be written ({reason(exc)})."
            raise StoreError(words) from exc

    def add(
        self,
        settings: Settings,
        *,
        batch: str | None = None,
        queue: str = "",
        state: str = WAITING,
        failure: str = "",
        folder: str = "",
    ) -> int:
        """Add a job at the end of its batch or queue; returns its id. ``folder``: where a
        queue job's results go."""
        content = "" if settings.method == "texture" else settings.content
        with self._transaction() as db:
            row = db.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM jobs WHERE queue = ? AND batch IS ?",
                (queue, batch),
            ).fetchone()
            now = _now()
            cursor = db.execute(
                "INSERT INTO jobs (queue, batch, position, content, style, settings, state,"
                " folder, reason, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    queue,
                    batch,
                    row[0],
                    content,
                    settings.style,
                    settings.to_json(),
                    state,
                    folder,
                    failure,
                    now,
                    now,
                ),
            )
            return int(cursor.lastrowid or 0)

    def jobs(self, *, batch: str | None = None, queue: str = "") -> list[Job]:
        """The jobs of a batch (or of a queue when ``batch`` is None), in order."""
        rows = self._db.execute(
            "SELECT * FROM jobs WHERE queue = ? AND batch IS ? ORDER BY position, id",
            (queue, batch),
        ).fetchall()
        return [self._job(row) for row in rows]

    def get(self, job_id: int) -> Job:
        row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise StoreError(f"The job store '{self.path}' has no job {job_id}.")
        return self._job(row)

    def _job(self, row: tuple[Any, ...]) -> Job:
        names = [d[0] for d in self._db.execute("SELECT * FROM jobs LIMIT 0").description]
        data = dict(zip(names, row, strict=True))
        return Job(
            id=data["id"],
            queue=data["queue"],
            batch=data["batch"],
            position=data["position"],
            content=data["content"],
            style=data["style"],
            settings_json=data["settings"],
            state=data["state"],
            files=json.loads(data["files"]),
            losses=json.loads(data["losses"]),
            seconds=data["seconds"],
            reason=data["reason"],
            created=data["created"],
            updated=data["updated"],
            folder=data["folder"],
        )

    def _set(self, job_id: int, **values: Any) -> None:
        values["updated"] = _now()
        columns = ", ".join(f"{name} = ?" for name in values)
        with self._transaction() as db:
            db.execute(f"UPDATE jobs SET {columns} WHERE id = ?", (*values.values(), job_id))

    def start(self, job_id: int) -> None:
        self._set(job_id, state=RUNNING, reason="")

    def finish(
        self, job_id: int, state: str, files: list[str], losses: dict[str, float], seconds: float
    ) -> None:
        """A job done or stopped, with its files (names in its folder) and final losses."""
        self._set(
            job_id,
            state=state,
            files=json.dumps(files),
            losses=json.dumps(losses),
            seconds=round(seconds, 3),
            reason="",
        )

    def fail(self, job_id: int, failure: str, seconds: float | None = None) -> None:
        """A job that cannot run, with the one sentence why."""
        self._set(job_id, state=FAILED, reason=failure, seconds=seconds)

    def reset(self, job_id: int) -> None:
        """Back to waiting (a retry): its earlier files stay where they are."""
        self._set(job_id, state=WAITING, reason="")

    def recover(self, *, batch: str | None = None, queue: str = "") -> int:
        """Jobs left running by a killed process go back to waiting, to run again from the
        start; returns how many."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE jobs SET state = ?, updated = ?"
                " WHERE state = ? AND queue = ? AND batch IS ?",
                (WAITING, _now(), RUNNING, queue, batch),
            )
            return cursor.rowcount

    def move(self, job_id: int, new_position: int) -> None:
        """Put a job at ``new_position`` (0-based, clamped) among its batch's or queue's
        jobs; the others keep their order. The positions are renumbered 0.. in the same
        transaction, so the order never has gaps or ties."""
        with self._transaction() as db:
            row = db.execute("SELECT queue, batch FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise StoreError(f"The job store '{self.path}' has no job {job_id}.")
            ids = [
                r[0]
                for r in db.execute(
                    "SELECT id FROM jobs WHERE queue = ? AND batch IS ? ORDER BY position, id",
                    row,
                )
            ]
            ids.remove(job_id)
            ids.insert(max(0, min(new_position, len(ids))), job_id)
            db.executemany("UPDATE jobs SET position = ? WHERE id = ?", list(enumerate(ids)))

    def remove(self, job_id: int) -> None:
        """Delete a job (its result files stay); a running one is refused (JobRunning)."""
        with self._transaction() as db:
            row = db.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is not None and row[0] == RUNNING:
                raise JobRunning(f"Job {job_id} is running; stop it before removing it.", job_id)
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    # ------------------------------------------------------------------ who runs the jobs

    def claim(self, key: str) -> Owner | None:
        """Take the jobs under ``key`` for this process, in one transaction; returns the
        other process on this machine that still runs them (nothing taken), else None. A
        process on another machine cannot be asked: its claim is taken over."""
        with self._transaction() as db:
            row = db.execute("SELECT pid, host, since FROM owners WHERE key = ?", (key,))
            found = row.fetchone()
            if found is not None:
                other = Owner(*found)
                if not other.is_me() and other.alive():
                    return other
            me = Owner.me(_now())
            db.execute(
                "INSERT OR REPLACE INTO owners (key, pid, host, since) VALUES (?, ?, ?, ?)",
                (key, me.pid, me.host, me.since),
            )
        return None

    def release(self, key: str) -> None:
        """Let go of the jobs under ``key`` (only if this process holds them)."""
        me = Owner.me("")
        with self._transaction() as db:
            db.execute(
                "DELETE FROM owners WHERE key = ? AND pid = ? AND host = ?",
                (key, me.pid, me.host),
            )

    def owner(self, key: str) -> Owner | None:
        """The process that took the jobs under ``key`` and has not let go (it may have
        been killed since: Owner.alive); None when none has, or in a store older than
        the owners table (opened read-only, it is not added)."""
        try:
            row = self._db.execute("SELECT pid, host, since FROM owners WHERE key = ?", (key,))
        except sqlite3.OperationalError:  # no such table
            return None
        found = row.fetchone()
        return None if found is None else Owner(*found)

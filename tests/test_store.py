"""The job store's queue operations (issue 20): order, remove, retry, the next waiting
job, each one transaction; and a store left by a killed process is readable and offers
its running job again."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from nst.batch.store import (
    DONE,
    FAILED,
    RUNNING,
    STORE_NAME,
    WAITING,
    Job,
    JobRunning,
    JobStore,
    StoreError,
)
from nst.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
QUEUE = {"batch": None, "queue": "window"}


def _add(store: JobStore, *names: str) -> list[int]:
    return [
        store.add(Settings(content=f"{n}.jpg", style="s.jpg"), folder="/out", **QUEUE)
        for n in names
    ]


def _order(store: JobStore) -> list[str]:
    return [Path(j.content).stem for j in store.jobs(**QUEUE)]


def _first_waiting(store: JobStore) -> Job | None:
    """The job the queue takes next (QueueModel._begin: the first waiting, in order)."""
    return next((j for j in store.jobs(**QUEUE) if j.state == WAITING), None)


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    with JobStore(tmp_path / STORE_NAME) as opened:
        yield opened


def test_move_reorders_within_the_queue_alone(store: JobStore) -> None:
    a, b, c = _add(store, "a", "b", "c")
    batch_job = store.add(Settings(content="x.jpg", style="s.jpg"), batch="")
    store.move(c, 0)
    assert _order(store) == ["c", "a", "b"]
    store.move(c, 99)  # clamped to the end
    assert _order(store) == ["a", "b", "c"]
    store.move(a, 1)
    assert _order(store) == ["b", "a", "c"]
    assert [j.position for j in store.jobs(**QUEUE)] == [0, 1, 2]  # no gaps, no ties
    assert store.get(batch_job).position == 0  # the batch's order is its own
    with pytest.raises(StoreError):
        store.move(12345, 0)


def test_remove_refuses_a_running_job(store: JobStore) -> None:
    a, b = _add(store, "a", "b")
    store.start(a)
    with pytest.raises(JobRunning) as caught:
        store.remove(a)
    assert caught.value.job_id == a
    store.remove(b)
    assert _order(store) == ["a"]
    store.finish(a, DONE, ["a_s_001.png"], {"total": 1.0}, 1.0)
    store.remove(a)
    assert store.jobs(**QUEUE) == []


def test_the_order_decides_the_next_job_and_retry_puts_a_job_back(store: JobStore) -> None:
    a, b, c = _add(store, "a", "b", "c")
    assert _first_waiting(store).id == a
    store.move(c, 0)
    assert _first_waiting(store).id == c
    store.start(c)
    store.fail(c, "The content image 'c.jpg' cannot be read.", 0.5)
    assert _first_waiting(store).id == a
    store.finish(a, DONE, ["a.png"], {}, 1.0)
    store.finish(b, DONE, ["b.png"], {}, 1.0)
    assert _first_waiting(store) is None
    store.reset(c)  # a retry
    job = store.get(c)
    assert job.state == WAITING and not job.reason and job.folder == "/out"
    assert _first_waiting(store).id == c


def test_a_store_from_before_the_folder_column_opens(tmp_path: Path) -> None:
    path = tmp_path / STORE_NAME
    with sqlite3.connect(path) as db:  # the first schema, without ``folder``
        db.execute(
            "CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL"
            " DEFAULT '', batch TEXT, position INTEGER NOT NULL, content TEXT NOT NULL,"
            " style TEXT NOT NULL, settings TEXT NOT NULL, state TEXT NOT NULL, files TEXT"
            " NOT NULL DEFAULT '[]', losses TEXT NOT NULL DEFAULT '{}', seconds REAL, reason"
            " TEXT NOT NULL DEFAULT '', created TEXT NOT NULL, updated TEXT NOT NULL)"
        )
        db.execute(
            "INSERT INTO jobs (batch, position, content, style, settings, state, created,"
            " updated) VALUES ('', 0, 'a.jpg', 's.jpg', ?, 'done', 'now', 'now')",
            (Settings(content="a.jpg", style="s.jpg").to_json(),),
        )
    with JobStore(path) as store:
        (job,) = store.jobs(batch="")
        assert job.state == DONE and job.folder == ""
        _add(store, "b")
        assert _order(store) == ["b"]


def _killed(path: Path, script: str) -> None:
    """Run ``script`` (with ``store`` open on ``path``) in a process that SIGKILLs itself."""
    code = (
        "import os, signal\n"
        "from nst.batch.store import JobStore\n"
        f"store = JobStore({str(path)!r})\n" + script + "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT)
    assert done.returncode != 0


def test_a_process_killed_mid_move_leaves_the_order_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / STORE_NAME
    with JobStore(path) as store:
        a, b, c = _add(store, "a", "b", "c")
    # Killed half way through a move's transaction: one position written, not the others.
    _killed(
        path,
        "store._db.execute('BEGIN IMMEDIATE')\n"
        f"store._db.execute('UPDATE jobs SET position = 0 WHERE id = {c}')\n",
    )
    with JobStore(path) as store:
        assert _order(store) == ["a", "b", "c"]
        assert [j.position for j in store.jobs(**QUEUE)] == [0, 1, 2]


def test_a_process_killed_while_a_job_runs_offers_it_again(tmp_path: Path) -> None:
    path = tmp_path / STORE_NAME
    with JobStore(path) as store:
        a, b, c = _add(store, "a", "b", "c")
        store.finish(a, DONE, ["a_s_001.png", "a_s_001.json"], {"total": 2.0}, 3.0)
    _killed(path, f"store.start({b})\n")
    with JobStore(path) as store:
        assert [j.state for j in store.jobs(**QUEUE)] == [DONE, RUNNING, WAITING]
        assert store.get(a).files == ["a_s_001.png", "a_s_001.json"]  # nothing done is lost
        assert store.recover(**QUEUE) == 1
        assert _first_waiting(store).id == b
        assert [j.state for j in store.jobs(**QUEUE)] == [DONE, WAITING, WAITING]
        store.start(b)
        store.fail(b, "The style image 's.jpg' cannot be read.")
        assert store.get(b).state == FAILED

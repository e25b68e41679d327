"""Who runs a batch (nst/batch/owner.py, JobStore.claim): a second process is refused
while the first lives, and takes over once it is killed; a window watching the batch
tells a killed command line from one still running."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gui.model.batch_watch import BatchWatch
from nst.batch.plan import BatchError
from nst.batch.runner import BATCH_OWNER, BatchRun
from nst.batch.store import RUNNING, STORE_NAME, WAITING, JobStore
from nst.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A batch folder of two items, the first left running."""
    with JobStore(tmp_path / STORE_NAME) as store:
        first = store.add(Settings(content="/p/a.jpg", style="/s/b.jpg"), batch="")
        store.add(Settings(content="/p/c.jpg", style="/s/b.jpg"), batch="")
        store.start(first)
    return tmp_path


@pytest.fixture
def other(folder: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that has taken the batch and runs until killed."""
    process = _holding(
        "from nst.batch.store import JobStore\n"
        f"store = JobStore({str(folder / STORE_NAME)!r})\n"
        f"assert store.claim({BATCH_OWNER!r}) is None\n"
    )
    yield process
    _kill(process)


def _holding(code: str) -> subprocess.Popen[str]:
    """Another process that runs ``code``, then holds on until killed; returned once
    ``code`` has run (it says so on its output)."""
    process = subprocess.Popen(
        [sys.executable, "-c", code + "import sys\nprint('held', flush=True)\nsys.stdin.read()\n"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    return process


def _kill(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.wait()  # reaped: the process id no longer exists


def test_a_batch_run_by_a_living_process_is_refused_and_left_as_it_is(
    folder: Path, other: subprocess.Popen[str]
) -> None:
    with pytest.raises(BatchError) as refused:
        BatchRun(folder)
    assert str(refused.value) == (
        f"The batch in '{folder}' is being run by process {other.pid} on this machine; "
        "wait for it to end, or stop it, and resume then."
    )
    with JobStore(folder / STORE_NAME) as store:  # its running item was not taken from it
        assert [j.state for j in store.jobs(batch="")] == [RUNNING, WAITING]
        owner = store.owner(BATCH_OWNER)
        assert owner is not None and owner.pid == other.pid and owner.alive()


def test_a_killed_process_s_batch_is_taken_over_and_let_go_after(
    folder: Path, other: subprocess.Popen[str]
) -> None:
    _kill(other)
    run = BatchRun(folder)
    assert run.recovered == 1  # the killed process's running item waits again
    assert [j.state for j in run.jobs] == [WAITING, WAITING]
    assert run.store.owner(BATCH_OWNER).is_me()
    run.close()
    with JobStore(folder / STORE_NAME) as store:
        assert store.owner(BATCH_OWNER) is None


def test_the_watch_tells_a_killed_command_line_from_a_running_one(
    folder: Path, other: subprocess.Popen[str]
) -> None:
    watch = BatchWatch(folder)
    try:
        watch.refresh()
        assert not watch.runner_ended()
        _kill(other)
        assert watch.runner_ended()
    finally:
        watch.close()


def test_a_store_without_the_owners_table_has_no_owner(tmp_path: Path) -> None:
    path = tmp_path / STORE_NAME
    with JobStore(path) as store:
        store.add(Settings(content="/p/a.jpg", style="/s/b.jpg"), batch="")
    with sqlite3.connect(path) as db:  # a store written before the table existed
        db.execute("DROP TABLE owners")
    watch = BatchWatch(tmp_path)
    try:
        assert not watch.runner_ended()
    finally:
        watch.close()


def test_a_second_window_adds_to_the_queue_but_leaves_running_it_to_the_first(
    tmp_path: Path,
) -> None:
    from gui.model import QueueModel, WindowModel

    path = tmp_path / "queue.sqlite"
    with JobStore(path) as store:
        for name in ("a", "b"):
            store.add(Settings(content=f"/p/{name}.jpg", style="/s/s.jpg"), queue="window")
    first = _holding(
        "from gui.model import QueueModel, WindowModel\n"
        f"queue = QueueModel(WindowModel(), {str(path)!r})\n"
        "queue.run_all()\n"
        "queue.begin_next()\n"
    )
    try:
        second = QueueModel(WindowModel(), path)
        try:
            assert second.held_by is not None and second.held_by.pid == first.pid
            # The first window's running job is not taken for a crashed one, nor run again.
            assert [j.state for j in second.jobs] == [RUNNING, WAITING]
            assert not second.run_all() and second.begin_next() is None
            _kill(first)
            assert second.run_all() and second.held_by is None  # taken over, tried again
            assert second.recovered == 1
            assert [j.state for j in second.jobs] == [WAITING, WAITING]
        finally:
            second.close()
    finally:
        _kill(first)

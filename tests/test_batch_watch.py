"""Watching a batch from the window, without Qt (gui/model/batch_watch.py): the batch's
store written by a JobStore as the command line writes it, read back as it changes; a
writer in the middle of a change never makes a look wait; a folder without a batch is
refused in one sentence."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from gui.model.batch_watch import BatchCounts, BatchWatch
from nst.batch.plan import BatchError
from nst.batch.runner import SHEET_NAME
from nst.batch.store import DONE, RUNNING, STORE_NAME, WAITING, JobStore, StoreError
from nst.settings import Settings

PHOTOS = ("tubingen.jpg", "chelsea.png")
STYLES = ("starry_night.jpg", "the_scream.jpg")


@pytest.fixture
def batch(tmp_path: Path) -> tuple[Path, JobStore]:
    """A batch folder of 2 x 2 items, its store open for writing (the command line's)."""
    folder = tmp_path / "batch_tubingen_001"
    folder.mkdir()
    store = JobStore(folder / STORE_NAME)
    for photo in PHOTOS:
        for style in STYLES:
            store.add(Settings(content=f"/photos/{photo}", style=f"/styles/{style}"), batch="")
    yield folder, store
    store.close()


def test_the_watch_sees_items_change_state(batch: tuple[Path, JobStore]) -> None:
    folder, store = batch
    watch = BatchWatch(folder)
    seen = watch.refresh()
    assert seen.items and not seen.sheet and not seen.unreadable
    assert [job.state for job in watch.jobs] == [WAITING] * 4
    assert watch.counts() == BatchCounts(total=4)
    assert watch.counts().left == 4 and watch.eta() is None
    assert not watch.refresh().items  # nothing changed since

    first, second, third, _ = (job.id for job in watch.jobs)
    store.start(first)
    assert watch.refresh().items
    assert watch.jobs[0].state == RUNNING and watch.counts().running == 1
    store.finish(first, DONE, ["tubingen_starry_night.png", "x.json"], {"total": 1.0}, 12.0)
    store.start(second)
    watch.refresh()
    assert watch.result_path(watch.jobs[0]) == folder / "tubingen_starry_night.png"
    assert watch.result_path(watch.jobs[1]) is None
    store.fail(second, "The content image cannot be read.", 0.5)
    store.start(third)
    watch.refresh()
    counts = watch.counts()
    assert (counts.done, counts.failed, counts.running, counts.left) == (1, 1, 1, 2)
    assert watch.jobs[1].reason == "The content image cannot be read."
    assert watch.eta() == pytest.approx(2 * 12.0)
    watch.close()
    watch.close()  # once is enough; a second close is harmless
    assert not watch.refresh().items  # closed: what was seen last stays


def test_a_rewritten_sheet_is_seen(batch: tuple[Path, JobStore]) -> None:
    folder, _store = batch
    watch = BatchWatch(folder)
    assert not watch.refresh().sheet  # none yet
    (folder / SHEET_NAME).write_bytes(b"one")
    assert watch.refresh().sheet
    assert not watch.refresh().sheet
    (folder / SHEET_NAME).write_bytes(b"a longer one")
    assert watch.refresh().sheet
    watch.close()


def test_a_writer_in_the_middle_of_a_change_never_makes_a_look_wait(
    batch: tuple[Path, JobStore],
) -> None:
    folder, store = batch
    watch = BatchWatch(folder)
    watch.refresh()
    writer = store._db  # the command line's connection, held in a write transaction
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE jobs SET state = ?", (DONE,))
    began = time.perf_counter()
    seen = watch.refresh()
    assert time.perf_counter() - began < 1.0  # JobStore waits up to 10 s for a lock
    assert not seen.items and not seen.unreadable  # the change is not committed yet
    writer.execute("COMMIT")
    assert watch.refresh().items and watch.counts().done == 4
    watch.close()


def test_the_watch_never_writes_the_store(batch: tuple[Path, JobStore]) -> None:
    folder, _store = batch
    reader = JobStore.read_only(folder / STORE_NAME)
    with pytest.raises(Exception, match="readonly"):
        reader._db.execute("UPDATE jobs SET state = 'done'")
    reader.close()


def test_a_folder_without_a_batch_is_refused_in_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(BatchError) as refused:
        BatchWatch(tmp_path)
    words = str(refused.value)
    assert words.endswith(".") and ". " not in words and "\n" not in words
    assert str(tmp_path) in words and STORE_NAME in words
    (tmp_path / STORE_NAME).write_bytes(b"not a database at all, but long enough" * 40)
    with pytest.raises(StoreError, match="cannot be read"):
        BatchWatch(tmp_path)


def test_how_long_an_item_has_run(batch: tuple[Path, JobStore]) -> None:
    folder, store = batch
    watch = BatchWatch(folder)
    watch.refresh()
    assert watch.running_for(watch.jobs[0]) is None  # waiting
    store.start(watch.jobs[0].id)
    watch.refresh()
    job = watch.jobs[0]
    started = datetime.strptime(job.updated, "%Y-%m-%dT%H:%M:%S%z")
    assert watch.running_for(job, started + timedelta(seconds=75)) == pytest.approx(75)
    assert 0 <= (watch.running_for(job) or 0) < 60
    watch.close()


def test_an_item_seen_running_a_moment_ago_still_counts_as_running(
    batch: tuple[Path, JobStore],
) -> None:
    # Between two items the command line writes batch.json and the sheet: no item runs
    # for that moment, and the batch must not look abandoned.
    folder, store = batch
    watch = BatchWatch(folder)
    watch.refresh()
    assert not watch.running_lately()  # never seen running
    first = watch.jobs[0].id
    store.start(first)
    watch.refresh()
    seen = time.monotonic()
    store.finish(first, DONE, ["a.png", "a.json"], {}, 1.0)
    watch.refresh()
    assert watch.counts().running == 0
    assert watch.running_lately(within=3.0, now=seen + 2.0)
    assert not watch.running_lately(within=3.0, now=seen + 10.0)
    watch.close()


def test_a_look_that_cannot_read_keeps_what_it_saw(
    batch: tuple[Path, JobStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _store = batch
    watch = BatchWatch(folder)
    watch.refresh()

    def locked(**_where: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(watch.store, "jobs", locked)
    seen = watch.refresh()
    assert not seen.items and len(watch.jobs) == 4
    assert seen.unreadable == "The batch's store cannot be read just now (database is locked)."
    monkeypatch.undo()
    assert not watch.refresh().unreadable
    watch.close()

"""The window's queue without Qt (issue 20): add, order, remove, retry, run all; the jobs
survive a restart and a killed process; a failing job does not stop the next; nothing
done is run again and no result is written twice. One test runs the real engine."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gui.model import (
    FolderRefused,
    Job,
    JobOutcome,
    JobsChanged,
    JobStep,
    NotReady,
    QueueModel,
    WindowModel,
)
from gui.model.queue import QUEUE_FILE
from nst.batch.store import DONE, FAILED, RUNNING, STOPPED, WAITING, JobStore
from nst.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _run_through(queue: QueueModel, runner: Callable[[Job], JobOutcome]) -> None:
    """Run every waiting job with ``runner``, one after another, on this thread (what
    gui/workers/queue_control.py does with a worker thread per job)."""
    if not queue.run_all():
        return
    while (job := queue.begin_next()) is not None:
        queue.end_job(job.id, runner(job))


@pytest.fixture
def model(tmp_path: Path, content_path: str, style_path: str) -> WindowModel:
    settings = Settings(content=content_path, style=style_path, size=32, iterations=2)
    return WindowModel(settings, folder=str(tmp_path / "out"))


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / QUEUE_FILE


@pytest.fixture
def queue(model: WindowModel, store_path: Path) -> Any:
    opened = QueueModel(model, store_path)
    yield opened
    opened.close()


def _names(queue: QueueModel) -> list[str]:
    return [Path(j.content).stem for j in queue.jobs]


def _states(queue: QueueModel) -> list[str]:
    return [j.state for j in queue.jobs]


def _add(queue: QueueModel, model: WindowModel, *paths: str) -> list[int]:
    ids = []
    for path in paths:
        model.set_field("content", path)
        job_id = queue.add_current()
        assert isinstance(job_id, int), job_id
        ids.append(job_id)
    return ids


def _three(samples: Path) -> list[str]:
    return [str(samples / n) for n in ("astronaut.png", "chelsea.png", "coffee.png")]


def _done(job: Job) -> JobOutcome:
    return JobOutcome(DONE, [f"{Path(job.content).stem}_001.png"], {"total": 1.0}, 0.5)


def test_adding_the_current_request_and_its_announcement(
    queue: QueueModel, model: WindowModel, tmp_path: Path, samples: Path
) -> None:
    model.set_field("content", str(samples / "chelsea.png"))
    changes: list[Any] = []
    model.subscribe(changes.append)
    job_id = queue.add_current()
    assert changes == [JobsChanged(queue.jobs, running=False, current=None)]
    (job,) = queue.jobs
    assert job.id == job_id and job.state == WAITING
    assert job.folder == str(tmp_path / "out") and job.settings.size == 32
    model.set_folder("")  # no output folder: not added, and the model says why
    assert queue.add_current() == NotReady(missing=("output_folder",))
    assert len(queue.jobs) == 1


def test_a_sweep_going_on_does_not_keep_a_job_out(queue: QueueModel, model: WindowModel) -> None:
    model.set_sweep_running(True)
    assert isinstance(queue.add_current(), int)
    assert model.readiness() is not None  # but Run still waits for the sweep


def test_move_remove_and_retry(queue: QueueModel, model: WindowModel, samples: Path) -> None:
    a, b, c = _add(queue, model, *_three(samples))
    assert not queue.can_move(a, -1) and not queue.can_move(c, 1)
    assert queue.move(c, -1) and _names(queue) == ["astronaut", "coffee", "chelsea"]
    assert queue.move(a, 1) and _names(queue) == ["coffee", "astronaut", "chelsea"]
    assert not queue.move(b, 1)
    assert not queue.can_retry(a)  # waiting: nothing to retry
    assert queue.remove(a) and _names(queue) == ["coffee", "chelsea"]
    assert queue.run_all()
    job = queue.begin_next()
    assert job is not None and job.id == c and _states(queue) == [RUNNING, WAITING]
    assert not queue.can_remove(c) and not queue.remove(c)
    queue.end_job(c, JobOutcome(FAILED, reason="The content image cannot be read.", seconds=0.1))
    assert queue.can_retry(c) and queue.retry(c)
    assert queue.job(c).state == WAITING and not queue.job(c).reason


def test_a_folder_of_photos_is_a_job_each(
    queue: QueueModel, model: WindowModel, tmp_path: Path, samples: Path
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("chelsea.png", "tubingen.jpg"):
        shutil.copy(samples / name, photos / name)
    (photos / "notes.txt").write_text("not a photo")
    model.set_field("content", "")  # the chosen photo is not needed
    ids = queue.add_folder(str(photos))
    assert isinstance(ids, list) and len(ids) == 2
    assert _names(queue) == ["chelsea", "tubingen"]
    assert {j.style for j in queue.jobs} == {model.settings.style}
    empty = tmp_path / "empty"
    empty.mkdir()
    assert queue.add_folder(str(empty)) == FolderRefused(str(empty), no_photos=True)
    model.set_field("method", "texture")
    assert queue.add_folder(str(photos)) == FolderRefused(str(photos), texture=True)
    model.set_field("style", "")
    assert queue.add_folder(str(photos)) == NotReady(missing=("style",))


def test_a_failing_job_does_not_stop_the_next(
    queue: QueueModel, model: WindowModel, samples: Path
) -> None:
    _add(queue, model, *_three(samples))
    ran: list[str] = []
    steps: list[Any] = []
    model.subscribe(lambda c: steps.append(c) if isinstance(c, JobStep) else None)

    def runner(job: Job) -> JobOutcome:
        ran.append(Path(job.content).stem)
        assert model.queue_running and model.current_job == job.id
        assert model.readiness() == NotReady(queue_running=True)  # Run waits
        queue.step(job.id, 1, 2)
        if "chelsea" in job.content:
            return JobOutcome(FAILED, reason="The content image cannot be read.", seconds=0.1)
        return _done(job)

    _run_through(queue, runner)
    assert ran == ["astronaut", "chelsea", "coffee"]
    assert _states(queue) == [DONE, FAILED, DONE]
    assert queue.jobs[1].reason == "The content image cannot be read."
    assert len(steps) == 3 and not queue.running and model.readiness() is None
    _run_through(queue, runner)  # nothing waits: nothing done runs again
    assert ran == ["astronaut", "chelsea", "coffee"]


def test_stop_ends_the_queue_after_the_running_job(
    queue: QueueModel, model: WindowModel, samples: Path
) -> None:
    a, b = _add(queue, model, str(samples / "astronaut.png"), str(samples / "chelsea.png"))
    assert queue.run_all()
    job = queue.begin_next()
    assert job is not None
    queue.stop()
    assert queue.running  # the job still runs until the worker stops it
    queue.end_job(job.id, JobOutcome(STOPPED, ["astronaut_001.png"], {}, 0.2))
    assert not queue.running and queue.begin_next() is None
    assert _states(queue) == [STOPPED, WAITING]


def test_the_jobs_survive_a_restart(
    model: WindowModel, store_path: Path, samples: Path, style_path: str
) -> None:
    first = QueueModel(model, store_path)
    a, b, c = _add(first, model, *_three(samples))
    first.move(c, -2)
    first.run_all()
    job = first.begin_next()
    first.end_job(job.id, _done(job))
    first.begin_next()  # the window closes while the next job runs: it waits again
    first.close()
    again = WindowModel(Settings(style=style_path))
    second = QueueModel(again, store_path)
    try:
        assert second.recovered == 0  # closing put it back (a crash: recover(), below)
        assert _names(second) == ["coffee", "astronaut", "chelsea"]
        assert _states(second) == [DONE, WAITING, WAITING]  # offered again from the start
        assert second.jobs[0].files == ["coffee_001.png"]  # nothing done is lost
        assert again.jobs == second.jobs and not second.running
    finally:
        second.close()


def test_a_killed_process_leaves_its_running_job_to_run_again(
    model: WindowModel, store_path: Path, samples: Path
) -> None:
    queue = QueueModel(model, store_path)
    _add(queue, model, str(samples / "astronaut.png"), str(samples / "chelsea.png"))
    queue.close()
    # A window that starts the first job and is killed mid-run (SIGKILL: no cleanup).
    script = (
        "import os, signal\n"
        "from gui.model import QueueModel, WindowModel\n"
        f"queue = QueueModel(WindowModel(), {str(store_path)!r})\n"
        "queue.run_all()\n"
        "queue.begin_next()\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script], cwd=ROOT)
    assert killed.returncode != 0
    with JobStore(store_path) as store:
        assert [j.state for j in store.jobs(batch=None, queue="window")] == [RUNNING, WAITING]
    queue = QueueModel(model, store_path)
    try:
        assert queue.recovered == 1 and _states(queue) == [WAITING, WAITING]
        ran: list[int] = []
        _run_through(queue, lambda job: ran.append(job.id) or _done(job))
        assert len(ran) == 2 and _states(queue) == [DONE, DONE]
    finally:
        queue.close()


@pytest.mark.slow  # real runs of the engine
@pytest.mark.parametrize("runs_in", ["the window", "a process of its own"])
def test_the_real_engine_runs_the_queue_and_a_retry_writes_a_new_file(
    queue: QueueModel,
    model: WindowModel,
    tmp_path: Path,
    samples: Path,
    weights: Any,
    runs_in: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nst.batch.queue import run_job
    from nst.cluster import item
    from nst.errors import NstError
    from nst.run.outcome import stem_for
    from nst.run.series import SessionSeries

    if runs_in == "a process of its own":  # as a job with a stage in tiles (nst/run/child.py)
        monkeypatch.setattr(item, "plan_for_run", lambda *_: ({}, True))

    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    good, bad = _add(queue, model, str(samples / "chelsea.png"), str(broken))
    _add(queue, model, str(samples / "coffee.png"))

    def runner(job: Job) -> JobOutcome:
        try:
            result = run_job(job, SessionSeries(), weights=weights)
        except NstError as exc:
            return JobOutcome(FAILED, reason=str(exc))
        return JobOutcome(result.state, result.files, result.losses, result.seconds)

    _run_through(queue, runner)
    assert _states(queue) == [DONE, FAILED, DONE]
    assert "broken.jpg" in queue.job(bad).reason
    out = tmp_path / "out"
    stem = stem_for(queue.job(good).settings)
    assert queue.job(good).files == [f"{stem}_001.png", f"{stem}_001.json"]
    first = (out / f"{stem}_001.png").read_bytes()
    assert queue.retry(good)
    _run_through(queue, runner)
    assert queue.job(good).files == [f"{stem}_002.png", f"{stem}_002.json"]
    assert (out / f"{stem}_001.png").read_bytes() == first  # never overwritten
    assert queue.job(bad).state == FAILED  # not retried: not run again


def test_where_the_queue_and_sweeps_run_is_one_value_both_tabs_hear() -> None:
    from gui.model.where_runs import THIS_COMPUTER, Placement, WhereRuns
    from nst.cluster.connect import AUTO

    where = WhereRuns()
    assert where.placement == THIS_COMPUTER and not where.placement.ray
    heard: list[list[Placement]] = [[], []]
    for listener in heard:  # the Queue tab's box and the Sweep tab's
        where.subscribe(listener.append)
    where.set_ray(True)
    where.set_address(" 10.0.0.5:6379 ")
    where.set_address(" 10.0.0.5:6379 ")  # the same again: no change to tell
    assert heard[0] == heard[1] == [Placement(True, ""), Placement(True, " 10.0.0.5:6379 ")]
    assert where.placement.cluster_address == "10.0.0.5:6379"
    for empty in ("", "  ", "auto", "AUTO"):
        assert Placement(True, empty).cluster_address == AUTO  # a cluster on this machine
    where.set_ray(False)
    assert where.placement == Placement(False, " 10.0.0.5:6379 ")  # the address is kept


def test_on_a_ray_cluster_every_waiting_job_runs_at_once_and_a_stopped_one_waits_again(
    queue: QueueModel, model: WindowModel, samples: Path, store_path: Path
) -> None:
    ids = _add(queue, model, *_three(samples))
    assert queue.run_all()
    jobs = queue.begin_all()
    assert [j.id for j in jobs] == ids and _states(queue) == [RUNNING] * 3
    assert queue.begin_all() == [] and queue.begin_next() is None  # taken already
    assert model.queue_running and model.current_job == ids[0]
    queue.end_job(ids[1], _done(jobs[1]))  # they finish in any order
    queue.stop()  # Stop: the tasks not finished are cancelled ...
    assert queue.stopping
    queue.put_back(ids[0])
    queue.put_back(ids[2])
    assert _states(queue) == [WAITING, DONE, WAITING]  # ... and their jobs wait again
    assert not queue.running and model.current_job is None
    queue.run_all()
    assert [j.id for j in queue.begin_all()] == [ids[0], ids[2]]
    queue.close()  # the window closes meanwhile: they wait for the next session
    with JobStore(store_path) as store:
        assert [j.state for j in store.jobs(queue="window")] == [WAITING, DONE, WAITING]

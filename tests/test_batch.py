"""Batches (issue 20): the job store a killed process cannot corrupt, the plan of items,
running and resuming a batch, and the command line's words and exit statuses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from nst.batch.plan import BatchError, expand, plan_items
from nst.batch.runner import (
    INDEX_NAME,
    SHEET_NAME,
    BatchRun,
    ItemDone,
    ItemStep,
    create_batch,
)
from nst.batch.store import DONE, FAILED, RUNNING, STOPPED, STORE_NAME, WAITING, JobStore
from nst.settings import Settings

# 32 px and 2 steps: every item is a real run of the engine, in well under a second.
TINY = {"size": 32, "iterations": 2}
TINY_ARGS = ["--size", "32", "--iterations", "2"]


@pytest.fixture
def photos(tmp_path: Path, samples: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy(samples / "tubingen.jpg", folder / "a_tubingen.jpg")
    shutil.copy(samples / "chelsea.png", folder / "b_chelsea.png")
    (folder / "notes.txt").write_text("not an image")
    return folder


def _styles(samples: Path) -> list[str]:
    return [str(samples / "starry_night.jpg"), str(samples / "the_scream.jpg")]


def _pngs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.png") if p.name != SHEET_NAME)


# --------------------------------------------------------------------------- the store


def test_the_store_survives_a_killed_process(tmp_path: Path) -> None:
    path = tmp_path / STORE_NAME
    with JobStore(path) as store:
        first = store.add(Settings(content="a.jpg", style="s.jpg"), batch="")
        second = store.add(Settings(content="b.jpg", style="s.jpg"), batch="")
        store.finish(first, DONE, ["a_s_001.png"], {"total": 1.5}, 2.0)
    # A process that marks the second job running, then is killed in the middle of its
    # next transaction (SIGKILL: no cleanup of any kind).
    script = (
        "import os, signal, sys\n"
        "from nst.batch.store import JobStore\n"
        f"store = JobStore({str(path)!r})\n"
        f"store.start({second})\n"
        "store._db.execute('BEGIN IMMEDIATE')\n"
        "store._db.execute(\"UPDATE jobs SET state = 'done', reason = 'half'\")\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent.parent)
    assert done.returncode != 0
    with JobStore(path) as store:
        jobs = store.jobs(batch="")
        assert [j.state for j in jobs] == [DONE, RUNNING]  # the half transaction is gone
        assert jobs[0].files == ["a_s_001.png"] and jobs[0].losses == {"total": 1.5}
        assert jobs[1].settings.content == "b.jpg" and not jobs[1].reason
        assert store.recover(batch="") == 1
        assert [j.state for j in store.jobs(batch="")] == [DONE, WAITING]


def test_a_queue_shares_the_store_with_batches(tmp_path: Path) -> None:
    with JobStore(tmp_path / STORE_NAME) as store:
        store.add(Settings(content="a.jpg", style="s.jpg"), batch="")
        job = store.add(Settings(content="q.jpg", style="s.jpg"), batch=None, queue="window")
        store.fail(job, "The content image 'q.jpg' cannot be read.")
        queued = store.jobs(batch=None, queue="window")
        assert [j.content for j in queued] == ["q.jpg"] and queued[0].state == FAILED
        assert [j.content for j in store.jobs(batch="")] == ["a.jpg"]


# --------------------------------------------------------------------------- the plan


def test_the_plan_expands_files_folders_and_globs(photos: Path, samples: Path) -> None:
    by_folder = expand([str(photos)], "content")
    assert [Path(p).name for p in by_folder] == ["a_tubingen.jpg", "b_chelsea.png"]
    by_glob = expand([str(photos / "b_*"), str(photos / "a_tubingen.jpg")], "content")
    assert [Path(p).name for p in by_glob] == ["b_chelsea.png", "a_tubingen.jpg"]
    assert expand([str(photos), str(photos / "a_*")], "content") == by_folder  # once each
    styles = _styles(samples)
    items = plan_items(by_folder, styles, texture=False)
    assert [(Path(c).name[0], Path(s).name[0]) for c, s in items] == [
        ("a", "s"),
        ("a", "t"),
        ("b", "s"),
        ("b", "t"),
    ]
    assert plan_items(by_folder, styles, texture=True) == [("", s) for s in styles]
    with pytest.raises(BatchError, match="No style image is at") as caught:
        expand([str(photos / "z*.jpg")], "style")
    assert caught.value.role == "style"


# --------------------------------------------------------------------------- running


@pytest.mark.slow  # real runs of the engine
def test_a_2x2_batch_writes_results_index_and_sheet(
    photos: Path, samples: Path, tmp_path: Path
) -> None:
    base = Settings(content=str(photos / "a_tubingen.jpg"), style=_styles(samples)[0], **TINY)
    folder = create_batch(
        base, expand([str(photos)], "content"), _styles(samples), tmp_path / "out"
    )
    assert folder == tmp_path / "out" / "batch_a_tubingen_starry_night_001"
    run = BatchRun(folder)
    events = list(run.events())
    run.close()
    assert sum(isinstance(e, ItemStep) for e in events) == 4 * 2
    last = events[-1]
    assert isinstance(last, ItemDone) and (last.done, last.failed, last.count) == (4, 0, 4)
    assert last.eta == 0
    pngs = _pngs(folder)
    assert len(pngs) == 4 and all(p.with_suffix(".json").is_file() for p in pngs)
    recipe = json.loads(pngs[0].with_suffix(".json").read_text())
    assert recipe["settings"]["iterations"] == 2 and recipe["batch"]["index_file"] == INDEX_NAME
    index = json.loads((folder / INDEX_NAME).read_text())
    assert [i["state"] for i in index["items"]] == [DONE] * 4
    assert {i["files"][0] for i in index["items"]} == {p.name for p in pngs}
    assert all(i["final_losses"]["total"] > 0 and i["seconds"] > 0 for i in index["items"])
    sheet = Image.open(folder / SHEET_NAME)
    assert sheet.width > 2 * 128 and sheet.height > 2 * 64  # two styles across, two photos down


@pytest.mark.slow  # real runs of the engine
def test_a_stopped_batch_resumes_without_redoing_finished_items(
    photos: Path, samples: Path, tmp_path: Path
) -> None:
    base = Settings(content=str(photos / "a_tubingen.jpg"), style=_styles(samples)[0], **TINY)
    contents = [str(photos / "a_tubingen.jpg")]
    folder = create_batch(base, contents, _styles(samples), tmp_path)
    run = BatchRun(folder)
    for event in run.events():
        if isinstance(event, ItemDone):
            run.stop()  # after the first item: the second never starts
    run.close()
    first = _pngs(folder)
    assert len(first) == 1
    stamp = first[0].stat().st_mtime_ns
    index = json.loads((folder / INDEX_NAME).read_text())
    assert [i["state"] for i in index["items"]] == [DONE, WAITING]

    # A process killed in the middle of the second item left it running: it runs again.
    with JobStore(folder / STORE_NAME) as store:
        store.start(store.jobs(batch="")[1].id)
    resumed = BatchRun(folder)
    assert resumed.recovered == 1
    started = [e.job.position for e in resumed.events() if isinstance(e, ItemDone)]
    resumed.close()
    assert started == [1]  # only the item that was not done
    assert len(_pngs(folder)) == 2 and first[0].stat().st_mtime_ns == stamp
    index = json.loads((folder / INDEX_NAME).read_text())
    assert [i["state"] for i in index["items"]] == [DONE, DONE]


@pytest.fixture(params=["here", "own process"])
def items_run(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Where a batch's items run: in this process, or each in a process of its own, as an
    item with a stage in tiles does (nst/run/child.py). The ChildTransfers made."""
    from nst.cluster import item
    from nst.run import child

    made: list[Any] = []
    if request.param == "own process":

        class Counted(child.ChildTransfer):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                made.append(self)

        monkeypatch.setattr(item, "plan_for_run", lambda *_: ({}, True))
        monkeypatch.setattr(child, "ChildTransfer", Counted)
    return made


@pytest.mark.slow  # real runs of the engine
def test_a_stop_in_the_middle_of_an_item_keeps_its_best_image(
    samples: Path, tmp_path: Path, items_run: list[Any]
) -> None:
    base = Settings(content=str(samples / "tubingen.jpg"), style=_styles(samples)[0], **TINY)
    folder = create_batch(base, [base.content], _styles(samples)[:2], tmp_path)
    run = BatchRun(folder)
    for event in run.events():
        if isinstance(event, ItemStep) and event.job.position == 1:
            run.stop()  # in the second item: the first is done
    first, second = run.jobs
    run.close()
    assert first.state == DONE and second.state == STOPPED
    assert all((folder / job.files[0]).is_file() for job in (first, second))
    assert len(items_run) in (0, 2)  # an item each, in a process of its own
    assert all(not made._process.is_alive() for made in items_run)  # each closed


@pytest.mark.slow  # real runs of the engine
def test_a_broken_photo_fails_alone_with_its_reason(
    photos: Path, samples: Path, tmp_path: Path
) -> None:
    (photos / "c_broken.jpg").write_bytes(b"this is not a JPEG")
    base = Settings(content=str(photos / "a_tubingen.jpg"), style=_styles(samples)[0], **TINY)
    folder = create_batch(base, expand([str(photos)], "content"), _styles(samples), tmp_path)
    run = BatchRun(folder)
    list(run.events())
    run.close()
    index = json.loads((folder / INDEX_NAME).read_text())
    states = [(Path(i["content"]).name, i["state"]) for i in index["items"]]
    assert [s for n, s in states if n == "c_broken.jpg"] == [FAILED, FAILED]
    assert [s for n, s in states if n != "c_broken.jpg"] == [DONE] * 4
    reasons = [i["reason"] for i in index["items"] if i["state"] == FAILED]
    assert all("c_broken.jpg" in r and r.count(". ") == 0 for r in reasons)
    assert len(_pngs(folder)) == 4

    # A resume tries the failed items again (the photo may have been fixed) and only them.
    again = BatchRun(folder)
    tried = [e.job.content for e in again.events() if isinstance(e, ItemDone)]
    again.close()
    assert [Path(c).name for c in tried] == ["c_broken.jpg"] * 2 and len(_pngs(folder)) == 4


# --------------------------------------------------------------------------- the command line


def _cli(argv: list[str], capsys: Any) -> tuple[int, str, str]:
    from nst_cli.main import main

    code = main(["batch", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow  # real runs of the engine
def test_cli_batch_statuses_ctrl_c_and_resume(
    photos: Path, samples: Path, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    import nst_cli.batch as cli

    out_dir = tmp_path / "out"
    styles = [str(samples / "starry_*.jpg")]
    shown = cli._BatchPrinter.__call__

    def interrupt_after_the_first(self: Any, event: Any) -> None:
        shown(self, event)
        if isinstance(event, ItemDone):
            raise KeyboardInterrupt

    monkeypatch.setattr(cli._BatchPrinter, "__call__", interrupt_after_the_first)
    code, out, err = _cli(
        ["--content", str(photos), "--style", *styles, "--output-dir", str(out_dir), *TINY_ARGS],
        capsys,
    )
    assert code == 130, err
    folder = Path(out.strip().splitlines()[-1])
    assert "interrupted: resume with" in err and len(_pngs(folder)) == 1
    assert (folder / SHEET_NAME).is_file()
    monkeypatch.undo()

    code, out, err = _cli(["--resume", str(folder)], capsys)
    assert code == 0, err
    assert "batch of 2 items" in err and "(1 done already)" in err and len(_pngs(folder)) == 2

    (photos / "c_broken.jpg").write_bytes(b"broken")
    code, out, err = _cli(
        ["--content", str(photos), "--style", *styles, "--output-dir", str(out_dir), *TINY_ARGS],
        capsys,
    )
    assert code == 1
    assert Path(out.strip().splitlines()[-1]).name.endswith("_002")
    assert "error: 1 of 3 items failed" in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--output-dir", "OUT"], "error: --style required"),
        (
            ["--style", "nowhere/*.jpg", "--content", "x.jpg"],
            "error: --style: No style image is at",
        ),
        (["--resume", "OUT"], "error: The folder 'OUT' holds no batch"),
        (["--bogus"], "see python -m nst batch --help"),
        (
            [
                "--content",
                "PHOTO",
                "--style",
                "PHOTO",
                "--weights",
                "OUT/none.h5",
                "--output-dir",
                "OUT",
            ],
            "error: The weights file",
        ),
        (["--resume", "OUT", "--size", "64"], "error: --resume runs an earlier batch with its own"),
    ],
)
def test_cli_bad_batches_end_with_one_line(
    args: list[str], words: str, tmp_path: Path, capsys: Any
) -> None:
    photo = str(Path(__file__).parent.parent / "gui" / "samples" / "chelsea.png")
    args = [a.replace("OUT", str(tmp_path)).replace("PHOTO", photo) for a in args]
    code, out, err = _cli(args, capsys)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [err.strip()] and words.replace("OUT", str(tmp_path)) in err
    assert not list(tmp_path.glob("batch_*"))  # nothing left behind to resume


def test_cli_a_read_only_output_folder_is_one_sentence(
    photos: Path, samples: Path, read_only_folder: Path, capsys: Any
) -> None:
    locked = read_only_folder
    style = str(samples / "the_scream.jpg")
    options = ["--output-dir", str(locked), *TINY_ARGS]
    code, out, err = _cli(["--content", str(photos), "--style", style, *options], capsys)
    assert code == 2 and err.strip().startswith("error: The output folder")
    assert "not writable" in err and len(err.strip().splitlines()) == 1
    assert list(locked.iterdir()) == []


@pytest.mark.slow  # a real process, killed
def test_a_killed_batch_resumes_without_redoing_finished_items(
    samples: Path, tmp_path: Path, capsys: Any
) -> None:
    import signal

    root = Path(__file__).resolve().parent.parent
    argv = [
        sys.executable,
        "-m",
        "nst",
        "batch",
        "--content",
        str(samples / "tubingen.jpg"),
        "--style",
        *_styles(samples),
        "--output-dir",
        str(tmp_path),
        *TINY_ARGS,
    ]
    process = subprocess.Popen(argv, cwd=root, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    folder = None
    for line in process.stderr:  # killed (SIGKILL: no cleanup) once the first item is done
        if line.startswith("batch of 2 items into "):
            folder = Path(line.split(" into ", 1)[1].split(" (")[0])
        if line.startswith("item 1/2") and ": done in " in line:
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    assert process.returncode == -signal.SIGKILL and folder is not None
    first = _pngs(folder)
    assert len(first) == 1
    stamp = first[0].stat().st_mtime_ns

    code, out, err = _cli(["--resume", str(folder)], capsys)
    assert code == 0, err
    assert "(1 done already)" in err and "item 1/2" not in err
    assert len(_pngs(folder)) == 2 and first[0].stat().st_mtime_ns == stamp
    index = json.loads((folder / INDEX_NAME).read_text())
    assert [i["state"] for i in index["items"]] == [DONE, DONE]

"""The window keeps a long run's checkpoint (nst/run/checkpoint.py) and goes on from it:
Stop leaves it beside the saved result, Run > Resume an unfinished run finishes the run
and removes it."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from gui.main_window import MainWindow
from gui.workers import run_worker
from nst.run import checkpoint as checkpoints
from tests.gui_helpers import RUN_TIMEOUT_MS, pick, saved_files, start, tiny

UNFINISHED = "tubingen_starry_night_unfinished_001"


@pytest.mark.parametrize("resumed_in", ["the window", "a process of its own"])
def test_a_stopped_long_run_is_resumed_to_its_end(
    qtbot: Any,
    window: MainWindow,
    out_dir: Path,
    content_path: str,
    style_path: str,
    monkeypatch: Any,
    resumed_in: str,
) -> None:
    monkeypatch.setattr(checkpoints, "CHECKPOINT_SECONDS", 0.0)  # every step is "long"
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=8)

    def stop_at_third(record: Any) -> None:
        if record.step == 3:
            window.runner.stop_run()

    start(qtbot, window, stop_at_third)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    recipe = out_dir / f"{UNFINISHED}.json"
    assert f"{UNFINISHED}.npz" in saved_files(out_dir)
    step = json.loads(recipe.read_text())["checkpoint"]["step"]
    assert step >= 3  # the stop came at step 3; the worker may have made one more

    window.controls.iterations_box.setValue(300)  # the recipe's settings are what run
    if resumed_in == "a process of its own":  # as a run in tiles goes (nst/run/child.py)
        monkeypatch.setattr(run_worker, "plan_for_run", lambda *_: ({}, True))
    records: list[Any] = []
    window.run_started.connect(lambda worker: worker.progress.connect(records.append))
    assert window.runner.resume_run(str(recipe))
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)

    assert [r.step for r in records] == list(range(step + 1, 9))
    outcome = window.result_panel.outcome
    assert outcome.result is not None and not outcome.stopped and outcome.result.steps == 8
    assert window.current_settings().iterations == 8
    assert f"{UNFINISHED}.json" not in saved_files(out_dir)
    assert f"{UNFINISHED}.npz" not in saved_files(out_dir)
    assert "tubingen_starry_night_002.png" in saved_files(out_dir)  # beside the stopped one


@pytest.mark.slow
def test_a_fresh_window_resumes_once_the_runs_images_have_loaded(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str, weights
) -> None:
    # Run > Resume in a window just opened: the recipe's images load first (the window
    # said nothing and ran nothing before: Run was not ready while they loaded).
    from nst.run.checkpoint import CheckpointFiles
    from nst.run.session import Transfer
    from nst.settings import Settings

    settings = Settings(content=content_path, style=style_path, size=32, iterations=4)
    first = Transfer(settings, weights=weights)
    for progress in first.steps():
        if progress.step == 2:
            first.stop()
    out_dir.mkdir(exist_ok=True)
    recipe = CheckpointFiles.for_run(out_dir, settings).write(settings, first.checkpoint())

    records: list[Any] = []
    window.run_started.connect(lambda worker: worker.progress.connect(records.append))
    assert window.model.image("content") is None  # nothing loaded yet
    assert window.runner.resume_run(str(recipe))
    qtbot.waitUntil(lambda: bool(records) and not window.is_running, timeout=RUN_TIMEOUT_MS)
    assert [r.step for r in records] == [3, 4]
    assert window.result_panel.outcome.result.steps == 4
    assert f"{UNFINISHED}.json" not in saved_files(out_dir)


def test_a_file_that_is_not_an_unfinished_run_is_refused_in_a_message(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: Any
) -> None:
    messages: list[str] = []
    monkeypatch.setattr(window, "show_message", lambda title, text, *a: messages.append(text))
    assert not window.runner.resume_run(str(tmp_path / "missing.json"))
    assert messages and "missing.json" in messages[0]


def test_a_run_whose_own_process_is_killed_fails_in_a_sentence_that_says_how_to_go_on(
    qtbot: Any,
    window: MainWindow,
    out_dir: Path,
    content_path: str,
    style_path: str,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(checkpoints, "CHECKPOINT_SECONDS", 0.0)  # every step is "long"
    monkeypatch.setattr(run_worker, "plan_for_run", lambda *_: ({}, True))  # as in tiles
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=300)

    def kill_at_second(record: Any) -> None:
        session = window.runner.worker._engine  # the ChildTransfer, while it runs
        if record.step == 2:  # as the system does when memory runs out
            os.kill(session._process.pid, signal.SIGKILL)

    start(qtbot, window, kill_at_second)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    title, text = window.last_message
    assert title == "The run failed" and "was killed" in text and "\n" not in text
    assert run_worker.RESUME_WORDS in text
    assert f"{UNFINISHED}.json" in saved_files(out_dir)  # what Resume goes on from

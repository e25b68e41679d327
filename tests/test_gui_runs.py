"""GUI tests with real runs: the real worker, engine and weights on tiny images (48 px);
the first one pays for importing TensorFlow and loading the weights, the others reuse
them. Also `make run`'s start-up with a photo and a painting.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PyQt5.QtCore import Qt, QThread
from PyQt5.QtGui import QGuiApplication

from gui import app_settings
from gui.main_window import MainWindow
from gui.workers.run_worker import RunOutcome, RunWorker
from nst.settings import (
    DEFAULT_LEARNING_RATES,
    Settings,
)
from tests.gui_helpers import RUN_TIMEOUT_MS, pick, saved_files, start, tiny

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.usefixtures("isolated_home")]

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- real runs


def test_a_real_run_saves_its_result(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=3)
    records = start(qtbot, window)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)

    assert [r.step for r in records] == [1, 2, 3]
    assert all(r.image is None for r in records)  # images travel by `preview` only
    assert window.last_message is None
    outcome = window.result_panel.outcome
    assert outcome.result is not None and not outcome.stopped
    assert max(outcome.result.image.shape[:2]) == 48
    files = saved_files(out_dir)
    assert files == ["tubingen_starry_night_001.json", "tubingen_starry_night_001.png"]
    recipe = json.loads((out_dir / files[0]).read_text())
    assert recipe["settings"]["iterations"] == 3
    assert outcome.saved_path == str(out_dir / files[1])
    assert window.run_button.text() == "Run" and window.run_button.isEnabled()
    assert window.result_panel.result_view.image() is not None
    assert window.act_save_as.isEnabled() and not window.act_save.isEnabled()
    engine = window.model.run_state.engine  # where the run says it ran, and how
    assert engine is not None and engine.precision is not None
    used = f"Device: {engine.device} · {engine.precision.used}"
    assert window.status_panel.device_label.text().startswith(used)
    assert len(window.result_panel.loss_plot.steps) == 3

    window.result_panel.copy_result()
    assert QGuiApplication.clipboard().image().width() == outcome.result.image.shape[1]
    saved = window.result_panel.save_result_to(str(out_dir / "copy.jpg"))
    assert saved is not None and saved.exists() and (out_dir / "copy.json").exists()


def test_stop_mid_run_saves_the_best_image(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=200)
    stopped_at: list[int] = []

    def stop_on_second(record: Any) -> None:
        if record.step == 2 and not stopped_at:
            stopped_at.append(record.step)
            qtbot.keyClick(window, Qt.Key_Escape)  # Esc stops

    window.activateWindow()
    qtbot.waitActive(window)
    records = start(qtbot, window, stop_on_second)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)

    assert stopped_at, "the run ended before its second step"
    outcome = window.result_panel.outcome
    assert outcome.result is not None and outcome.stopped
    # Stop ended it where the window last heard from it: no step after the last reported.
    assert outcome.result.steps == records[-1].step >= stopped_at[0]
    assert saved_files(out_dir) == [  # saved as the command line saves on Ctrl+C
        "tubingen_starry_night_001.json",
        "tubingen_starry_night_001.png",
    ]
    assert "not saved" not in window.result_panel.result_view.caption()
    assert not window.act_save.isEnabled()


def test_closing_during_a_run_stops_it_and_waits(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=500)
    records = start(qtbot, window)
    thread: QThread = window.runner.thread
    ended: list[bool] = []
    thread.finished.connect(lambda: ended.append(thread.isFinished()))
    qtbot.waitUntil(lambda: len(records) >= 1, timeout=RUN_TIMEOUT_MS)
    window.close()
    assert window.isVisible()  # it waits for the step in progress, without freezing
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
    assert ended == [True]
    assert not window.is_running
    assert records[-1].step < 500
    assert len(saved_files(out_dir)) == 2  # the stopped run's best image, kept
    assert window.last_message is None  # no message box while closing


def test_engine_errors_show_one_sentence_and_the_app_stays_usable(
    qtbot: Any, window: MainWindow, tmp_path: Path, style_path: str
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes((ROOT / "gui" / "samples" / "tubingen.jpg").read_bytes())
    pick(qtbot, window, str(photo), style_path)
    tiny(window)
    photo.write_bytes(b"")  # the file goes bad after it was picked
    start(qtbot, window)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    title, text = window.last_message
    assert title == "The run failed" and "photo.jpg" in text and "\n" not in text
    assert window.run_button.isEnabled() and window.run_button.text() == "Run"


def test_unexpected_worker_errors_are_caught(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, content_path: str, style_path: str, out_dir: Path
) -> None:
    import gui.workers.run_worker

    def broken(path: str | None) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(gui.workers.run_worker, "_weights_for", broken)
    worker = RunWorker(
        Settings(content=content_path, style=style_path, size=48, iterations=2), str(out_dir)
    )
    with qtbot.waitSignal(worker.failed, timeout=RUN_TIMEOUT_MS) as blocker:
        worker.run()  # on this thread: the error handling is what is under test
    assert "ZeroDivisionError" in blocker.args[0] and "log" in blocker.args[0]


def test_stop_before_the_model_is_ready_ends_without_a_result(
    qtbot: Any, content_path: str, style_path: str, out_dir: Path
) -> None:
    worker = RunWorker(
        Settings(content=content_path, style=style_path, size=48, iterations=2), str(out_dir)
    )
    worker.stop()
    with qtbot.waitSignal(worker.finished, timeout=RUN_TIMEOUT_MS) as blocker:
        worker.run()
    outcome: RunOutcome = blocker.args[0]
    assert outcome.result is None and outcome.stopped
    assert saved_files(out_dir) == []


@pytest.mark.parametrize("restore", [True, False])
def test_a_fresh_window_shows_the_engine_defaults(open_window: Any, restore: bool) -> None:
    win = open_window(restore=restore, folder=None, show=False)
    assert win.current_settings() == Settings()
    assert win.controls.rate_box.value() == DEFAULT_LEARNING_RATES[Settings().optimizer]
    assert win.controls.folder_edit.text() == app_settings.default_output_folder()


# The hook for the start-up test: main.py run as `make run` runs it, with QApplication's
# event loop replaced by one that waits for both pickers, prints what they hold and quits.
_STARTUP_HOOK = """
import runpy, sys
from PyQt5.QtCore import QDeadlineTimer
from PyQt5.QtWidgets import QApplication
from gui.main_window import MainWindow

def exec_and_report(*_args):
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    pickers = (window.inputs.content_picker, window.inputs.style_picker)
    deadline = QDeadlineTimer(60_000)
    while not deadline.hasExpired() and (
        any(p.is_loading for p in pickers) or any(p.loaded is None for p in pickers)
    ):
        QApplication.processEvents()
        QApplication.instance().thread().msleep(10)
    print("PICKED", *(p.path or "-" for p in pickers))
    window.close()
    return 0

QApplication.exec_ = exec_and_report
sys.argv = sys.argv[1:]
runpy.run_path("main.py", run_name="__main__")
"""


def test_make_run_preloads_the_photo_and_the_painting(tmp_path: Path) -> None:
    # `make run` passes --style, which Qt used to take for its own -style option.
    content = "gui/samples/tubingen.jpg"
    style = "gui/samples/starry_night.jpg"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-c", _STARTUP_HOOK, "main.py", "--content", content, "--style", style],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "invalid style override" not in done.stderr
    picked = [line for line in done.stdout.splitlines() if line.startswith("PICKED")]
    assert picked == [f"PICKED {ROOT / content} {ROOT / style}"], done.stdout + done.stderr

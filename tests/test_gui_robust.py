"""The window under bad input and injected faults (issue 5): a clear message, the app
still usable afterwards, no partial file, no hung or leaked thread.

Runs use the real worker and engine on 48 px images, as in test_gui_runs.py, with the same
fixtures from conftest.py (an isolated HOME and QSettings, an output folder in tmp_path).
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import Any

import pytest
from PyQt5.QtCore import Qt, QThread

from gui.main_window import MainWindow
from gui.panels.result_panel import RESULT_PLACEHOLDERS
from nst import memory, memory_model
from nst.settings import Settings
from tests.bad_inputs import (
    KINDS,
    all_files,
    deny_reading,
    fake_loss,
    link_fails_in,
    make_bad_inputs,
)
from tests.gui_helpers import RUN_TIMEOUT_MS, pick, saved_files, start, tiny

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.usefixtures("isolated_home")]

RESULT_FILES = ["tubingen_starry_night_001.json", "tubingen_starry_night_001.png"]


def wait_done(qtbot: Any, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)


class Threads:
    """Counts the runs' QThreads as they start and as they end (the window deletes each
    one after its `finished`, so a count is all that can be checked afterwards)."""

    def __init__(self, window: MainWindow) -> None:
        self.started = 0
        self.ended = 0
        window.run_started.connect(self._started)

    def _started(self, worker: Any) -> None:
        self.started += 1
        thread: QThread = worker.thread()
        thread.finished.connect(self._ended, Qt.DirectConnection)

    def _ended(self) -> None:
        self.ended += 1

    def all_ended(self) -> bool:
        return self.ended == self.started


def ready_to_count(
    qtbot: Any, window: MainWindow, content_path: str, style_path: str, iterations: int
) -> Threads:
    """The two images picked, a tiny run of ``iterations`` steps set up, and the runs'
    threads counted from now on."""
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=iterations)
    return Threads(window)


def assert_usable(window: MainWindow) -> None:
    assert not window.is_running and window.runner.thread is None
    assert window.run_button.text() == "Run" and window.run_button.isEnabled()
    assert window.tabs.isEnabled() and window.inputs.content_picker.isEnabled()


# --------------------------------------------------------------------------- inputs


@pytest.mark.parametrize("kind", KINDS)
def test_every_bad_image_is_refused_with_one_sentence(
    qtbot: Any,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch,
    content_path: str,
    style_path: str,
    kind: str,
) -> None:
    pick(qtbot, window, content_path, style_path)
    path, words = make_bad_inputs(tmp_path / "in", content_path)[kind]
    if kind == "unreadable":
        deny_reading(monkeypatch, path)
    with qtbot.waitSignal(window.inputs.style_picker.failed, timeout=10_000) as blocker:
        window.inputs.style_picker.set_path(path)
    message = blocker.args[0]
    assert words in message and Path(path).name in message and "style image" in message
    assert "\n" not in message and message.endswith(".") and "Traceback" not in message
    assert window.last_message == ("Cannot use this image", message)
    assert window.inputs.style_picker.path == style_path  # the previous image stays
    assert window.run_button.isEnabled()


# --------------------------------------------------------------------------- memory


def test_a_run_too_big_for_memory_offers_the_size_that_fits(
    qtbot: Any, window: MainWindow, out_dir: Path, monkeypatch, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=2, size=2000)
    layers = Settings().layers_in_use
    at_48 = memory_model.peak_bytes(
        *memory_model.work_dims(1024, 768, 48),
        layers,
        "lbfgs",
        memory_model.work_dims(1024, 640, 48),
    )
    monkeypatch.setattr(memory, "available_bytes", lambda *_: int(at_48 / memory.HEADROOM) + 1000)
    monkeypatch.setattr(memory, "resident_bytes", lambda *_: 0)

    qtbot.mouseClick(window.run_button, Qt.LeftButton)
    # 2000 px on an unmeasured machine asks first; the worker's memory check then refuses.
    (run,) = [b for b in window.runner.estimate_box.buttons() if b.text() == "Run"]
    run.click()
    qtbot.waitUntil(lambda: window.runner.memory_box is not None, timeout=RUN_TIMEOUT_MS)
    assert not window.is_running
    title, text = window.last_message
    assert title == "Not enough memory for this size" and "\n" not in text
    assert "A run at 2000 px needs about" in text and "at most 48 px" in text
    assert window.problem_label.text() == text and window.problem_label.isVisible()
    # refused before it started: the result view says again what the run needs
    assert window.result_panel.result_view.placeholder() == RESULT_PLACEHOLDERS["ready"]
    offer = [b for b in window.runner.memory_box.buttons() if b.text() == "Run at 48 px"]
    assert len(offer) == 1
    offer[0].click()
    assert window.controls.size_box.value() == 48 and window.is_running
    wait_done(qtbot, window)
    assert saved_files(out_dir) == RESULT_FILES


def test_a_run_its_memory_limit_cannot_hold_even_in_tiles_is_refused_without_a_question(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=2, size=4096)
    window.controls.speed_group.memory_box.setValue(1.0)  # GB

    qtbot.mouseClick(window.run_button, Qt.LeftButton)
    # No "a long run: run it?" first: the limit is known here, whatever the device.
    assert window.runner.estimate_box is None and not window.is_running
    title, text = window.last_message
    assert title == "Not enough memory for this size" and "\n" not in text
    assert "A run at 4096 px needs about" in text and "memory limit of 1 GB" in text
    assert text.endswith("or raise the Memory limit.")
    (offer,) = [b for b in window.runner.memory_box.buttons() if b.text().startswith("Run at")]
    size = int(offer.text().split()[2])
    assert 48 <= size < 4096
    smaller = window.current_settings().replace(size=size)
    dims = (1024, 768), (1024, 640)
    assert memory.check(smaller, *dims, own_process=True, limit_only=True).fits
    assert saved_files(out_dir) == []


# --------------------------------------------------------------------------- run faults


@pytest.mark.parametrize(
    ("fault", "optimizer", "words"),
    [
        ("oom", "adam", "Out of memory at 48x36 px"),
        ("nan", "adam", "The loss became nan"),
        # L-BFGS backs off a NaN trial point; a NaN that stays ends the run the same way.
        ("nan", "lbfgs", "The loss became nan"),
    ],
)
def test_run_faults_show_one_sentence_and_a_next_run_works(
    qtbot: Any,
    window: MainWindow,
    out_dir: Path,
    monkeypatch,
    content_path: str,
    style_path: str,
    fault: str,
    optimizer: str,
    words: str,
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=4)
    window.controls.optimizer_box.setCurrentIndex(window.controls.optimizer_box.findData(optimizer))
    fake_loss(monkeypatch, fault)
    start(qtbot, window)
    wait_done(qtbot, window)
    title, text = window.last_message
    assert title == "The run failed" and words in text and "\n" not in text
    assert_usable(window)
    assert all_files(out_dir) == []

    monkeypatch.undo()  # the fault goes away: the same window runs again
    window.last_message = None
    start(qtbot, window)
    wait_done(qtbot, window)
    assert window.last_message is None
    assert saved_files(out_dir) == RESULT_FILES


def test_disk_full_on_autosave_keeps_the_result_and_save_as_works(
    qtbot: Any,
    window: MainWindow,
    out_dir: Path,
    tmp_path: Path,
    monkeypatch,
    content_path: str,
    style_path: str,
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window)
    link_fails_in(monkeypatch, out_dir, errno.ENOSPC)
    start(qtbot, window)
    wait_done(qtbot, window)
    title, text = window.last_message
    assert title == "The result was not saved"
    assert "No space left on device" in text and "Save As" in text
    assert all_files(out_dir) == []  # no half-written or temporary file
    assert window.result_panel.result_view.image() is not None  # the result is still shown
    assert window.result_panel.result_view.caption().endswith("not saved")
    assert window.act_save_as.isEnabled() and window.act_save.isEnabled()
    assert_usable(window)

    elsewhere = window.result_panel.save_result_to(str(tmp_path / "elsewhere" / "kept.png"))
    assert elsewhere is None  # that folder does not exist: refused with a message
    (tmp_path / "elsewhere").mkdir()
    kept = window.result_panel.save_result_to(str(tmp_path / "elsewhere" / "kept.png"))
    assert kept is not None and kept.exists() and kept.with_suffix(".json").exists()
    monkeypatch.undo()  # space freed: Save into the output folder works too
    assert window.result_panel.save_result() is not None
    assert saved_files(out_dir) == RESULT_FILES


def test_output_folder_deleted_during_the_run_is_made_again(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=3)

    def delete(record: Any) -> None:
        if record.step == 1 and out_dir.exists():
            shutil.rmtree(out_dir)

    start(qtbot, window, delete)
    wait_done(qtbot, window)
    assert window.last_message is None
    assert saved_files(out_dir) == RESULT_FILES


def test_output_folder_replaced_by_a_file_keeps_the_result(
    qtbot: Any,
    window: MainWindow,
    out_dir: Path,
    tmp_path: Path,
    content_path: str,
    style_path: str,
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=3)

    def replace(record: Any) -> None:
        if record.step == 1 and out_dir.is_dir():
            shutil.rmtree(out_dir)
            out_dir.write_text("not a folder any more")

    start(qtbot, window, replace)
    wait_done(qtbot, window)
    title, text = window.last_message
    assert title == "The result was not saved" and out_dir.name in text
    assert out_dir.read_text() == "not a folder any more"  # untouched
    assert window.result_panel.result_view.image() is not None
    assert window.result_panel.save_result_to(str(tmp_path / "kept.png")) is not None
    assert_usable(window)


# --------------------------------------------------------------------------- threads


def test_two_runs_back_to_back(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    threads = ready_to_count(qtbot, window, content_path, style_path, iterations=2)
    start(qtbot, window)
    assert not window.start_run()  # a second start while running is refused quietly
    window.act_run.trigger()  # Ctrl+R too
    assert threads.started == 1
    wait_done(qtbot, window)
    assert window.start_run()  # at once after the first ends
    wait_done(qtbot, window)
    assert threads.started == 2
    qtbot.waitUntil(threads.all_ended, timeout=10_000)
    assert saved_files(out_dir) == [
        *RESULT_FILES,
        "tubingen_starry_night_002.json",
        "tubingen_starry_night_002.png",
    ]
    assert window.last_message is None
    assert_usable(window)


def test_stop_pressed_twice(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    threads = ready_to_count(qtbot, window, content_path, style_path, iterations=300)
    finished: list[Any] = []
    window.run_started.connect(lambda worker: worker.finished.connect(finished.append))
    stops: list[int] = []

    def stop_twice(record: Any) -> None:
        if record.step >= 2 and not stops:
            stops.append(record.step)
            window.runner.stop_run()
            window.runner.stop_run()
            window.act_stop.trigger()  # Esc's action: disabled by the first stop, no-op

    records = start(qtbot, window, stop_twice)
    wait_done(qtbot, window)
    assert stops and len(finished) == 1 and finished[0].stopped
    assert finished[0].result.steps == records[-1].step >= stops[0]
    assert window.last_message is None and saved_files(out_dir) == RESULT_FILES  # saved once
    qtbot.waitUntil(threads.all_ended, timeout=10_000)
    assert threads.started == 1
    assert_usable(window)


def test_closing_twice_during_a_run_ends_its_thread(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    threads = ready_to_count(qtbot, window, content_path, style_path, iterations=500)
    records = start(qtbot, window)
    qtbot.waitUntil(lambda: len(records) >= 1, timeout=RUN_TIMEOUT_MS)
    window.close()
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
    assert threads.started == 1 and threads.all_ended() and not window.is_running
    assert window.last_message is None and saved_files(out_dir) == RESULT_FILES  # kept

"""The window's queue (issue 20): Add to queue by the button and the shortcut, the Queue
tab's order, remove and retry, Run all with the real engine while the window's Run waits,
results in History, and the jobs surviving a closed window (a running one runs again)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PyQt5.QtCore import Qt
from PyQt5.QtTest import QTest

from gui.main_window import MainWindow
from gui.model import JobOutcome
from nst.batch.store import DONE, FAILED, RUNNING, WAITING
from tests.gui_helpers import RUN_TIMEOUT_MS, pick, tiny

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("isolated_home")]


def _names(win: MainWindow) -> list[str]:
    return [Path(j.content).stem for j in win.model.jobs]


def _states(win: MainWindow) -> list[str]:
    return [j.state for j in win.model.jobs]


def _add(qtbot: Any, win: MainWindow, samples: Path, *photos: str) -> None:
    """Each photo as the content, then Add to queue (its button)."""
    for photo in photos:
        pick(qtbot, win, str(samples / photo), None)
        qtbot.mouseClick(win.queue.add_button, Qt.LeftButton)


def _select(qtbot: Any, win: MainWindow, row: int) -> None:
    table = win.queue.panel.table
    rect = table.visualRect(table.model().index(row, 2))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    assert win.queue.panel.selected_id() == win.model.jobs[row].id


def _click(qtbot: Any, button: Any) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.LeftButton)


def test_add_to_queue_by_button_and_shortcut(
    qtbot: Any, window: MainWindow, content_path: str, style_path: str, out_dir: Path
) -> None:
    assert not window.queue.add_button.isEnabled()  # no images yet
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=2, size=32)
    _click(qtbot, window.queue.add_button)
    window.activateWindow()
    qtbot.waitActive(window)
    QTest.keyClick(window, Qt.Key_Return, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: len(window.model.jobs) == 2, timeout=5000)
    for job in window.model.jobs:
        assert job.state == WAITING and job.folder == str(out_dir)
        assert job.settings.size == 32 and job.settings.content == content_path
    assert "2 waiting" in window.statusBar().currentMessage()


def test_reorder_remove_and_retry_through_the_tab(
    qtbot: Any, window: MainWindow, samples: Path, style_path: str
) -> None:
    pick(qtbot, window, None, style_path)
    _add(qtbot, window, samples, "astronaut.png", "chelsea.png", "coffee.png")
    panel = window.queue.panel
    window.result_tabs.setCurrentWidget(panel)
    assert _names(window) == ["astronaut", "chelsea", "coffee"]
    assert panel.selected_id() == window.model.jobs[2].id  # the job just added
    _select(qtbot, window, 2)
    assert not panel.down_button.isEnabled() and not panel.retry_button.isEnabled()
    _click(qtbot, panel.up_button)
    assert _names(window) == ["astronaut", "coffee", "chelsea"]
    assert panel.selected_id() == window.model.jobs[1].id  # the moved job stays selected
    _click(qtbot, panel.up_button)
    assert _names(window) == ["coffee", "astronaut", "chelsea"]
    assert not panel.up_button.isEnabled()
    _click(qtbot, panel.down_button)
    assert _names(window) == ["astronaut", "coffee", "chelsea"]
    _select(qtbot, window, 0)
    _click(qtbot, panel.remove_button)
    assert _names(window) == ["coffee", "chelsea"]
    # The first job fails (the model, as the controller reports a failure)...
    queue = window.queue.queue
    queue.run_all()
    job = queue.begin_next()
    assert _states(window) == [RUNNING, WAITING]
    _select(qtbot, window, 0)
    assert not panel.remove_button.isEnabled()  # a running job stays
    queue.end_job(job.id, JobOutcome(FAILED, reason="The content image cannot be read."))
    queue.stop()
    row_text = panel.table.item(0, 6).text()
    assert _states(window) == [FAILED, WAITING] and "cannot be read" in row_text
    # ...and Retry puts it back to waiting.
    _select(qtbot, window, 0)
    _click(qtbot, panel.retry_button)
    assert _states(window) == [WAITING, WAITING]


@pytest.mark.slow
def test_run_all_runs_the_jobs_while_run_waits_and_history_shows_them(
    qtbot: Any, window: MainWindow, samples: Path, style_path: str, out_dir: Path
) -> None:
    pick(qtbot, window, None, style_path)
    tiny(window, iterations=3, size=32)
    _add(qtbot, window, samples, "chelsea.png", "coffee.png")
    panel = window.queue.panel
    window.result_tabs.setCurrentWidget(panel)
    steps: list[Any] = []
    window.queue.controller.started.connect(lambda worker: worker.progress.connect(steps.append))
    _click(qtbot, panel.run_button)
    assert panel.run_button.text() == "Stop"
    # The window's Run waits for the queue; the pickers stay free to choose.
    assert not window.run_button.isEnabled() and "queue" in window.problem_label.text()
    assert window.inputs.content_picker.isEnabled()
    assert not window.start_run()
    assert "queue" in window.sweep_panel.problem()  # a sweep waits for it too
    qtbot.waitUntil(lambda: _states(window) == [DONE, DONE], timeout=RUN_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.queue.queue.running, timeout=5000)
    assert steps and panel.run_button.text() == "Run all" and not panel.run_button.isEnabled()
    assert window.run_button.isEnabled() and not window.sweep_panel.problem()
    # Saved as a window's run saves: a numbered PNG with its recipe, in the output folder.
    files = [name for job in window.model.jobs for name in job.files]
    assert all((out_dir / name).is_file() for name in files) and len(files) == 4
    qtbot.waitUntil(lambda: panel.thumbnails_pending() == 0, timeout=10_000)
    assert not panel.table.item(0, 1).icon().isNull()
    assert panel.table.item(0, 5).text()  # its time
    window.result_tabs.setCurrentWidget(window.history_panel)
    qtbot.waitUntil(lambda: len(window.history_panel.entries) == 2, timeout=10_000)
    assert {Path(e.path).name for e in window.history_panel.entries} == set(files[::2])


@pytest.mark.slow
def test_the_jobs_survive_closing_and_reopening_the_window(
    qtbot: Any, open_window: Any, store: Any, samples: Path, style_path: str, out_dir: Path
) -> None:
    first = open_window()
    pick(qtbot, first, None, style_path)
    tiny(first, iterations=400, size=32)  # long enough to close it mid-run
    _add(qtbot, first, samples, "chelsea.png", "coffee.png")
    steps: list[Any] = []
    first.queue.controller.started.connect(lambda worker: worker.progress.connect(steps.append))
    _click(qtbot, first.queue.panel.run_button)
    qtbot.waitUntil(lambda: len(steps) >= 2, timeout=RUN_TIMEOUT_MS)
    assert _states(first) == [RUNNING, WAITING]
    ids = [j.id for j in first.model.jobs]
    first.close()  # stops the job without keeping its image: it runs again next time
    second = open_window(store)
    assert [j.id for j in second.model.jobs] == ids
    assert _states(second) == [WAITING, WAITING] and not second.queue.queue.running
    assert not list(out_dir.glob("*.png"))  # no result written for the interrupted job
    assert second.queue.panel.run_button.isEnabled()


def test_where_the_queue_runs_is_shown_in_both_tabs_and_kept(
    qtbot: Any, open_window: Any, store: Any
) -> None:
    from gui.model.where_runs import Placement

    window = open_window()
    queue_box, sweep_box = window.queue.panel.where_box, window.sweep_panel.where_box
    assert queue_box.choice.currentText() == sweep_box.choice.currentText() == "This computer"
    assert queue_box.address.isHidden()  # no address for this computer
    sweep_box.choice.setCurrentIndex(1)
    sweep_box.choice.activated.emit(1)  # chosen in the Sweep tab ...
    qtbot.keyClicks(sweep_box.address, "head:6379")
    assert queue_box.choice.currentText() == "A Ray cluster"  # ... shown in the Queue tab
    assert queue_box.address.text() == "head:6379" and not queue_box.address.isHidden()
    window.shutdown()
    again = open_window()  # the next session
    assert again.queue.where.placement == Placement(True, "head:6379")
    assert again.sweep_panel.where_box.address.text() == "head:6379"
    assert store.placement() == Placement(True, "head:6379")

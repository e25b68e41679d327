"""The window's queue and sweeps on a Ray cluster (issue 20): chosen in either tab (both
show the one choice), a sweep's cells and the queue's jobs run as Ray tasks while the
window writes every file; Ray missing, or an address where nothing answers, is one
sentence and nothing runs. One local cluster of two nodes for the module, which the
window attaches to by its address (conftest keeps every node on 127.0.0.1)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from PyQt5.QtCore import Qt

from gui.main_window import MainWindow
from gui.model.where_runs import Placement
from nst.batch.store import DONE, FAILED, RUNNING, WAITING
from tests.gui_helpers import fill_sweep, pick, saved_files, tiny

ray = pytest.importorskip("ray")

pytestmark = [pytest.mark.gui, pytest.mark.ray, pytest.mark.usefixtures("isolated_home")]

# A cluster's workers start Python, TensorFlow and the weights for their first task.
RAY_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def cluster(ray_cluster: str) -> str:
    """The address of the run's local cluster (conftest); this process is not connected
    to it: the window connects for each queue or sweep, as it would to any."""
    return ray_cluster


def _choose_ray(qtbot: Any, win: MainWindow, address: str) -> None:
    """Choose A Ray cluster and type its address in the Queue tab's box."""
    box = win.queue.panel.where_box
    box.choice.setCurrentIndex(1)
    box.choice.activated.emit(1)
    qtbot.keyClicks(box.address, address)
    assert win.queue.where.placement == Placement(True, address)


def _sweep(qtbot: Any, win: MainWindow, content: str, style: str) -> Any:
    """A 2-cell sweep at 32 px of 2 steps, started; its panel."""
    panel = fill_sweep(qtbot, win, content, style)
    qtbot.mouseClick(panel.render_button, Qt.LeftButton)
    return panel


def _queue(qtbot: Any, win: MainWindow, samples: Path, style: str, iterations: int) -> Any:
    """Two jobs (two photos at 32 px) added to the queue; the Queue tab's panel."""
    pick(qtbot, win, None, style)
    tiny(win, iterations=iterations, size=32)
    for photo in ("chelsea.png", "coffee.png"):
        pick(qtbot, win, str(samples / photo), None)
        qtbot.mouseClick(win.queue.add_button, Qt.LeftButton)
    panel = win.queue.panel
    win.result_tabs.setCurrentWidget(panel)
    assert [j.state for j in win.model.jobs] == [WAITING, WAITING]
    return panel


def _queue_says(qtbot: Any, win: MainWindow, samples: Path, style: str, words: str) -> None:
    """Run all on two jobs says ``words`` in the tab and the status bar; nothing runs."""
    queue = _queue(qtbot, win, samples, style, iterations=2)
    qtbot.mouseClick(queue.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not win.queue.queue.running, timeout=30_000)
    assert queue.problem_label.text() == win.statusBar().currentMessage() == words
    assert _states(win) == [WAITING, WAITING]


def _states(win: MainWindow) -> list[str]:
    return [j.state for j in win.model.jobs]


def _free_port() -> int:
    with socket.socket() as free:  # nothing listens on it once this is closed
        free.bind(("127.0.0.1", 0))
        return int(free.getsockname()[1])


def test_a_sweep_runs_on_the_cluster_chosen_in_the_queue_tab(
    qtbot: Any, window: MainWindow, cluster: str, content_path: str, style_path: str
) -> None:
    _choose_ray(qtbot, window, cluster)
    box = window.sweep_panel.where_box  # the Sweep tab shows the same choice
    assert box.choice.currentText() == "A Ray cluster" and box.address.text() == cluster
    order: list[int] = []
    panel = _sweep(qtbot, window, content_path, style_path)
    assert panel.is_running and not box.isEnabled()  # where it runs is fixed meanwhile
    assert panel._worker is not None
    panel._worker.cell_done.connect(lambda done: order.append(done.index))
    qtbot.waitUntil(lambda: not panel.is_running, timeout=RAY_TIMEOUT_MS)
    assert panel.last_error == ""
    run = panel._run
    assert run is not None and run.sheet_path is not None and run.sheet_path.is_file()
    assert sorted(order) == [0, 1]  # each cell shown as it came back
    assert all(panel._done[i].image is not None for i in order)
    assert "Done: 2 of 2 cells" in panel.progress_label.text()
    assert "Ray cluster of 2 nodes" in window.status_panel.device_label.text()


def test_the_queue_runs_its_jobs_side_by_side_on_the_cluster(
    qtbot: Any,
    window: MainWindow,
    cluster: str,
    samples: Path,
    style_path: str,
    out_dir: Path,
    tmp_path: Path,
) -> None:
    _choose_ray(qtbot, window, cluster)
    panel = _queue(qtbot, window, samples, style_path, iterations=2)
    scans = tmp_path / "scans"  # a photo that cannot be read: its job fails alone
    scans.mkdir()
    (scans / "scan_017.jpg").write_bytes(b"a scan that was never finished")
    assert window.queue.add_folder(str(scans))
    window.model.set_field("method", "instant")  # one pass, run here meanwhile
    assert window.queue.add_current()
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    assert _states(window) == [RUNNING] * 4  # all taken at once
    assert panel.run_button.text() == "Stop" and not panel.where_box.isEnabled()
    assert not window.sweep_panel.where_box.isEnabled()  # the one choice waits in both tabs
    qtbot.waitUntil(lambda: not window.queue.queue.running, timeout=RAY_TIMEOUT_MS)
    assert _states(window) == [DONE, DONE, FAILED, DONE], [j.reason for j in window.model.jobs]
    assert "scan_017.jpg" in window.model.jobs[2].reason
    # Saved as a job run here is saved: a numbered PNG with its recipe, in its folder.
    files = [name for job in window.model.jobs for name in job.files]
    assert len(files) == 6 and all((out_dir / name).is_file() for name in files)
    assert "Ray cluster of 2 nodes" in window.status_panel.device_label.text()
    window.result_tabs.setCurrentWidget(window.history_panel)
    qtbot.waitUntil(lambda: len(window.history_panel.entries) == 3, timeout=10_000)
    assert {Path(e.path).name for e in window.history_panel.entries} == set(files[::2])


def test_stop_cancels_the_tasks_and_the_jobs_wait_again(
    qtbot: Any, window: MainWindow, cluster: str, samples: Path, style_path: str, out_dir: Path
) -> None:
    _choose_ray(qtbot, window, cluster)
    panel = _queue(qtbot, window, samples, style_path, iterations=500)
    workers: list[Any] = []
    window.queue.controller.started.connect(workers.append)
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)
    assert _states(window) == [RUNNING, RUNNING]
    # Stop once both tasks are on the cluster (their workers are still starting).
    qtbot.waitUntil(lambda: workers[0].pool is not None and workers[0].pool.pending == 2)
    qtbot.mouseClick(panel.run_button, Qt.LeftButton)  # Stop
    assert panel.run_button.text() == "Stopping…"
    qtbot.waitUntil(lambda: not window.queue.queue.running, timeout=30_000)
    assert _states(window) == [WAITING, WAITING]
    assert saved_files(out_dir) == [] and panel.run_button.text() == "Run all"


@pytest.mark.parametrize("trouble", ["nothing answers", "ray missing"])
def test_a_cluster_out_of_reach_is_one_sentence_and_nothing_runs(
    trouble: str,
    qtbot: Any,
    window: MainWindow,
    content_path: str,
    style_path: str,
    out_dir: Path,
    samples: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if trouble == "ray missing":
        monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails
        address = ""
        words = (
            "Ray is not installed in the Python that runs this window; install it with "
            '`pip install "nst[ray]"`, or run on This computer.'
        )
    else:
        address = f"127.0.0.1:{_free_port()}"
        words = f"No Ray cluster answers at {address} ("
    _choose_ray(qtbot, window, address)
    panel = _sweep(qtbot, window, content_path, style_path)
    qtbot.waitUntil(lambda: not panel.is_running, timeout=30_000)
    assert panel.last_error.startswith(words) and panel.last_error.endswith("This computer.")
    assert "\n" not in panel.last_error and "Traceback" not in panel.last_error
    _queue_says(qtbot, window, samples, style_path, panel.last_error)  # the queue too
    assert saved_files(out_dir) == []  # nothing ran

"""Driving the window in tests: pick images, make a run tiny, press Run, list the results.

Plain functions, not fixtures: the tests call them with their own arguments. The fixtures
that build the window (``window``, ``store``, ``out_dir``, ``isolated_home``) are in
conftest.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PyQt5.QtCore import Qt

if TYPE_CHECKING:
    from gui.main_window import MainWindow
    from gui.workers.run_worker import RunWorker

RUN_TIMEOUT_MS = 120_000  # the first run imports TensorFlow and reads the weights


def wait_loaded(qtbot: Any, win: MainWindow) -> None:
    qtbot.waitUntil(
        lambda: not win.inputs.content_picker.is_loading and not win.inputs.style_picker.is_loading,
        timeout=10_000,
    )


def pick(qtbot: Any, win: MainWindow, content: str | None, style: str | None) -> None:
    if content:
        win.inputs.content_picker.set_path(content)
    if style:
        win.inputs.style_picker.set_path(style)
    wait_loaded(qtbot, win)


def tiny(win: MainWindow, iterations: int = 3, size: int = 48) -> None:
    win.controls.size_box.setValue(size)
    win.controls.iterations_box.setValue(iterations)


def saved_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def start(qtbot: Any, window: MainWindow, *also: Any) -> list[Any]:
    """Press Run; returns the list that collects the worker's progress records. ``also``:
    more callables for the progress signal, connected before the worker's thread starts."""
    records: list[Any] = []

    def connect(worker: RunWorker) -> None:
        for slot in (records.append, *also):
            worker.progress.connect(slot)

    window.run_started.connect(connect)
    qtbot.mouseClick(window.run_button, Qt.LeftButton)
    assert window.is_running and window.run_button.text() == "Stop"
    return records


def fill_sweep(
    qtbot: Any, win: MainWindow, content: str, style: str, cell_size: int = 32, iterations: int = 2
) -> Any:
    """Pick the images and fill the Sweep tab, shown: the style weight (its first axis) at 1
    and 100, cells of ``cell_size`` px for ``iterations`` steps. Its panel, not started."""
    pick(qtbot, win, content, style)
    qtbot.waitUntil(lambda: win.run_button.isEnabled(), timeout=10_000)
    panel = win.sweep_panel
    win.result_tabs.setCurrentWidget(panel)
    panel.value_edits[0].setText("1, 100")
    panel.cell_size_box.setValue(cell_size)
    panel.iterations_box.setValue(iterations)
    return panel

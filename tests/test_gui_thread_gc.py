"""Python's garbage is collected on the GUI thread only while the window runs
(gui/gui_thread_gc.py): a cycle that holds a Qt pixmap is never freed on another thread."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

import pytest
from PyQt5.QtGui import QPixmap

from gui.gui_thread_gc import collect_due, collect_on_gui_thread
from gui.main_window import MainWindow

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("isolated_home")]


class Holder:
    """An object in a cycle with itself, holding a pixmap, as a closed panel's wrapper."""

    def __init__(self) -> None:
        self.me = self
        self.pixmap = QPixmap(8, 8)


def test_a_cycle_made_garbage_while_a_thread_allocates_is_collected_on_the_gui_thread(
    qtbot: Any, window: MainWindow
) -> None:
    collected_on: list[str] = []

    def note(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            collected_on.append(threading.current_thread().name)

    gc.callbacks.append(note)
    try:
        holder = Holder()
        gone = weakref.ref(holder)
        del holder  # garbage now, reachable only from itself
        # gc-tracked objects past gc's first threshold, made on another thread and kept
        # (gc counts allocations less deallocations): Python's automatic collector would
        # run there, and the GUI thread's finds the count past the threshold.
        made: list[list[Any]] = []
        allocate = threading.Thread(
            target=lambda: made.extend([] for _ in range(20 * gc.get_threshold()[0])),
            name="allocator",
        )
        allocate.start()
        allocate.join()
        qtbot.waitUntil(lambda: gone() is None, timeout=10_000)
    finally:
        gc.callbacks.remove(note)
    assert collected_on and set(collected_on) == {threading.main_thread().name}
    assert not gc.isenabled()


def test_nothing_is_collected_before_the_first_threshold_is_passed(qapp: Any) -> None:
    collect_on_gui_thread()
    assert not gc.isenabled()  # what collects is collect_due alone
    gc.collect()  # every count at zero
    collected: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collected.append(info["generation"])

    gc.callbacks.append(note)
    try:
        collect_due()
        assert collected == []
        keep = [[] for _ in range(2 * gc.get_threshold()[0])]
        collect_due()
    finally:
        gc.callbacks.remove(note)
    assert collected == [0] and keep

"""Python's cyclic garbage collection, run on the GUI thread only.

Python collects cycles in whichever thread allocates past gc's threshold: a run's worker,
a thumbnail decoder, a Ray or TensorFlow thread that runs Python. A cycle can hold Qt
objects the window made (a closed panel's QPixmaps, QIcons and QImages, a QSettings), and
these are then destroyed in that thread, which Qt does not allow for pixmaps. It was seen:
with gc.DEBUG_SAVEALL, the window's tests left QPixmaps, QIcons and QImages to be
collected on pool and worker threads, and the suite once ended in a segmentation fault in
the History tab's tests. So while the window runs, automatic collection is off, and a
timer on the GUI thread collects each generation once its count passes gc's threshold,
as the automatic collector would (the technique of pyqtgraph's GarbageCollector).
"""

from __future__ import annotations

import gc

from PyQt5.QtCore import QCoreApplication, QObject, QTimer

# How often the GUI thread looks at gc's counts. Cycles made between two looks wait for
# the next one; half a second of a run's garbage is small beside the run's own memory.
INTERVAL_MS = 500

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Collects due generations on the thread it lives on (the application's)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(collect_due)
        self._timer.start()


def collect_on_gui_thread() -> None:
    """Turn automatic collection off and collect on the GUI thread from now on, for as
    long as the process lives (once; later calls do nothing). Before a QApplication
    exists it does nothing: there is no GUI thread's event loop to collect in."""
    global _collector
    app = QCoreApplication.instance()
    if app is None or _collector is not None:
        return
    gc.disable()
    _collector = GuiThreadCollector(app)


def collect_due() -> None:
    """Collect as Python's automatic collector would: once the youngest generation's count
    has passed its threshold, the oldest generation whose count has (gc.get_count against
    gc.get_threshold); nothing before."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if thresholds[0] and counts[0] > thresholds[0]:
        gc.collect(max(gen for gen in range(3) if counts[gen] > thresholds[gen]))

"""The base of the window's workers: a QObject moved to a QThread, reporting by signals.

Usage (see gui/workers/run_control.py and gui/sweep/sweep_panel.py)::

    worker = RunWorker(settings, output_folder)
    thread = start_worker(worker, parent, on_thread_finished)

A worker's ``run`` slot does the whole job on its thread and ends with exactly one of
``finished``, ``failed`` or ``refused`` (the memory check, done on the worker's thread
because on a GPU machine it imports TensorFlow, found the job too big). ``stop`` is
called from the GUI thread while ``run`` is busy in its loop (the worker's own thread has
no event loop free to deliver a queued call), so it is a plain thread-safe method, not a
slot: it sets a flag under a lock and calls the engine's own thread-safe ``stop``; the
engine checks between steps, so a job stops within one step. TensorFlow is imported by
the subclasses inside ``work``, on the worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PyQt5.QtCore import QCoreApplication, QObject, Qt, QThread, pyqtSignal, pyqtSlot

from gui.error_words import error_words
from nst.errors import NstError
from nst.memory import NotEnoughMemory

log = logging.getLogger(__name__)

# At most one live preview this often (four a second): the engine makes no preview image
# in between (nst.run.preview.PreviewRate), since at small sizes a step takes milliseconds
# and an image per step would mostly be thrown away.
PREVIEW_INTERVAL_S = 0.25


def model_loaded() -> bool:
    """Whether a job in this process has already read the weights (the engine keeps them)."""
    from nst.vgg import weights

    return weights.loaded()


def _weights_for(path: str | None) -> Any:
    """The VGG19 weights, read once per process by the engine's own cache (a second run
    then starts at once and reuses the compiled loss, cached per weights object)."""
    from nst.vgg.weights import load_weights

    return load_weights(path)


def unexpected_error_message(exc: BaseException, what: str = "run") -> str:
    """One sentence for an exception nobody planned for (its traceback goes to the log)."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(detail) > 160:
        detail = detail[:157] + "…"
    kind = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return f"The {what} stopped on an unexpected error ({kind}); the details are in the log."


class Worker(QObject):
    """One job on a QThread; subclasses implement :meth:`work`."""

    status = pyqtSignal(str)  # what it is doing, in words ("Loading the model…")
    progress = pyqtSignal(object)  # a progress record, without its image
    # device, weights description, the nst.precision.Precision used (None: not said); once prepared
    ready = pyqtSignal(str, str, object)
    finished = pyqtSignal(object)  # what work() returned
    failed = pyqtSignal(str)  # one sentence
    # The job did not start: it would not fit in memory (nst.memory.NotEnoughMemory, its
    # numbers, for the window to word and offer the size that fits).
    refused = pyqtSignal(object)
    # The memory check passed and the job is starting (the panels clear for it only then:
    # a refused run leaves the last result on screen).
    admitted = pyqtSignal()

    what = "run"  # names the job in messages: "The run ran out of memory…"
    memory_advice = "choose a smaller output or working size"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._stop_requested = False
        self._engine: Any = None  # the engine object whose stop() to call

    def stop(self) -> None:
        """Ask the job to stop after the step in progress; safe from any thread."""
        with self._lock:
            self._stop_requested = True
            engine = self._engine
        if engine is not None:
            engine.stop()

    @property
    def stop_requested(self) -> bool:
        with self._lock:
            return self._stop_requested

    def attach(self, engine: Any) -> bool:
        """Route later stops to ``engine``; whether a stop was asked for already."""
        with self._lock:
            self._engine = engine
            return self._stop_requested

    @pyqtSlot()
    def run(self) -> None:
        """The whole job; ends with exactly one of ``finished``, ``failed`` or ``refused``."""
        try:
            outcome = self.work()
        except NotEnoughMemory as exc:
            log.info("%s refused: %s", self.what, exc)
            self.refused.emit(exc)
        except NstError as exc:
            log.info("%s failed: %s", self.what, exc)
            self.failed.emit(error_words(exc))
        except MemoryError:
            log.exception("out of memory")
            self.failed.emit(f"The {self.what} ran out of memory; {self.memory_advice}.")
        except Exception as exc:
            log.exception("unexpected error in the %s", self.what)
            self.failed.emit(unexpected_error_message(exc, self.what))
        else:
            self.finished.emit(outcome)
        finally:
            with self._lock:
                self._engine = None
            # Deleted on the GUI thread, not its own: deleting it here makes Qt call the
            # (Python-wrapped) QThread's disconnectNotify under one of Qt's connection
            # locks, where it waits for the GIL while the GUI thread, holding the GIL,
            # may wait for a lock of the same pool (seen once as a hang in CI).
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())

    def work(self) -> Any:
        raise NotImplementedError


def start_worker(
    worker: Worker,
    parent: QObject,
    on_thread_finished: Callable[[], None],
    before_start: Callable[[], None] | None = None,
) -> QThread:
    """Move ``worker`` to a new thread, wire its end to the thread's, and start it.

    ``before_start`` runs once the worker is on its thread and before the thread starts,
    so that a listener can connect to the worker's (and its thread's) first signals."""
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    worker.failed.connect(thread.quit)
    worker.refused.connect(thread.quit)
    # The worker is back on the GUI thread by then (Worker.run): deleted there.
    thread.finished.connect(worker.deleteLater, Qt.DirectConnection)
    thread.finished.connect(on_thread_finished)
    if before_start is not None:
        before_start()
    thread.start()
    return thread


def stop_and_wait(worker: Worker | None, thread: QThread | None, timeout_ms: int) -> None:
    """Ask a job to stop and wait for its thread to end (on quit; blocks)."""
    if thread is None:
        return
    if worker is not None:
        worker.stop()
    thread.quit()
    if not thread.wait(timeout_ms):
        what = worker.what if worker is not None else "job"
        log.error("the %s did not stop within %d s", what, timeout_ms // 1000)

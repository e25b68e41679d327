"""The run worker: drives one nst.run.session session on a QThread and reports by signals.

Usage (see MainWindow.start_run)::

    worker = RunWorker(settings, output_folder)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit); worker.failed.connect(thread.quit)

TensorFlow is imported here, inside ``run`` on the worker thread, the first time a run
starts: importing it takes seconds, and the window must appear at once. The worker only
emits NumPy arrays and plain records; the GUI thread makes the QImages.

``stop`` is called from the GUI thread while ``run`` is busy in its loop (the worker's own
thread has no event loop free to deliver a queued call), so it is a plain thread-safe
method, not a slot: it sets a flag and calls the session's thread-safe ``stop``; the loop
checks between steps, so a run stops within one step.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from PyQt5.QtCore import QObject, pyqtSignal, pyqtSlot

from nst.errors import NstError
from nst.imaging import images
from nst.settings import Settings

log = logging.getLogger(__name__)

# At most this many live previews a second: at tiny sizes a step takes milliseconds, and
# repainting faster than the eye can follow would only slow the run down.
PREVIEW_INTERVAL_S = 0.1

_cache_lock = threading.Lock()
_weights_cache: dict[str | None, Any] = {}  # Settings.weights -> VGGWeights


def model_loaded() -> bool:
    """Whether a run in this process has already loaded TensorFlow and the weights."""
    with _cache_lock:
        return bool(_weights_cache)


def _weights_for(path: str | None) -> Any:
    """The VGG19 weights, read once per process (a second run then starts at once and
    reuses the engine's compiled loss, which is cached per weights object)."""
    from nst.vgg.weights import load_weights

    with _cache_lock:
        if path not in _weights_cache:
            _weights_cache[path] = load_weights(path)
        return _weights_cache[path]


@dataclass(frozen=True)
class RunOutcome:
    """What a run left: its result (None if stopped before the first step), the recipe
    to save with it, and where it was saved (or why it could not be)."""

    result: Any | None  # nst.run.session.Result; typed loosely so this module stays light
    recipe: dict[str, Any] = field(default_factory=dict)
    saved_path: str = ""
    save_error: str = ""

    @property
    def stopped(self) -> bool:
        return self.result is None or bool(self.result.stopped)


def unexpected_error_message(exc: BaseException) -> str:
    """One sentence for an exception nobody planned for (its traceback goes to the log)."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(detail) > 160:
        detail = detail[:157] + "…"
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return f"The run stopped on an unexpected error ({what}); the details are in the log."


class RunWorker(QObject):
    progress = pyqtSignal(object)  # nst.run.session.Progress, without its image
    preview = pyqtSignal(object)  # the current image, uint8 (H, W, 3)
    status = pyqtSignal(str)  # what it is doing, in words ("Loading the model…")
    ready = pyqtSignal(str, str)  # device, weights description; once prepared
    finished = pyqtSignal(object)  # RunOutcome
    failed = pyqtSignal(str)  # one sentence

    def __init__(self, settings: Settings, output_folder: str, *, autosave: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.output_folder = output_folder
        self.autosave = autosave
        self._lock = threading.Lock()
        self._stop_requested = False
        self._session: Any = None

    # --- called from the GUI thread ---

    def stop(self) -> None:
        """Ask the run to stop after the step in progress; safe from any thread."""
        with self._lock:
            self._stop_requested = True
            session = self._session
        if session is not None:
            session.stop()

    @property
    def stop_requested(self) -> bool:
        with self._lock:
            return self._stop_requested

    # --- the worker thread ---

    @pyqtSlot()
    def run(self) -> None:
        """The whole run; ends with exactly one of ``finished`` or ``failed``."""
        try:
            outcome = self._run()
        except NstError as exc:
            log.info("run failed: %s", exc)
            self.failed.emit(str(exc))
        except MemoryError:
            log.exception("out of memory")
            self.failed.emit("The run ran out of memory; choose a smaller output or working size.")
        except Exception as exc:
            log.exception("unexpected error in the run")
            self.failed.emit(unexpected_error_message(exc))
        else:
            self.finished.emit(outcome)
        finally:
            with self._lock:
                self._session = None

    def _run(self) -> RunOutcome:
        started = time.perf_counter()
        if self.stop_requested:
            return RunOutcome(result=None)
        if self.settings.method == "instant":
            return self._run_instant(started)
        if not model_loaded():
            self.status.emit("Loading the model…")
        # The heavy import, on this thread: TensorFlow takes seconds to load.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from nst.run.session import Transfer

        weights = _weights_for(self.settings.weights)
        session = Transfer(self.settings, weights=weights)
        with self._lock:
            self._session = session
            stop_now = self._stop_requested
        if stop_now:
            return RunOutcome(result=None)
        self.status.emit("Preparing the images…")
        session.prepare()
        self.ready.emit(session.device, session.weights.describe())
        if self.stop_requested:
            # Transfer.steps() clears the session's stop flag when it starts, so a stop
            # asked for during prepare() is honoured here rather than lost.
            return RunOutcome(result=None)
        self.status.emit(f"Running on {session.device}")
        self._loop(session)
        result = session.result()
        recipe = result.recipe()
        recipe["wall_time_s"] = round(time.perf_counter() - started, 3)
        if result.stopped or not self.autosave:
            return RunOutcome(result=result, recipe=recipe)
        return self._save(result, recipe)

    def _run_instant(self, started: float) -> RunOutcome:
        """The instant method: one pass of the network at the output size (no steps)."""
        self.status.emit("Making the instant result…")
        from nst import instant  # TensorFlow, on this thread

        result = instant.run(self.settings)
        recipe = result.recipe()
        recipe["wall_time_s"] = round(time.perf_counter() - started, 3)
        if self.stop_requested or not self.autosave:
            return RunOutcome(result=result, recipe=recipe)
        return self._save(result, recipe)

    def _loop(self, session: Any) -> None:
        last_preview = 0.0
        for progress in session.steps():
            now = time.perf_counter()
            last = progress.step == progress.total
            if progress.image is not None and (last or now - last_preview >= PREVIEW_INTERVAL_S):
                last_preview = now
                self.preview.emit(progress.image)
            # The image travels by `preview` only; a record per step need not carry one.
            self.progress.emit(dataclasses.replace(progress, image=None))
            if self.stop_requested:
                break

    def _save(self, result: Any, recipe: dict[str, Any]) -> RunOutcome:
        texture = self.settings.method == "texture"
        stem = images.result_stem(None if texture else self.settings.content, self.settings.style)
        try:
            path = images.save_result(result.image, self.output_folder, stem, recipe)
        except NstError as exc:
            # The result is still shown, with Save As; losing minutes of work to a full
            # disk would be worse than a message.
            log.warning("autosave failed: %s", exc)
            return RunOutcome(result=result, recipe=recipe, save_error=str(exc))
        return RunOutcome(result=result, recipe=recipe, saved_path=str(path))

"""The run worker: drives one nst.run.session session on a QThread and reports by signals.

Started by gui.workers.base.start_worker (see gui/workers/run_control.py). TensorFlow is imported
here, inside ``work`` on the worker thread, the first time a run starts (or by the memory
check before it, on a GPU machine): importing it takes seconds, and the window must stay
responsive. The worker only emits NumPy arrays and plain
records; the GUI thread makes the QImages. Stopping is the base's (gui/workers/base.py).
A run with a stage in tiles goes in a process of its own (nst.run.child), driven from here
the same way: the window's process has TensorFlow with oneDNN's pool, which needs smaller
tiles for the same memory.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from PyQt5.QtCore import pyqtSignal

from gui.model import Phase
from gui.workers.base import PREVIEW_INTERVAL_S, Worker, _weights_for, model_loaded
from nst import memory
from nst.errors import NstError, RunError
from nst.run.child import plan_for_run
from nst.settings import Settings

log = logging.getLogger(__name__)

ImageDims = tuple[tuple[int, int], tuple[int, int]]  # the content's and style's (w, h)
# After a run's own process ended early, where it wrote a checkpoint (nst.run.checkpoint).
RESUME_WORDS = "Run > Resume an unfinished run goes on from its last checkpoint."


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


class RunWorker(Worker):
    preview = pyqtSignal(object)  # the current image, uint8 (H, W, 3)
    # The stage it is in, a gui.model.Phase (LOADING_MODEL, PREPARING): the window shows
    # the model's RunState, never the worker's words.
    phase = pyqtSignal(object)
    # progress: nst.run.session.Progress, without its image; finished: RunOutcome

    def __init__(
        self,
        settings: Settings,
        output_folder: str,
        *,
        autosave: bool = True,
        image_dims: ImageDims | None = None,
        resume: str | None = None,
    ) -> None:
        """``image_dims``: the content's and style's own (width, height), for the memory
        check before the run (None: no check). ``resume``: an unfinished run's recipe
        (nst.run.checkpoint) to go on from, read on this worker's thread."""
        super().__init__()
        self.settings = settings
        self.output_folder = output_folder
        self.autosave = autosave
        self.image_dims = image_dims
        self.resume = resume
        self.precision_used: str | None = None  # "float32" or "bfloat16", once prepared
        self._steers: list[tuple[str, float]] = []  # asked before the session existed

    def steer(self, name: str, value: float) -> None:
        """Change a weight of this run before its next step (GUI thread): the session's
        Transfer.steer, or once it exists. SettingsError if the run may not."""
        with self._lock:
            session = self._engine
            if session is None:
                self._steers.append((name, value))
                return
        session.steer(name, value)

    def attach(self, engine: Any) -> bool:
        stopped = super().attach(engine)
        with self._lock:
            asked, self._steers = self._steers, []
        for name, value in asked:  # the window's model checked them: the same objective
            engine.steer(name, value)
        return stopped

    def work(self) -> RunOutcome:
        started = time.perf_counter()
        if self.stop_requested:
            return RunOutcome(result=None)
        dims, gatys = self.image_dims, self.settings.method != "instant"
        if dims is not None and gatys and plan_for_run(self.settings, *dims)[1]:
            return self._run_in_own_process(dims, started)
        if dims is not None:
            # Here, not on the GUI thread: on a GPU machine the check asks TensorFlow,
            # which takes seconds to import and starts CUDA. NotEnoughMemory: `refused`.
            memory.admit_run(self.settings, *dims)
        self.admitted.emit()
        if not gatys:
            return self._run_instant(started)
        if not model_loaded():
            self.phase.emit(Phase.LOADING_MODEL)
        # The heavy import, on this thread: TensorFlow takes seconds to load.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        from nst.run.session import Transfer

        state, files = self._checkpoint_files()
        weights = _weights_for(self.settings.weights)
        session = Transfer(
            self.settings, weights=weights, preview_interval=PREVIEW_INTERVAL_S, resume=state
        )
        if self.attach(session):
            return RunOutcome(result=None)
        return self._run(session, files, started)

    def _run_in_own_process(self, dims: ImageDims, started: float) -> RunOutcome:
        """A run with stages in tiles, in a process of its own (nst.run.child: the
        system's allocator, and the window goes on if the system kills it)."""
        from nst.run.child import ChildTransfer, ProcessEnded

        state, files = self._checkpoint_files()
        session = ChildTransfer(
            self.settings, dims, preview_interval=PREVIEW_INTERVAL_S, resume=state
        )
        try:
            if self.attach(session):
                return RunOutcome(result=None)
            session.admit()  # NotEnoughMemory from over there: `refused`
            self.admitted.emit()
            self.phase.emit(Phase.LOADING_MODEL)
            session.load()
            return self._run(session, files, started)
        except ProcessEnded as exc:
            if files.recipe is None:  # no checkpoint yet: nothing to go on from
                raise
            raise RunError(f"{exc} {RESUME_WORDS}") from exc
        finally:
            session.close()

    def _checkpoint_files(self) -> tuple[Any, Any]:
        """The checkpoint to resume from (None: a new run) and where this run's go."""
        from nst.run.checkpoint import CheckpointFiles, read_checkpoint

        if self.resume:  # CheckpointError: one sentence, as `failed`
            _, state, files = read_checkpoint(self.resume)
            return state, files
        return None, CheckpointFiles.for_run(self.output_folder, self.settings)

    def _run(self, session: Any, files: Any, started: float) -> RunOutcome:
        """Prepare ``session`` (a Transfer, here or in its own process), take its steps,
        and keep its result."""
        self.phase.emit(Phase.PREPARING)
        session.prepare()
        self.precision_used = session.precision.used
        self.ready.emit(session.device, session.weights.describe(), session.precision)
        if self.stop_requested:
            # Transfer.steps() clears the session's stop flag when it starts, so a stop
            # asked for during prepare() is honoured here rather than lost.
            return RunOutcome(result=None)
        self._loop(session, files)
        outcome = self._keep(session.result(), started)
        if not outcome.stopped:
            files.remove()  # the run is done: its checkpoint is of no more use
        return outcome

    def _run_instant(self, started: float) -> RunOutcome:
        """The instant method: one pass of the network at the output size (no steps)."""
        self.phase.emit(Phase.PREPARING)
        from nst.instant import stylizer as instant  # TensorFlow, on this thread
        from nst.run.result import device_description

        result = instant.run(self.settings)
        # The network ran where TensorFlow placed it; it uses no VGG19 weights.
        self.ready.emit(device_description(), "", None)
        return self._keep(result, started)

    def _loop(self, session: Any, files: Any) -> None:
        """The steps; a long run's checkpoint every few minutes, and at Stop when it has
        one (nst.run.checkpoint: Run > Resume an unfinished run goes on from it)."""
        for progress in session.steps():
            if progress.image is not None:  # at the engine's rate: PREVIEW_INTERVAL_S
                self.preview.emit(progress.image)
            # The image travels by `preview` only; a record per step need not carry one.
            self.progress.emit(dataclasses.replace(progress, image=None))
            if files.due() or (self.stop_requested and files.recipe is not None):
                self._checkpoint(files, session)
            if self.stop_requested:
                break

    def _checkpoint(self, files: Any, session: Any) -> None:
        from nst.run.checkpoint import CheckpointError

        try:
            files.write(session.settings, session.checkpoint())
        except CheckpointError as exc:  # the run goes on; the next try is minutes away
            log.warning("%s", exc)

    def _keep(self, result: Any, started: float) -> RunOutcome:
        """The outcome with its recipe, saved unless autosave is off.

        A stopped run is saved too, as the command line saves on Ctrl+C: the best image
        so far is minutes of work, and a Run or a quit after Stop must not discard it.
        Its recipe says "stopped": true (Result.recipe), so History tells it apart.
        """
        recipe = result.recipe()
        recipe["wall_time_s"] = round(time.perf_counter() - started, 3)
        if not self.autosave:
            return RunOutcome(result=result, recipe=recipe)
        return self._save(result, recipe)

    def _save(self, result: Any, recipe: dict[str, Any]) -> RunOutcome:
        # The engine names the file; keep_elsewhere off: when the folder fails the window
        # keeps the image on screen with Save As, rather than in a temporary folder.
        from nst.run.outcome import save_outcome

        try:
            saved = save_outcome(
                result.image, self.settings, self.output_folder, recipe, keep_elsewhere=False
            )
        except NstError as exc:
            log.warning("autosave failed: %s", exc)
            return RunOutcome(result=result, recipe=recipe, save_error=str(exc))
        return RunOutcome(result=result, recipe=recipe, saved_path=str(saved.path))

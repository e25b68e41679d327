"""Starting and stopping the window's run: the question before a long one (its estimated
time and memory), the RunWorker on its QThread (whose first act is the memory check:
on a GPU machine it imports TensorFlow, never done on this, the GUI thread), the
step rate each run measures (kept in the app settings for the next estimate), a re-run
from History waiting for its images, and stopping on quit.

The controller owns the worker and its thread; it reads the window's model to start a
run and writes what the worker reports into the model's RunState (run_phases.py), which
the result and status panels follow. The window only shows whether a run is going on
(``running_changed``). Its collaborator, the window, is typed by what the controller
uses of it (RunHost).
"""

from __future__ import annotations

import os
from typing import Protocol

from PyQt5.QtCore import QObject, QThread, QTimer, pyqtSignal
from PyQt5.QtWidgets import QFileDialog, QMessageBox, QTabWidget

from gui import run_estimate_words as estimate_words
from gui.app_settings import AppSettings
from gui.error_words import memory_words
from gui.model import Change, ImagesChanged, WindowModel
from gui.workers.base import start_worker, stop_and_wait
from gui.workers.run_phases import RunPhases
from gui.workers.run_steering import RunSteering
from gui.workers.run_worker import ImageDims, RunOutcome, RunWorker
from nst import memory
from nst.errors import NstError
from nst.imaging.save import check_output_dir
from nst.run import estimate
from nst.run.child import plan_for_run
from nst.settings import Settings, read_recipe, texture_dims
from nst.tiled_memory import StageMemory

# The rough rate (small runs only: nst.run.estimate.TimeEstimate) is kept beside the
# measured ones under this prefix, e.g. "rough/float32".
ROUGH_KEY = "rough/"

NOT_SAVED = "The result was not saved"


class SizeControls(Protocol):
    def run_at_size(self, size: int) -> None: ...


class RunHost(Protocol):
    """What the controller uses of the window (gui/main_window.py's MainWindow)."""

    model: WindowModel
    store: AppSettings
    controls: SizeControls
    result_tabs: QTabWidget

    def problem(self) -> str: ...
    def current_settings(self) -> Settings: ...
    def apply_settings(self, settings: Settings) -> None: ...
    def load_from_history(self, settings: Settings) -> bool: ...
    def save_settings(self) -> None: ...
    def show_message(
        self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Warning
    ) -> QMessageBox: ...
    def show_problem(self, text: str) -> None: ...
    def show_stopping(self) -> None: ...
    def say(self, text: str, timeout_ms: int = 0) -> None: ...
    def close(self) -> bool: ...


class RunController(QObject):
    # Emitted with the RunWorker just before its thread starts (for tests and plug-ins
    # that want the worker's own signals from the very first one).
    started = pyqtSignal(object)
    running_changed = pyqtSignal(bool)

    def __init__(self, window: RunHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.model = window.model
        self.phases = RunPhases(window.model)
        self.steering = RunSteering(window.model, window.say)  # weights moved mid-run
        self.thread: QThread | None = None
        self.worker: RunWorker | None = None
        self.close_after_stop = False
        self.closing = False
        self.memory_box: QMessageBox | None = None  # the last "not enough memory" offer
        self.refusal: memory.NotEnoughMemory | None = None  # the worker's, until it ends
        self.estimate_box: QMessageBox | None = None  # the last question before a long run
        self.meter: estimate.RateMeter | None = None  # times the steps of the run going on
        # A History re-run, or a resumed run (its recipe's path), waiting for its images.
        self.pending: tuple[Settings, str | None] | None = None
        window.model.subscribe(self._model_changed)

    @property
    def is_running(self) -> bool:
        return self.worker is not None

    def run_or_stop(self) -> None:
        if self.is_running:
            self.stop_run()
        else:
            self.start_run()

    def resume_dialog(self) -> None:
        """Run > Resume an unfinished run: choose the recipe a stopped long run left in
        its output folder; its settings and folder are shown, and the run goes on."""
        if self.is_running:
            return
        path, _ = QFileDialog.getOpenFileName(
            self.parent(),
            "Resume an unfinished run",
            self.model.folder,
            "Unfinished runs (*_unfinished_*.json)",
        )
        if path:
            self.resume_run(path)

    def resume_run(self, path: str) -> bool:
        """Go on with the unfinished run whose recipe is ``path`` (nst.run.checkpoint)."""
        try:
            settings = read_recipe(path).load().settings
        except NstError as exc:
            self.window.show_message("Cannot resume the run", str(exc))
            return False
        self.window.apply_settings(settings)
        self.model.set_folder(os.path.dirname(os.path.abspath(path)))
        self.pending = (settings, path)
        return self._start_pending()

    def start_run(self, *, confirmed: bool = False, resume: str | None = None) -> bool:
        """Start a run with the current settings; False (and why, on screen) if it cannot,
        or if it is long and the user is asked first (``confirmed``: they said Run).
        ``resume``: an unfinished run's recipe to go on from (resume_run)."""
        window = self.window
        if self.is_running or window.problem():
            return False
        settings = window.current_settings()
        try:
            folder = check_output_dir(self.model.folder)
        except NstError as exc:
            window.show_message("Cannot run", str(exc))
            return False
        dims = self._image_dims(settings)
        over = self._over_the_limit(settings, dims)
        if over is not None:  # refused now, not after a question whether to run it
            self._offer_smaller_size(over)
            return False
        if not confirmed and self._ask_before_long_run(settings, dims):
            return False
        # A preview every step; the worker thins them to what is worth repainting.
        run_settings = settings.replace(preview_every=1)
        window.save_settings()

        # The memory check is the worker's first act (on a GPU machine it imports
        # TensorFlow): the panels clear once it passes, and a refusal offers a smaller size.
        worker = RunWorker(run_settings, str(folder), image_dims=dims, resume=resume)
        self.phases.follow(worker)  # the model's RunState, which the panels show
        self.steering.follow(worker)
        self.meter = estimate.RateMeter(
            estimate.stage_megapixels(
                run_settings, self._dims(run_settings), self._costs(run_settings, dims)
            )
        )
        worker.progress.connect(self.meter.add)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.refused.connect(self._keep_refusal)
        self.worker = worker  # a run is going on from here on (is_running)
        self.phases.started()
        self.running_changed.emit(True)
        self.thread = start_worker(
            worker, self, self._on_thread_finished, lambda: self.started.emit(worker)
        )
        return True

    def stop_run(self) -> None:
        if self.worker is None:
            return
        self.worker.stop()
        self.phases.stopping()
        self.window.show_stopping()

    def render_sweep_cell(self, settings: Settings) -> bool:
        """A cell chosen on the Sweep tab, as a normal run at the window's size."""
        self.window.apply_settings(settings)
        self.window.result_tabs.setCurrentIndex(0)
        return self.start_run()

    def run_at_size(self, size: int) -> bool:
        """Set the working size (the output size too when they are the same) and run."""
        self.window.controls.run_at_size(size)
        return self.start_run()

    # ------------------------------------------------------------------ memory

    def _image_dims(self, settings: Settings) -> ImageDims | None:
        """(content, style) (width, height) of the run's images; a texture's made-up
        content; None when an image's size is unknown."""
        content, style = self.model.image("content"), self.model.image("style")
        if style is None:
            return None
        if settings.method == "texture":
            # the engine's own canvas for it: the run scales it to the working size
            dims = texture_dims(settings.texture_aspect, (style.width, style.height))
        elif content is None:
            return None
        else:
            dims = (content.width, content.height)
        return dims, (style.width, style.height)

    def _dims(self, settings: Settings) -> tuple[int, int]:
        """The content's (width, height); a square, the most pixels a size can have, when
        it is unknown."""
        dims = self._image_dims(settings)
        return dims[0] if dims else (settings.size, settings.size)

    def _over_the_limit(
        self, settings: Settings, dims: ImageDims | None
    ) -> memory.NotEnoughMemory | None:
        """The refusal of a run that its memory limit (max_memory) cannot hold even in
        tiles, in the process of its own it would then have: known here from the sizes
        alone, on any device. What this machine has free is the worker's check."""
        if settings.max_memory is None or dims is None:
            return None
        fit = memory.check(settings, *dims, own_process=True, limit_only=True)
        return None if fit.fits else memory.NotEnoughMemory(fit, settings)

    def _plan(self, settings: Settings, dims: ImageDims | None) -> dict[int, StageMemory]:
        """Each stage's memory plan (which go in tiles) within the host's memory, from the
        sizes alone (no TensorFlow: this is the GUI thread), as the worker will run it (a
        run in tiles in a process of its own); {} when an image's size is unknown."""
        return plan_for_run(settings, *dims)[0] if dims else {}

    def _peak(self, settings: Settings, dims: ImageDims | None) -> int | None:
        """The run's estimated peak memory, its stages in tiles where they must be; None
        when an image's size is unknown."""
        plan = self._plan(settings, dims)
        return max(stage.peak for stage in plan.values()) if plan else None

    def _costs(self, settings: Settings, dims: ImageDims | None) -> dict[int, float]:
        """By stage size, a step's time per pixel relative to the whole image's."""
        return {size: stage.cost for size, stage in self._plan(settings, dims).items()}

    # ------------------------------------------------------------------ time

    def estimate_time(self, settings: Settings) -> estimate.TimeEstimate | None:
        """The run's predicted time at this machine's measured rate, else a rough one from
        its small runs; None when nothing was measured."""
        store = self.window.store
        return estimate.run_estimate(
            settings,
            self._dims(settings),
            store.step_rate(settings.precision),
            store.step_rate(ROUGH_KEY + settings.precision),
            self._costs(settings, self._image_dims(settings)),
        )

    def _ask_before_long_run(self, settings: Settings, dims: ImageDims | None) -> bool:
        """Ask Run / Cancel before a long run (True: asked; Run starts it, confirmed)."""
        predicted = self.estimate_time(settings)
        if not estimate.should_ask(settings, predicted):
            return False
        text = estimate_words.question(predicted, self._peak(settings, dims))
        box = self.window.show_message("A long run", text, QMessageBox.Question)
        box.setInformativeText(estimate_words.advice(predicted))
        box.setStandardButtons(QMessageBox.Cancel)
        run = box.addButton("Run", QMessageBox.AcceptRole)
        run.setToolTip("Start the run now; Stop ends it at any step with its best image so far.")
        box.setDefaultButton(run)
        run.clicked.connect(lambda: self.start_run(confirmed=True))
        self.estimate_box = box
        return True

    def _remember_rate(self) -> None:
        """Keep the rates the run measured, for the next estimate at its precision."""
        meter, worker = self.meter, self.worker
        self.meter = None
        if meter is None or worker is None:
            return
        # Kept under the precision the run used (a rate belongs to it) and, for "automatic",
        # under the setting too: the next estimate looks up the setting, before TensorFlow.
        for key in {worker.settings.precision, getattr(worker, "precision_used", None)} - {None}:
            if meter.rate is not None:
                self.window.store.remember_step_rate(key, meter.rate)
            if meter.rough_rate is not None:
                self.window.store.remember_step_rate(ROUGH_KEY + key, meter.rough_rate)
        self.window.store.sync()

    def _keep_refusal(self, refusal: memory.NotEnoughMemory) -> None:
        """The worker's memory check refused the run: offered once its thread has ended,
        so that the offer's Run starts at once."""
        self.refusal = refusal

    def _offer_smaller_size(self, refusal: memory.NotEnoughMemory) -> None:
        """Say the run would not fit and offer to run at the largest size that does."""
        fit = refusal.fit
        text = memory_words(refusal)
        self.window.say(text, 15000)
        if self.closing or self.close_after_stop:
            return
        self.window.show_problem(text)
        box = self.window.show_message("Not enough memory for this size", text)
        if fit.largest_size:
            box.setStandardButtons(QMessageBox.Cancel)
            use = box.addButton(f"Run at {fit.largest_size} px", QMessageBox.AcceptRole)
            box.setDefaultButton(use)
            use.clicked.connect(lambda: self.run_at_size(fit.largest_size or 0))
        self.memory_box = box

    # ------------------------------------------------------------------ the worker's end

    def _on_finished(self, outcome: RunOutcome) -> None:
        if outcome.save_error and not outcome.saved_path and not self.closing:
            self.window.show_message(
                NOT_SAVED, f"{outcome.save_error} The result is still here: use Save As."
            )

    def _on_failed(self, message: str) -> None:
        if not self.closing and not self.close_after_stop:
            self.window.show_message("The run failed", message)

    def _on_thread_finished(self) -> None:
        self._remember_rate()
        thread = self.thread
        self.thread = None
        self.worker = None
        self.steering.end()
        if thread is not None:
            thread.deleteLater()
        self.phases.ended()
        self.running_changed.emit(False)
        refusal, self.refusal = self.refusal, None
        if self.close_after_stop:
            QTimer.singleShot(0, self.window.close)
        elif refusal is not None:
            self._offer_smaller_size(refusal)

    def shutdown(self, timeout_ms: int = 120_000) -> None:
        """Stop a run in progress and wait for its thread (on quit; blocks)."""
        self.closing = True
        stop_and_wait(self.worker, self.thread, timeout_ms)

    # ------------------------------------------------------------------ History

    def rerun(self, settings: Settings) -> None:
        """Show a History result's settings and run them, once their images have loaded."""
        if not self.window.load_from_history(settings):
            return
        self.window.result_tabs.setCurrentIndex(0)
        self.pending = (settings, None)
        self._start_pending()

    def _model_changed(self, change: Change) -> None:
        if isinstance(change, ImagesChanged) and not change.loading:
            self._start_pending()

    def _start_pending(self) -> bool:
        """Start the pending re-run or resumed run once its images have loaded; False if
        it cannot start (and why, on screen), True if it started or still waits."""
        if self.pending is None:
            return False
        if self.model.loading:
            return True
        (settings, resume), self.pending = self.pending, None
        not_done = "Not resumed" if resume else "Not re-run"
        # A picker that could not load the recipe's image keeps the one it had: running
        # then would make a different picture than the one the user asked to re-run.
        for role, path in (("content", settings.content), ("style", settings.style)):
            image = self.model.image(role)
            if path and (image is None or os.path.abspath(os.path.expanduser(path)) != image.path):
                self.window.say(
                    f"{not_done}: the {role} image '{os.path.basename(path)}' could not be loaded.",
                    15000,
                )
                return False
        return self.start_run(confirmed=True, resume=resume) if resume else self.start_run()

"""The run's progress under the result (bar, step, speed, time left) and, in the status
bar, the device and the weights the engine reports once a run has prepared.

A view of the model's RunState (gui/model/run_state.py): it draws the phase, the step and
the engine from that value alone, never from a worker's words. While the queue runs its
jobs, the bar and the line follow the running job from the model's JobsChanged and
JobStep ("Queue job 3 of 6 · step 40 of 300"), as they follow a run of the window's own."""

from __future__ import annotations

import re
import time

from PyQt5.QtCore import QEvent, QObject, QSize
from PyQt5.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QStatusBar,
    QWidget,
)

from gui.labels import speed_text
from gui.model import (
    Change,
    Engine,
    JobsChanged,
    JobStep,
    Phase,
    RunState,
    RunStateChanged,
    WindowModel,
)
from gui.widgets.path_label import PathLabel, elide_path
from nst.batch.store import DONE, FAILED, RUNNING, STOPPED, WAITING
from nst.run.clock import clock_text

WEIGHTS_TIP = "Where the VGG19 weights come from."
DEVICE_TIP = (
    "Where the optimization runs: the GPU TensorFlow sees, else the CPU, and the precision "
    "of its convolutions. Known once the model has loaded."
)
# The engine describes its weights as "<source> <file name> (<checksum>)": the file name
# is the part that can be shortened, the checksum is dropped whole, never cut.
_WEIGHTS_PARTS = re.compile(r"^(?P<before>.*\s)(?P<path>\S+)(?P<after> \([0-9a-f]+\))$")
UNKNOWN_DEVICE = "Device: found on the first run"
# What the progress label says in a phase without steps to count.
PHASE_WORDS = {
    Phase.IDLE: "Ready",
    Phase.STARTING: "Starting…",
    Phase.LOADING_MODEL: "Loading the model…",
}
# The permanent labels take at most this share of the status bar: the rest is for the
# messages ("Saved /home/…/result_001.png").
PERMANENT_SHARE = 0.45


class StatusPanel(QWidget):
    def __init__(
        self, model: WindowModel, status_bar: QStatusBar, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.status_bar = status_bar
        self._shown = RunState()  # the state drawn last: what changed since
        self._queue = JobsChanged(())  # the queue as last published
        self._queue_job: int | None = None  # the queue job the bar follows
        self._queue_started = 0.0  # time.monotonic() when it began
        self._side_by_side = False  # the queue's jobs run together (on a Ray cluster)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("")  # no "0%" before anything has run
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setToolTip("Steps done out of the iterations asked for.")
        self.progress_label = QLabel("Ready")
        self.progress_label.setMinimumWidth(320)
        self.progress_label.setToolTip("Step, speed in iterations per second, and the time left.")
        layout.addWidget(self.progress_bar, 1)
        layout.addWidget(self.progress_label)

        self.device_label = QLabel(UNKNOWN_DEVICE)
        self.device_label.setToolTip(DEVICE_TIP)
        self.weights_label = _WeightsLabel(status_bar, WEIGHTS_TIP)
        self.weights_label.set_parts("Weights: loaded on the first run", "")
        for widget in (self.device_label, self.weights_label):
            widget.setContentsMargins(8, 0, 8, 0)
        separator = QFrame()
        separator.setFrameShape(QFrame.VLine)
        separator.setFrameShadow(QFrame.Sunken)
        status_bar.addPermanentWidget(self.device_label)
        status_bar.addPermanentWidget(separator)
        status_bar.addPermanentWidget(self.weights_label)
        model.subscribe(self._model_changed)

    def message(self, text: str, timeout_ms: int = 0) -> None:
        self.status_bar.setToolTip("")
        self.status_bar.showMessage(text, timeout_ms)

    def message_path(self, before: str, path: str, timeout_ms: int = 0) -> None:
        """``before`` + ``path``, the path shortened in the middle to the room the status
        bar leaves for messages (QStatusBar cuts a long one off at its end); the full
        text is the status bar's tooltip while it shows."""
        metrics = self.status_bar.fontMetrics()
        room = self.message_room() - metrics.horizontalAdvance(before)
        self.status_bar.showMessage(before + elide_path(path, metrics, room), timeout_ms)
        self.status_bar.setToolTip(before + path)

    def message_room(self) -> int:
        """The width left of the permanent labels, where QStatusBar draws its message."""
        left = min(w.geometry().left() for w in (self.device_label, self.weights_label))
        if left <= 0 or not self.status_bar.isVisible():  # not laid out yet: a guess
            left = int(self.status_bar.width() * (1 - PERMANENT_SHARE))
        return max(80, left - 16)

    # ------------------------------------------------------------------ the run's state

    def _model_changed(self, change: Change) -> None:
        if isinstance(change, RunStateChanged):
            before, self._shown = self._shown, change.state
            self.show_state(change.state, before)
        elif isinstance(change, JobsChanged):
            self.show_queue(change)
        elif isinstance(change, JobStep) and change.job_id == self._queue_job:
            self.show_queue_step(change)

    def show_state(self, state: RunState, before: RunState) -> None:
        if state.engine is not None and state.engine != before.engine:
            self.show_engine(state.engine)
        if state.run != before.run:  # a new run: an empty bar for its steps
            self.progress_bar.setRange(0, max(1, state.total))
            self.progress_bar.setValue(0)
            self.progress_bar.setFormat("%p%" if state.total else "")
        if state.phase is Phase.RUNNING and state.step:
            self.show_progress(state)
        elif state.phase in (Phase.FINISHED, Phase.STOPPED, Phase.FAILED):
            if state.phase != before.phase or state.ending != before.ending:
                self.show_end(state, before)
        elif state.phase is Phase.STOPPING:
            if before.phase is not Phase.STOPPING:
                self.message("Stopping after the current step…")
        elif state.phase != before.phase:
            text = self.phase_words(state)
            self.progress_label.setText(text)
            if state.phase is not Phase.IDLE:
                self.message(text)

    @staticmethod
    def phase_words(state: RunState) -> str:
        if state.phase is Phase.PREPARING:
            if state.method == "instant":
                return "Making the instant result…"
            return "Preparing the images…"
        if state.phase is Phase.RUNNING and state.engine is not None:  # step 0
            precision = state.engine.precision
            used = f" in {precision.used}" if precision is not None else ""
            return f"Running on {state.engine.device}{used}"
        return PHASE_WORDS.get(state.phase, "Starting…")

    def show_engine(self, engine: Engine) -> None:
        """The device, the precision used (its reason in the tooltip: the label stays
        short beside the weights) and the weights; an engine without weights (the instant
        network) leaves the weights shown."""
        precision = engine.precision
        if precision is None:
            self.device_label.setText(f"Device: {engine.device}")
            self.device_label.setToolTip(DEVICE_TIP)
        else:
            how = " (automatic)" if precision.setting == "automatic" else ""
            self.device_label.setText(f"Device: {engine.device} · {precision.used}{how}")
            self.device_label.setToolTip(f"{DEVICE_TIP}\nPrecision: {precision.words()}")
        if not engine.weights:
            return
        match = _WEIGHTS_PARTS.match(engine.weights)
        if match:
            before, path, after = match.group("before", "path", "after")
            self.weights_label.set_parts(
                f"Weights: {before}", path, after, short_before="Weights: "
            )
        else:
            self.weights_label.set_parts(f"Weights: {engine.weights}", "")

    def show_progress(self, state: RunState) -> None:
        self.progress_bar.setRange(0, state.total)
        self.progress_bar.setValue(state.step)
        parts = [f"Step {state.step} of {state.total}", speed_text(state.step, state.elapsed)]
        parts.append(state.where)
        if state.eta is not None and state.step < state.total:
            parts.append(f"{clock_text(state.eta)} left")
        self.progress_label.setText(" · ".join(p for p in parts if p))

    # ------------------------------------------------------------------ the queue's jobs

    def show_queue(self, queue: JobsChanged) -> None:
        """A queue job began (an empty bar for its steps) or the queue ended; between two
        jobs the last job's line stays."""
        self._queue = queue
        running = sum(job.state == RUNNING for job in queue.jobs)
        if running > 1 or (self._side_by_side and queue.running):
            # On a Ray cluster the jobs run side by side and report no steps: the bar
            # counts the queue's finished jobs instead.
            self._side_by_side = True
            self._queue_job = -1 if queue.current is None else queue.current  # ends below
            finished = sum(job.state in (DONE, FAILED, STOPPED) for job in queue.jobs)
            self.progress_bar.setRange(0, max(1, len(queue.jobs)))
            self.progress_bar.setValue(finished)
            self.progress_bar.setFormat("%v of %m")
            self.progress_label.setText(f"Queue: {running} running side by side")
            return
        self._side_by_side = False
        if queue.current is not None and queue.current != self._queue_job:
            self._queue_job, self._queue_started = queue.current, time.monotonic()
            self.progress_bar.setRange(0, 1)
            self.progress_bar.setValue(0)
            self.progress_bar.setFormat("")
            self.progress_label.setText(f"{self._queue_place(queue.current)} · starting…")
        elif queue.current is None and not queue.running and self._queue_job is not None:
            self._queue_job = None
            waiting = any(job.state == WAITING for job in queue.jobs)
            self.progress_label.setText("Queue stopped" if waiting else "Queue done")

    def show_queue_step(self, step: JobStep) -> None:
        self.progress_bar.setRange(0, max(1, step.total))
        self.progress_bar.setValue(step.step)
        self.progress_bar.setFormat("%p%")
        elapsed = time.monotonic() - self._queue_started
        parts = [
            self._queue_place(step.job_id),
            f"step {step.step} of {step.total}",
            speed_text(step.step, elapsed),
            step.where,
        ]
        if 0 < step.step < step.total:
            parts.append(f"{clock_text(elapsed / step.step * (step.total - step.step))} left")
        self.progress_label.setText(" · ".join(p for p in parts if p))

    def _queue_place(self, job_id: int) -> str:
        """'Queue job 3 of 6': the job's place among the queue's jobs."""
        ids = [job.id for job in self._queue.jobs]
        if job_id not in ids:
            return "Queue job"
        return f"Queue job {ids.index(job_id) + 1} of {len(ids)}"

    def show_end(self, state: RunState, before: RunState) -> None:
        """The run's last word ("Done: ...", "Stopped", "Failed"), a full bar if it
        completed, and the line the status bar says about it."""
        ending = state.ending
        if state.phase is Phase.FAILED:
            self.progress_label.setText("Failed")
            if ending is not None and ending.error:
                self.message(ending.error, 15000)
            return
        if ending is None:  # the thread ended without saying how
            self.progress_label.setText("Stopped")
            return
        if before.ending is not None and before.phase is state.phase:
            if ending.saved_path and ending.saved_path != before.ending.saved_path:
                self.message_path("Saved ", ending.saved_path, 10000)  # Save, Save As
            return
        if state.phase is Phase.STOPPED:
            if not ending.has_result:
                self.progress_label.setText("Stopped")
                self.message("Stopped before the first step.", 8000)
                return
            self.progress_label.setText(f"Stopped at step {ending.steps}")
        elif state.method == "instant":
            self.progress_label.setText(f"Done in {ending.duration:.2f} s")
        else:
            steps = f"{ending.steps} step{'s' if ending.steps != 1 else ''}"
            self.progress_label.setText(f"Done: {steps} in {clock_text(ending.duration)}")
        if state.phase is Phase.FINISHED:
            self.progress_bar.setValue(self.progress_bar.maximum())
        if ending.saved_path:
            self.message_path("Saved ", ending.saved_path, 10000)
        elif state.phase is Phase.STOPPED:
            self.message("Stopped; use Save or Save As to keep this image.", 10000)


class _WeightsLabel(PathLabel):
    """The weights' description, no wider than its share of the status bar."""

    def __init__(self, status_bar: QStatusBar, tip: str) -> None:
        super().__init__(tip)
        self.status_bar = status_bar
        # Preferred: it gets its size hint when there is room and shrinks when there is not.
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        status_bar.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.status_bar and event.type() == QEvent.Resize:
            self.updateGeometry()  # the size hint follows the status bar's width
        return False

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint()
        share = int(self.status_bar.width() * PERMANENT_SHARE) - 160  # the device label's
        return QSize(max(self.minimumSizeHint().width(), min(hint.width(), share)), hint.height())

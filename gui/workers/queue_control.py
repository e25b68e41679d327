"""Running the queue: one QueueWorker after another, each on its own QThread, while the
window goes on (choosing images, previewing, browsing History); or, placed on a Ray
cluster (``where``), one RayQueueWorker that sends every waiting job as a Ray task.

The controller asks the queue's model (gui/model/queue.py, on this the GUI thread) for
the next job, starts a worker for it and writes its end back into the model: done or
stopped with its files, or failed with the one sentence why (a failure does not stop
the queue). The window's own Run waits meanwhile (the model's readiness says so), and
the queue does not start while a run or a sweep is going on. On Ray, a job whose task did
not finish (Stop, or no cluster to send it to) waits again.
"""

from __future__ import annotations

import time
from typing import Any

from PyQt5.QtCore import QObject, QThread, pyqtSignal

from gui.error_words import memory_words
from gui.model import Engine, JobOutcome, QueueModel
from gui.model.where_runs import WhereRuns
from gui.workers.base import start_worker, stop_and_wait
from gui.workers.queue_ray import RayQueueWorker
from gui.workers.queue_worker import QueueWorker
from nst.batch.queue import JobResult
from nst.batch.store import FAILED, Job
from nst.memory import NotEnoughMemory


class QueueController(QObject):
    # A job's result was saved into this folder (History lists it).
    saved = pyqtSignal(str)
    # Emitted with each QueueWorker (or RayQueueWorker) just before its thread starts.
    started = pyqtSignal(object)
    # The queue could not start on the Ray cluster (one sentence); its jobs wait again.
    problem = pyqtSignal(str)

    def __init__(
        self, queue: QueueModel, where: WhereRuns | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.queue = queue
        self.where = where if where is not None else WhereRuns()
        self.thread: QThread | None = None
        self.worker: QueueWorker | RayQueueWorker | None = None
        self.closing = False
        self._started = 0.0
        self._sent: set[int] = set()  # the jobs on the Ray cluster not reported yet

    @property
    def busy(self) -> bool:
        """Why Run all cannot start now: a run or a sweep is going on."""
        model = self.queue.model
        return model.run_state.active or model.sweep_running

    def run_all(self) -> bool:
        """Run the waiting jobs (one after another here, side by side on a Ray cluster);
        False when none waits or the window is busy with a run or a sweep."""
        if self.closing or self.busy or not self.queue.run_all():
            return False
        self._next()
        return True

    def stop(self) -> None:
        """Stop after the running job's current step (its best image is kept); on Ray,
        cancel the tasks not finished (their jobs wait again)."""
        self.queue.stop()
        if self.worker is not None:
            self.worker.stop()

    def _next(self) -> None:
        if self.closing or self.worker is not None:
            return
        if self.where.placement.ray:
            self._send_all()
            return
        job = self.queue.begin_next()
        if job is None:
            return
        worker = QueueWorker(job)
        worker.progress.connect(self._step)
        worker.ready.connect(self._ready)
        worker.finished.connect(lambda result: self._finished(job, result))
        worker.failed.connect(lambda message: self._end(job, message))
        worker.refused.connect(lambda refusal: self._refused(job, refusal))
        self._start(worker)

    def _send_all(self) -> None:
        jobs = self.queue.begin_all()
        if not jobs:
            return
        worker = RayQueueWorker(jobs, self.where.placement.cluster_address)
        worker.ready.connect(self._ready)
        worker.job_done.connect(self._finished)
        worker.job_failed.connect(self._failed)
        worker.failed.connect(self._problem)
        self._sent = {job.id for job in jobs}
        self._start(worker)

    def _start(self, worker: QueueWorker | RayQueueWorker) -> None:
        self.worker = worker
        self._started = time.perf_counter()
        self.thread = start_worker(
            worker, self, self._thread_finished, lambda: self.started.emit(worker)
        )

    def _problem(self, message: str) -> None:
        """No job could run on the cluster: the queue stops, and says why."""
        self.queue.stop()
        self.problem.emit(message)

    def _ready(self, device: str, weights: str, precision: Any) -> None:
        before = self.queue.model.run_state.engine
        if not weights and before is not None:
            weights = before.weights  # the instant network reads no VGG19 weights
        self.queue.model.update_run(engine=Engine(device, weights, precision))

    def _step(self, record: tuple[int, Any]) -> None:
        job_id, progress = record
        if self.closing:  # a step that arrives after the store closed
            return
        self.queue.step(job_id, progress.step, progress.total, progress.stage_words())

    def _finished(self, job: Job, result: JobResult) -> None:
        self._sent.discard(job.id)
        outcome = JobOutcome(result.state, list(result.files), result.losses, result.seconds)
        self.queue.end_job(job.id, outcome)
        if result.files:
            self.saved.emit(job.folder)

    def _refused(self, job: Job, refusal: NotEnoughMemory) -> None:
        self._end(job, memory_words(refusal))

    def _end(self, job: Job, reason: str) -> None:
        self._failed(job, reason, time.perf_counter() - self._started)

    def _failed(self, job: Job, reason: str, seconds: float) -> None:
        self._sent.discard(job.id)
        self.queue.end_job(job.id, JobOutcome(FAILED, reason=reason, seconds=seconds))

    def _thread_finished(self) -> None:
        thread = self.thread
        self.thread = None
        self.worker = None
        if thread is not None:
            thread.deleteLater()
        for job_id in sorted(self._sent):  # cancelled, or never sent: they wait again
            self.queue.put_back(job_id)
        self._sent = set()
        self._next()

    def shutdown(self, timeout_ms: int = 120_000) -> None:
        """On quit: stop the running job without keeping its image, wait for its thread,
        and close the store (the job waits again, to run from the start next time)."""
        self.closing = True
        if self.worker is not None:
            self.worker.discard()
        stop_and_wait(self.worker, self.thread, timeout_ms)
        self.queue.close()

"""The queue worker: runs one queue job (nst.batch.queue.run_job) on a QThread and
reports its steps and its end by signals (gui/workers/base.py).

One worker a job: the queue controller (gui/workers/queue_control.py) takes the next job
from the model between jobs, on the GUI thread, so the job store is written from one
thread only. TensorFlow is imported inside ``work``, on the worker's thread; the weights
and the compiled loss are kept by the engine for the next job.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from typing import Any

from gui.workers.base import Worker, _weights_for
from nst.batch.queue import JobResult, run_job
from nst.batch.store import Job
from nst.run.series import SessionSeries


class QueueWorker(Worker):
    # progress: (job id, nst.run.result.Progress without its image); finished: JobResult;
    # failed: one sentence; refused: nst.memory.NotEnoughMemory.
    what = "queue job"

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self._discard = threading.Event()

    def discard(self) -> None:
        """Stop without keeping the best image (the window closes: the job runs again from
        the start next time); safe from any thread."""
        self._discard.set()
        self.stop()

    def work(self) -> JobResult:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        series = SessionSeries()
        if self.attach(series):  # Stop before the job began: it ends at once
            series.stop()
        settings = self.job.settings
        weights = None if settings.method == "instant" else _weights_for(settings.weights)
        from nst.run.result import device_description  # TensorFlow, on this thread

        # Where the job runs, for the status bar (the precision is each job's own).
        self.ready.emit(device_description(), weights.describe() if weights else "", None)
        return run_job(
            self.job,
            series,
            weights=weights,
            on_step=self._step,
            keep_stopped=lambda: not self._discard.is_set(),
        )

    def _step(self, progress: Any) -> None:
        # The image stays here: the Queue tab shows a job's steps, not its live picture.
        self.progress.emit((self.job.id, dataclasses.replace(progress, image=None)))

"""The queue on a Ray cluster: every job sent to it is a Ray task, and as each task
finishes (in the order they finish) this worker saves the result into the job's folder,
as a queue job run here is saved (nst.batch.queue.save_job_result), and reports the job
by a signal; the controller (gui/workers/queue_control.py) writes it into the store on
the GUI thread. The images travel with the tasks: no worker needs the job's folders.

Ray is imported and the cluster connected on this worker's thread. A job of the instant
network (one quick pass, no task of its own) runs here meanwhile. Stop cancels the tasks
not finished; the controller puts their jobs back to waiting.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from PyQt5.QtCore import pyqtSignal

from gui.error_words import error_words
from gui.model.where_runs import cluster_device
from gui.workers.base import Worker
from nst.batch.queue import run_job, save_job_result
from nst.batch.store import Job
from nst.errors import NstError
from nst.imaging.save import check_output_dir
from nst.run.inputs import run_images
from nst.run.series import SessionSeries


class RayQueueWorker(Worker):
    # finished: None (the jobs are reported one by one); failed: one sentence, and no
    # job ran (Ray missing, no cluster at the address, the cluster lost).
    job_done = pyqtSignal(object, object)  # Job, nst.batch.queue.JobResult
    job_failed = pyqtSignal(object, str, float)  # Job, one sentence, seconds
    what = "queue"

    def __init__(self, jobs: list[Job], address: str) -> None:
        super().__init__()
        self.jobs = jobs
        self.address = address
        self._discard = threading.Event()
        self.pool: Any = None  # the nst.cluster TaskPool, once connected (tests look at it)

    def discard(self) -> None:
        """Stop and save nothing more (the window closes: the jobs not reported run again
        from the start next time); safe from any thread."""
        self._discard.set()
        self.stop()

    def work(self) -> None:
        from nst.cluster.connect import connect  # imports Ray: on this thread

        with connect(self.address) as cluster:
            self.ready.emit(cluster_device(cluster.describe()), "", None)
            pool = self.pool = cluster.pool()
            here = []
            for job in self.jobs:
                if self.stop_requested:
                    break
                if job.settings.method == "instant":
                    here.append(job)
                    continue
                try:
                    self._send(pool, job)
                except NstError as exc:  # a photo or folder that fails the job alone
                    self.job_failed.emit(job, error_words(exc), 0.0)
            for job in here:
                if not self.stop_requested:
                    self._run_here(job)
            for job, outcome in pool.finished(lambda: self.stop_requested):
                self._keep(job, outcome)

    def _send(self, pool: Any, job: Job) -> None:
        settings = job.settings
        check_output_dir(job.folder)  # before the task's minutes of work, not after
        content, style = run_images(settings)
        # Jobs of the same photo or style send its pixels once.
        shared = (pool.share(settings.content, content), pool.share(settings.style, style))
        pool.submit(job, settings, *shared)

    def _keep(self, job: Job, outcome: Any) -> None:
        """Save a task's result (an nst.cluster.item.ItemOutcome) and report the job."""
        if outcome.error:
            self.job_failed.emit(job, outcome.error, outcome.seconds)
            return
        if self._discard.is_set():
            return
        try:
            # The job's time is its task's, where it ran, not its wait for a free worker.
            result = save_job_result(job, outcome, time.perf_counter() - outcome.seconds)
        except NstError as exc:  # the job's folder refused the file
            self.job_failed.emit(job, error_words(exc), outcome.seconds)
            return
        self.job_done.emit(job, result)

    def _run_here(self, job: Job) -> None:
        series = SessionSeries()
        if self.attach(series):
            series.stop()
        started = time.perf_counter()
        try:
            result = run_job(job, series, keep_stopped=lambda: not self._discard.is_set())
        except NstError as exc:
            self.job_failed.emit(job, error_words(exc), time.perf_counter() - started)
            return
        self.job_done.emit(job, result)

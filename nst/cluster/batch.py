"""A batch whose items are Ray tasks: the driver reads the images, sends each distinct
one to the cluster once, and saves every result, batch.json and the sheet itself as the
tasks finish, in the order they finish."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from nst.batch.runner import BatchRun, ItemDone, ItemStarted, ItemStep
from nst.batch.store import DONE
from nst.errors import NstError


class RayBatchRun(BatchRun):
    """BatchRun's items on ``cluster`` (an entered nst.cluster.connect.Cluster). Events
    are ItemDone only: a task's steps stay on its worker. ``stop`` cancels the tasks not
    finished; they wait for a resume."""

    def __init__(self, folder: str | os.PathLike[str], cluster: Any) -> None:
        super().__init__(folder)
        self.cluster = cluster

    def prepare(self) -> None:
        """Nothing: each worker reads its own weights, and the driver needs none."""

    def _items(self) -> Iterator[ItemStarted | ItemStep | ItemDone]:
        jobs = self.jobs
        count = len(jobs)
        pool = self.cluster.pool()
        for index, job in enumerate(jobs):
            if job.state == DONE:
                continue
            try:
                content, style = self.images(job.settings)
            except NstError as exc:
                # A photo that cannot be read fails here, alone, before a task is sent.
                self.fail(job, str(exc), 0.0)
                yield self.item_done(job, index, count, None)
                continue
            self.store.start(job.id)
            pool.submit(
                (index, job),
                job.settings,
                pool.share(job.settings.content, content),
                pool.share(job.settings.style, style),
            )
        started, sent, finished = time.perf_counter(), pool.pending, 0
        for (index, job), outcome in pool.finished(lambda: self._series.stopped):
            if outcome.error:
                self.fail(job, outcome.error, outcome.seconds)
            else:
                try:
                    self.keep(job, outcome, DONE, outcome.seconds)
                except NstError as exc:  # the batch's folder refused the file
                    self.fail(job, str(exc), outcome.seconds)
            finished += 1
            # Items finish side by side: the time per item is the batch's pace so far.
            eta = (sent - finished) * (time.perf_counter() - started) / finished
            yield self.item_done(job, index, count, eta)

"""The Ray task of one item, and a pool that sends items and yields each outcome as its
task finishes (ray.wait), in the order they finish.

A worker that dies (killed, its node lost) has its task run again by Ray, up to
MAX_RETRIES times; a bad input is an outcome (item.run_item), never retried. Whatever
the pool stops waiting for (a stop, Ctrl+C, an error) is cancelled.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from nst.cluster.files import read_side_files
from nst.cluster.item import ItemOutcome, run_item
from nst.errors import reason
from nst.settings import Settings

# Ray's own default for a task: enough for a worker lost to a restart or a node that
# left, while a run that kills its worker every time (memory) ends as a failed item.
MAX_RETRIES = 3
# How long one ray.wait blocks: a stop asked for from another thread is seen this soon.
WAIT_SECONDS = 0.5


def work(
    settings: dict[str, Any],
    content: np.ndarray | None,
    style: np.ndarray,
    files: dict[str, bytes],
) -> ItemOutcome:
    """A worker's side of one item: run_item, with TensorFlow held to the CPUs Ray gave
    the task, and the node it ran on."""
    import ray

    context = ray.get_runtime_context()
    cpus = context.get_assigned_resources().get("CPU")
    if cpus:
        # Read by TensorFlow when it starts: a worker process starts it with its first item.
        os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(max(1, int(cpus))))
    return replace(run_item(settings, content, style, files), node=context.get_node_id())


def failure_words(ray: Any, exc: BaseException) -> str:
    """The one sentence for a task Ray gave up on."""
    errors = ray.exceptions
    if isinstance(exc, errors.OutOfMemoryError):
        return "Ray ended its run because its node ran out of memory."
    if isinstance(exc, errors.RayTaskError):
        cause = exc.cause if exc.cause is not None else exc
        return f"It failed on its Ray worker ({reason(cause)})."
    return f"Its Ray worker died {MAX_RETRIES + 1} times ({type(exc).__name__})."


class TaskPool:
    """Items sent to a Ray cluster as tasks, each asking for ``resources``."""

    def __init__(self, ray: Any, resources: dict[str, float]) -> None:
        self.ray = ray
        self._task = ray.remote(max_retries=MAX_RETRIES, retry_exceptions=False)(work)
        self._task = self._task.options(**resources)
        self._shared: dict[Any, Any] = {}
        self._pending: dict[Any, Any] = {}  # ObjectRef -> the caller's key

    def share(self, key: Any, image: np.ndarray | None) -> Any:
        """``image`` in the cluster's object store once, however many tasks use it: the
        first image given for ``key`` is sent, later ones are the same picture."""
        if key not in self._shared:
            self._shared[key] = None if image is None else self.ray.put(image)
        return self._shared[key]

    def submit(self, key: Any, settings: Settings, content: Any, style: Any) -> None:
        """Send one item: ``content`` and ``style`` are arrays or refs from ``share``."""
        files = read_side_files(settings)
        ref = self._task.remote(settings.to_dict(), content, style, files)
        self._pending[ref] = key

    @property
    def pending(self) -> int:
        return len(self._pending)

    def finished(self, stopped: Callable[[], bool]) -> Iterator[tuple[Any, ItemOutcome]]:
        """(key, outcome) of each item as its task finishes, until all have or
        ``stopped()`` says so; the tasks not finished then are cancelled."""
        try:
            while self._pending and not stopped():
                ready, _ = self.ray.wait(list(self._pending), num_returns=1, timeout=WAIT_SECONDS)
                for ref in ready:
                    key = self._pending.pop(ref)
                    yield key, self._outcome(ref)
        finally:
            self.cancel()

    def _outcome(self, ref: Any) -> ItemOutcome:
        try:
            return self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:
            return ItemOutcome.failed(failure_words(self.ray, exc))

    def cancel(self) -> None:
        """Cancel every task not finished; force: a run's steps are C++ that a polite
        interruption would wait for."""
        for ref in list(self._pending):
            # A task that finished meanwhile, or a cluster gone away: nothing to cancel.
            with contextlib.suppress(Exception):
                self.ray.cancel(ref, force=True)
        self._pending.clear()

"""A run with stages in tiles, started from a long-lived process (the window), in a process
of its own.

Why: TensorFlow reads its allocator once (nst.allocator). A window has loaded TensorFlow
with oneDNN's pool by the time a print size is asked for (its instant preview, an earlier
run), and tiles with the pool need smaller tiles for the same memory: 4096 px within 12 GB
went in tiles of 256 px there, 768 px with the system's (bench/RESULTS.md, "A tiled stage's
memory"), about 2.5 times the time. A process of its own starts with the system's
allocator, gives all its memory back when the run ends, and if the system kills it for
memory the window goes on (a run's checkpoint, written by the window, can be resumed).

    plan, own = plan_for_run(settings, content_dims, style_dims)
    session = ChildTransfer(settings, (content_dims, style_dims)) if own else Transfer(...)

ChildTransfer has what a caller uses of nst.run.session.Transfer (prepare, steps, stop,
steer, checkpoint, result, settings, device, weights, precision), plus admit (the memory
check, done over there), load and close. Its far side is nst.run.child_main. No
TensorFlow here.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from nst.allocator import USERS_CHOICE
from nst.errors import RunError
from nst.memory import require_fit, stage_memory_here
from nst.settings import Settings
from nst.settings.changes import check_name, with_change
from nst.tiled_memory import StageMemory

log = logging.getLogger(__name__)

# How long close() waits for the process to end after "end" before it kills it: it ends
# at the step in progress, which in tiles at print sizes can take minutes.
END_WAIT_S = 600.0
# The events that come once, in this order, each the end of a stage of the run over there.
STAGES = ("admitted", "loaded", "prepared", "done")


class ProcessEnded(RunError):
    """The run's own process ended before its run did (``killed``: by SIGKILL, which is
    how the system ends a process when memory runs out)."""

    def __init__(self, words: str, killed: bool) -> None:
        super().__init__(words)
        self.killed = killed


def plan_for_run(
    settings: Settings, content_dims: tuple[int, int], style_dims: tuple[int, int]
) -> tuple[dict[int, StageMemory], bool]:
    """The memory plan of a run started from this process, and whether it goes in a
    process of its own: it does when a stage must go in tiles here. Sizes alone (the
    host's memory), so the GUI thread may ask."""
    here = stage_memory_here(settings, content_dims, style_dims, host_only=True)
    if not any(stage.tile for stage in here.values()):
        return here, False
    plan = stage_memory_here(settings, content_dims, style_dims, host_only=True, own_process=True)
    return plan, True


class ChildTransfer:
    """A Transfer in a process of its own. ``stop`` and ``steer`` from any thread; the rest
    from one thread. Errors over there are raised here as they were raised there."""

    def __init__(
        self,
        settings: Settings,
        image_dims: tuple[tuple[int, int], tuple[int, int]],
        *,
        content_image: np.ndarray | None = None,
        style_image: np.ndarray | None = None,
        preview_interval: float = 0.0,
        tiles: Mapping[int, int] | None = None,
        resume: Any = None,
    ) -> None:
        """As Transfer's (images given are sent there, the others read there from the
        settings' paths); ``image_dims``: the content's (a texture's canvas's) and style's
        own (width, height), for the memory checks. NotEnoughMemory, before the process
        starts, if the run would not fit in this machine's free memory."""
        from nst.run.child_main import child_main

        # Refused here first, before a process starts, by this machine's free memory;
        # over there again, by what is free once it has started.
        require_fit(settings, *image_dims, own_process=True)
        self.settings = settings
        self.device = ""
        self.weights: Any = None  # nst.vgg.weights.VGGWeights without its arrays
        self.precision: Any = None
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no TensorFlow
        self._events, events_end = context.Pipe(duplex=False)
        commands_end, self._commands = context.Pipe(duplex=False)
        self._send_lock = threading.Lock()
        self._progress: deque[Any] = deque()  # read while waiting for another event
        self._once: dict[str, Any] = {}  # the STAGES events seen, by kind
        self._ended = False
        images = (content_image, style_image)
        run = (settings, image_dims, images, preview_interval, tiles, resume)
        self._process = context.Process(
            target=child_main,
            args=(commands_end, events_end, run, USERS_CHOICE),
            name="style-transfer run",
            daemon=True,
        )
        self._process.start()
        commands_end.close()  # the child's ends: an end that dies shows as EOF here
        events_end.close()

    # --- as Transfer ---

    def admit(self) -> None:
        """Wait for the memory check over there; NotEnoughMemory if the run would not fit."""
        self._wait("admitted")

    def load(self) -> None:
        """Wait until TensorFlow and the weights are loaded over there."""
        self._wait("loaded")

    def prepare(self) -> None:
        self.device, self.weights, self.precision = self._wait("prepared")

    def steps(self) -> Iterator[Any]:
        """Each step's progress, as it comes (the steps over there do not wait for it)."""
        while True:
            if self._progress:
                yield self._progress.popleft()
            elif "done" in self._once:
                return
            else:
                kind, value = self._receive()
                if kind == "progress":
                    yield value

    def stop(self) -> None:
        self._send("stop")

    def steer(self, name: str, value: float) -> None:
        """SettingsError here if the run may not (the same rules it applies there)."""
        check_name(name, len(self.settings.extra_styles))
        with_change(self.settings, name, value)
        self._send("steer", (name, value))

    def checkpoint(self) -> Any:
        self._send("checkpoint")
        self.settings, state = self._wait("checkpoint")
        return state

    def result(self) -> Any:
        self._send("result")
        return self._wait("result")

    # --- its own ---

    def close(self) -> None:
        """End the process: at once if it is done, after its step in progress otherwise
        (killed if it has not ended within END_WAIT_S)."""
        if self._ended:
            return
        self._ended = True
        self._send("end")
        self._process.join(END_WAIT_S)
        if self._process.is_alive():
            log.warning("the run's process did not end; killing it")
            self._process.kill()
            self._process.join()
        self._commands.close()
        self._events.close()

    def _send(self, kind: str, value: Any = None) -> None:
        with self._send_lock:
            try:
                self._commands.send((kind, value))
            except (OSError, ValueError):  # it has ended: what it was told no longer matters
                pass

    def _wait(self, wanted: str) -> Any:
        """The value of the ``wanted`` event (a stage's, once seen, stays); the progress
        read meanwhile is kept for steps()."""
        if wanted in self._once:
            return self._once[wanted]
        while True:
            kind, value = self._receive()
            if kind == wanted:
                return value
            if kind == "progress":
                self._progress.append(value)

    def _receive(self) -> tuple[str, Any]:
        """The next event but a log record (logged here) or an error (raised here)."""
        while True:
            try:
                kind, value = self._events.recv()
            except (EOFError, OSError):
                raise self._ended_early() from None
            if kind == "log":
                name, level, words = value
                logging.getLogger(name).log(level, "%s", words)
            elif kind == "error":
                raise value
            else:
                if kind in STAGES:
                    self._once[kind] = value
                return kind, value

    def _ended_early(self) -> ProcessEnded:
        self._process.join(5.0)
        code = self._process.exitcode
        killed = code == -signal.SIGKILL
        if killed:
            how = "was killed, most likely by the system for want of memory"
        elif code is not None and code < 0:
            how = f"ended on signal {signal.Signals(-code).name}"
        else:
            how = f"ended unexpectedly (exit status {code})"
        return ProcessEnded(f"The run's own process {how}.", killed)

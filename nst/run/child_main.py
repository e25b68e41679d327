"""The far side of nst.run.child: one run in a process of its own, driven by the process
that started it (a window) through two pipes.

The parent sends commands: "stop" and "steer" (name, value) at any time (a thread here
hands them to the session, whose stop and steer are thread-safe), "checkpoint", "result"
and "end", answered by this process's main thread between two steps. It answers with
events: "admitted" (the memory check passed), "loaded" (TensorFlow and the weights),
"prepared" (device, weights, precision), a "progress" per step, "done" when the steps end,
"checkpoint" (settings, nst.run.checkpoint.Checkpoint), "result", "log" (a record for the
parent's log) and "error" (an exception the parent raises as its own). Nothing here may
import TensorFlow before the allocator is chosen (nst.allocator).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import queue
import threading
from multiprocessing.connection import Connection
from typing import Any

from nst.errors import NstError, RunError

log = logging.getLogger(__name__)


def child_main(
    commands: Connection, events_pipe: Connection, run: tuple[Any, ...], allocator: str | None
) -> None:
    """The whole run (nst.run.child.ChildTransfer's settings, image sizes, images, preview
    interval, tiles and checkpoint); whatever goes wrong is sent as an "error" event,
    never raised. ``allocator``: the user's TF_ONEDNN_USE_SYSTEM_ALLOCATOR, if any."""
    events = _Events(events_pipe)
    logging.getLogger().addHandler(_ParentLog(events))
    logging.getLogger().setLevel(logging.INFO)
    try:
        _run(commands, events, *run, allocator=allocator)
    except BaseException as exc:  # the parent words it; a traceback is for the log
        if not isinstance(exc, NstError):
            log.exception("unexpected error in the run's own process")
        try:
            events.send(("error", _portable(exc)))
        except OSError:  # the parent is gone (its end of the pipe closed): nobody to tell
            pass
    finally:
        events.close()


def _run(
    commands: Connection,
    events: _Events,
    settings: Any,
    image_dims: Any,
    images: tuple[Any, Any],
    preview_interval: float,
    tiles: Any,
    resume: Any,
    *,
    allocator: str | None,
) -> None:
    from nst import memory
    from nst.allocator import SYSTEM_ALLOCATOR, release_freed_blocks, system_allocator

    # Before TensorFlow's first import: the user's own choice, else the system's, which
    # gives each tile's memory back (the reason this process exists).
    os.environ[SYSTEM_ALLOCATOR] = allocator or "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    memory.admit_run(settings, *image_dims)  # NotEnoughMemory: the parent's refusal
    if system_allocator():  # the parent's plan has tiles, whatever this one's says
        release_freed_blocks()
    allocator_now = "the system's" if system_allocator() else "oneDNN's pool"
    log.info("a run in a process of its own, with %s allocator", allocator_now)
    events.send(("admitted", None))
    from nst.run.session import Transfer
    from nst.vgg.weights import load_weights

    weights = load_weights(settings.weights)
    events.send(("loaded", None))
    content, style = images
    session = Transfer(
        settings,
        content_image=content,
        style_image=style,
        weights=weights,
        preview_interval=preview_interval,
        tiles=tiles,
        resume=resume,
    )
    asked: queue.Queue[tuple[str, Any]] = queue.Queue()  # for this thread, between steps
    stop = threading.Event()
    threading.Thread(
        target=_listen, args=(commands, session, asked, stop), daemon=True, name="commands"
    ).start()
    session.prepare()
    light = dataclasses.replace(session.weights, layers={})  # the parent needs its words
    events.send(("prepared", (session.device, light, session.precision)))
    for progress in session.steps():
        events.send(("progress", progress))
        if not _answer(asked, events, session, during_steps=True) or stop.is_set():
            session.stop()
            break
    events.send(("done", None))
    while _answer(asked, events, session, during_steps=False):
        pass


def _listen(
    commands: Connection, session: Any, asked: queue.Queue[tuple[str, Any]], stop: threading.Event
) -> None:
    """Stops and steers at once; the rest for the main thread. A parent gone (the pipe
    closed) ends the run as "end" does."""
    while True:
        try:
            kind, value = commands.recv()
        except (EOFError, OSError):
            kind, value = "end", None
        if kind == "stop" or kind == "end":
            stop.set()
            session.stop()
        if kind == "steer":
            try:
                session.steer(*value)
            except NstError as exc:  # the parent checked it: the same rules
                log.warning("a change was refused: %s", exc)
        elif kind != "stop":
            asked.put((kind, value))
        if kind == "end":
            return


def _answer(
    asked: queue.Queue[tuple[str, Any]], events: _Events, session: Any, *, during_steps: bool
) -> bool:
    """Answer the commands waiting (all of them during the steps, else the next one);
    False at "end", and during the steps at "result" too (both are kept for after)."""
    while True:
        try:
            kind, _ = asked.get_nowait() if during_steps else asked.get()
        except queue.Empty:
            return True
        if kind == "checkpoint":
            events.send(("checkpoint", (session.settings, session.checkpoint())))
        elif during_steps:  # "result" or "end": answered once the steps have ended
            asked.put((kind, None))
            return False
        elif kind == "result":
            result = session.result()
            light = dataclasses.replace(result.weights, layers={})
            events.send(("result", dataclasses.replace(result, weights=light)))
        else:
            return False  # "end"
        if not during_steps:
            return True


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling whole (the parent words it by its type and
    facts), else a RunError that says the same."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return RunError(detail)


class _Events:
    """The events pipe, sent to from this process's threads (the main one, the commands'
    and any that logs) one message at a time."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._lock = threading.Lock()

    def send(self, message: tuple[str, Any]) -> None:
        with self._lock:
            self._connection.send(message)

    def close(self) -> None:
        with self._lock:
            self._connection.close()


class _ParentLog(logging.Handler):
    """Each record, as its logger's name, level and words, for the parent's own log."""

    def __init__(self, events: _Events) -> None:
        super().__init__(logging.INFO)
        self.events = events

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.events.send(("log", (record.name, record.levelno, self.format(record))))
        except (OSError, ValueError):  # the parent is gone: nobody to tell
            pass

"""Sessions run one after another (a sweep's cells, a batch's items), stoppable from any
thread: stop() stops the session running now and keeps the next from starting."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any


class SessionSeries:
    def __init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._session: Any = None

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            session = self._session
        if session is not None:
            session.stop()

    def steps(self, session: Any) -> Iterator[Any]:
        """``session``'s progress records; after stop() the session ends with the step in
        progress (Transfer.steps clears its own flag when it starts, so a stop asked for
        before then is passed on at the first step)."""
        with self._lock:
            self._session = session
        try:
            for progress in session.steps():
                yield progress
                if self._stop.is_set():
                    session.stop()
        finally:
            with self._lock:
                self._session = None

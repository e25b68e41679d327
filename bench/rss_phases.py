"""Where a process's resident memory peaks: a thread that reads the resident set
(/proc/self/statm) every few milliseconds and the main thread's innermost frames in the
engine (nst/), and keeps the largest resident set seen in each. For a bench's child
process (bench/print_size.py, ``NST_RSS_PHASES=1``), on Linux.

TensorFlow's ops run with the GIL released, so the thread samples while a tile's pass
runs; a phase shorter than the interval may be missed.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

ENGINE = str(Path(__file__).resolve().parent.parent / "nst")
PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * PAGE


def engine_frames(frame, depth: int = 2) -> str:
    """The innermost ``depth`` frames of the engine on this stack, outermost first, as
    "module.function:line"; "-" where the thread is outside it."""
    names = []
    while frame is not None and len(names) < depth:
        path = frame.f_code.co_filename
        if path.startswith(ENGINE):
            module = Path(path).stem
            names.append(f"{module}.{frame.f_code.co_name}:{frame.f_lineno}")
        frame = frame.f_back
    return " < ".join(names) or "-"


class PhaseSampler:
    """start(), then stop() -> {phase: the largest resident set seen in it, GiB}, with
    "PEAK" the phase the largest of all was seen in."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.main = threading.main_thread().ident
        self.peaks: dict[str, int] = {}
        self.peak = (0, "-")
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> PhaseSampler:
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._done.wait(self.interval):
            frame = sys._current_frames().get(self.main)
            phase = engine_frames(frame)
            rss = resident_bytes()
            if rss > self.peaks.get(phase, 0):
                self.peaks[phase] = rss
            if rss > self.peak[0]:
                self.peak = (rss, phase)

    def stop(self) -> dict[str, object]:
        self._done.set()
        self._thread.join()
        top = sorted(self.peaks.items(), key=lambda item: -item[1])[:12]
        phases: dict[str, object] = {name: round(rss / 2**30, 2) for name, rss in top}
        phases["PEAK"] = self.peak[1]
        return phases

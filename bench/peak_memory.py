"""Section 4, peak memory: the peak RSS of a whole default run, in a child process
(``python -m bench --memory-child SIZE`` runs memory_child)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.reference import CONTENT, reference_settings

BENCH = Path(__file__).resolve().parent


def memory_child(size: int) -> None:
    """A default run at ``size``: coarse-to-fine with a step at each coarse size, then at the
    output size two steps more than L-BFGS keeps pairs, so that its whole history counts."""
    from nst.memory_model import steps_to_fill_history
    from nst.run.session import Transfer
    from nst.settings import Settings

    default_precision = Settings().precision  # the reference's is float32
    settings = reference_settings(size).replace(
        optimizer="lbfgs", stages=None, precision=default_precision
    )
    session = Transfer(settings)
    session.prepare()
    last = session.plan[-1][0]
    steps = steps_to_fill_history(str(CONTENT), last)
    session.plan = (*((s, 1) for s, _ in session.plan[:-1]), (last, steps))
    for _ in session.steps():
        pass


def peak_rss(size: int) -> dict[str, Any]:
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bench", "--memory-child", str(size)],
        cwd=BENCH.parent,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    error = child.stderr.read().decode(errors="replace").strip() if child.stderr else ""
    return {
        "size": size,
        "gib": usage.ru_maxrss / 2**20,
        "seconds": time.perf_counter() - start,
        "ok": os.waitstatus_to_exitcode(status) == 0,
        "error": error[-200:],
    }

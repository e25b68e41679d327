"""TensorFlow, imported once with its C++ start-up messages kept off the terminal.

TensorFlow 2.21 writes several lines to stderr while it loads (oneDNN notices, "Could not
find cuda drivers") and when it first looks for a GPU ("failed call to cuInit"), from C++
before absl logging is set up, so TF_CPP_MIN_LOG_LEVEL does not silence them. They are
noise to a user and would break the command line's promise of one `error:` line on bad
input, so stderr's file descriptor points at /dev/null during those two moments only.
Set NST_TF_LOGS=1 to see them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from collections.abc import Iterator

# Blocks open on any thread, and the real stderr saved by the first of them. Counted: two
# threads in a block at once (the window's instant preview and its run both loading
# TensorFlow) must not save each other's /dev/null as "the real one", which lost stderr,
# and with it every later traceback, for the rest of the process.
_quiet_lock = threading.Lock()
_quiet: dict[str, int] = {"open": 0, "saved": -1}


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null inside the block (unless NST_TF_LOGS is set);
    safe to enter from several threads at once: the last one out puts stderr back."""
    if os.environ.get("NST_TF_LOGS"):
        yield
        return
    with _quiet_lock:
        if _quiet["open"] == 0:
            sys.stderr.flush()
            _quiet["saved"] = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        _quiet["open"] += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet["open"] -= 1
            if _quiet["open"] == 0:
                os.dup2(_quiet["saved"], 2)
                os.close(_quiet["saved"])


os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
with quiet_stderr():
    import tensorflow as tf


@functools.cache
def gpu_devices() -> tuple:
    """The GPUs TensorFlow sees (looked up once: the first look initializes CUDA)."""
    with quiet_stderr():
        return tuple(tf.config.list_physical_devices("GPU"))


__all__ = ["tf", "quiet_stderr", "gpu_devices"]

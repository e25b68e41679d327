"""TensorFlow, imported once with its C++ start-up messages kept off the terminal.

TensorFlow 2.21 writes several lines to stderr while it loads (oneDNN notices, "Could not
find cuda drivers"), from C++ before absl logging is set up, so TF_CPP_MIN_LOG_LEVEL does
not silence them. They are noise to a user and would break the command line's promise of
one `error:` line on bad input, so stderr's file descriptor points at /dev/null for the
import only. Set NST_TF_LOGS=1 to see them.
"""

from __future__ import annotations

import os
import sys


def _import_quietly():
    if "tensorflow" in sys.modules or os.environ.get("NST_TF_LOGS"):
        import tensorflow

        return tensorflow
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow


tf = _import_quietly()

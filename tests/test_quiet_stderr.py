"""quiet_stderr on two threads at once (the window's instant preview and its run both load
TensorFlow): stderr comes back whatever order they leave in; before, the second block
saved the first one's /dev/null as "the real stderr" and every later message was lost."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from nst.tf_runtime import quiet_stderr


def test_overlapping_blocks_on_two_threads_give_stderr_back(tmp_path: Path) -> None:
    target = tmp_path / "stderr.txt"
    original = os.dup(2)
    with open(target, "wb") as fh:
        os.dup2(fh.fileno(), 2)
    try:
        first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

        def first() -> None:
            with quiet_stderr():
                first_in.set()
                second_in.wait(10)
                os.write(2, b"hidden\n")
            first_out.set()

        def second() -> None:
            first_in.wait(10)
            with quiet_stderr():
                second_in.set()
                first_out.wait(10)  # the first block ends while this one is open
                os.write(2, b"hidden too\n")

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        os.write(2, b"seen\n")
    finally:
        os.dup2(original, 2)
        os.close(original)
    assert target.read_bytes() == b"seen\n"

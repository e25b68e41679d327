"""TensorFlow stays off the window's GUI thread, on a machine with an NVIDIA GPU too.

There the memory check asks TensorFlow how much GPU memory is free, which imports it and
starts CUDA: seconds of a frozen window, with stderr silenced for every thread. The check
belongs to the run's worker. A stand-in GPU (a driver entry in a temporary folder and a
stand-in for TensorFlow's answer) makes this machine take that path; an import hook
installed before the window exists records the thread of every TensorFlow import.

An import is seen only once per process, so the test needs a process where TensorFlow
has not been imported yet: when an earlier test has loaded it, the test runs itself again
in a fresh interpreter.
"""

from __future__ import annotations

import importlib.abc
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.gui_helpers import RUN_TIMEOUT_MS, pick

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.usefixtures("isolated_home")]

ROOT = Path(__file__).resolve().parent.parent
FRESH = "NST_TEST_FRESH_PROCESS"


class ImportRecorder(importlib.abc.MetaPathFinder):
    """Records (module, thread) for every first import of TensorFlow's modules (and of the
    project's wrapper around it); finds nothing itself, so the import goes on as usual."""

    def __init__(self) -> None:
        self.imports: list[tuple[str, threading.Thread]] = []

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname.split(".")[0] == "tensorflow" or fullname == "nst.tf_runtime":
            self.imports.append((fullname, threading.current_thread()))
        return None


def test_the_gui_thread_never_imports_tensorflow_on_a_gpu_machine(
    qtbot: Any,
    store: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content_path: str,
    style_path: str,
) -> None:
    if "tensorflow" in sys.modules:
        if os.environ.get(FRESH):
            pytest.fail("TensorFlow was imported before the test began (by conftest?)")
        _run_in_a_fresh_process()
        return
    recorder = ImportRecorder()
    sys.meta_path.insert(0, recorder)
    try:
        _drive_a_run_with_a_stand_in_gpu(
            qtbot, store, tmp_path, monkeypatch, recorder, content_path, style_path
        )
    finally:
        sys.meta_path.remove(recorder)


def _drive_a_run_with_a_stand_in_gpu(
    qtbot: Any,
    store: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    recorder: ImportRecorder,
    content_path: str,
    style_path: str,
) -> None:
    from gui.main_window import MainWindow
    from nst import memory

    gui_thread = threading.current_thread()
    drivers = tmp_path / "nvidia-gpus"
    (drivers / "0000:01:00.0").mkdir(parents=True)  # the driver's entry for one GPU
    monkeypatch.setattr(memory, "NVIDIA_GPUS", drivers)
    asked: list[threading.Thread] = []

    def stand_in_gpu_memory() -> tuple[int, int]:
        """TensorFlow's answer on a GPU with plenty free; it imports TensorFlow, as the
        real query does, so the hook sees where that happens."""
        import nst.tf_runtime  # noqa: F401

        asked.append(threading.current_thread())
        return 2**40, 0

    monkeypatch.setattr(memory, "tensorflow_gpu_memory", stand_in_gpu_memory)
    assert "tensorflow" not in sys.modules

    window = MainWindow(store)  # the first frame: from here on, nothing on this thread
    qtbot.addWidget(window)
    window.controls.folder_edit.setText(str(tmp_path / "results"))
    window.show()
    try:
        pick(qtbot, window, content_path, style_path)
        window.controls.size_box.setValue(32)
        window.controls.iterations_box.setValue(2)
        outcomes: list[Any] = []
        # Connected before the worker's thread starts (``started``), so no end is missed.
        window.runner.started.connect(lambda worker: worker.finished.connect(outcomes.append))
        with qtbot.waitSignal(window.runner.started, timeout=10_000):
            window.run_button.click()
        qtbot.waitUntil(lambda: bool(outcomes) and not window.is_running, timeout=RUN_TIMEOUT_MS)
    finally:
        window.shutdown()
    (outcome,) = outcomes
    assert outcome.result is not None and not outcome.stopped and outcome.saved_path
    # The check ran (on the GPU's figures), and TensorFlow was imported: off this thread.
    assert asked and all(thread is not gui_thread for thread in asked)
    assert any(name == "tensorflow" for name, _ in recorder.imports)
    on_gui = sorted({name for name, thread in recorder.imports if thread is gui_thread})
    assert on_gui == [], f"imported on the GUI thread: {on_gui[:5]}"


def _run_in_a_fresh_process() -> None:
    """This test again, alone in a new interpreter (TensorFlow not yet imported)."""
    name = "test_the_gui_thread_never_imports_tensorflow_on_a_gpu_machine"
    node = f"{Path(__file__).relative_to(ROOT)}::{name}"
    env = dict(os.environ, **{FRESH: "1", "QT_QPA_PLATFORM": "offscreen"})
    done = subprocess.run(
        [sys.executable, "-m", "pytest", node, "-q", "-p", "no:cacheprovider", "-m", "slow"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "1 passed in " in done.stdout

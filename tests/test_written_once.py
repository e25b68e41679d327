"""Logic that was written twice, now once: the scaled size of an image, the weights cache,
the sweep worker's helper, and the memory check before a sweep (the window's sweep makes
the command line's check, on its worker's thread)."""

from __future__ import annotations

import ast
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nst import memory, memory_model
from nst.imaging.resize import resize_longest
from tests.cli_helpers import sweep_run
from tests.gui_helpers import fill_sweep

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("shape", [(768, 1024), (1024, 768), (1, 5000), (333, 334), (7, 7)])
@pytest.mark.parametrize("size", [16, 31, 512, 1000])
def test_one_function_gives_the_size_an_image_is_scaled_to(shape: tuple, size: int) -> None:
    height, width = shape
    scaled = resize_longest(np.zeros((height, width), np.uint8), size)
    assert memory_model.work_dims(width, height, size) == (scaled.shape[1], scaled.shape[0])


def test_the_sweep_and_the_estimate_use_that_function() -> None:
    import gui.sweep.grid
    import gui.sweep.sweep_panel
    import nst.run.estimate
    import nst.sweep.runner

    assert not hasattr(nst.sweep.runner, "scaled_dims")
    for module in (nst.sweep.runner, gui.sweep.sweep_panel, gui.sweep.grid, nst.run.estimate):
        assert module.work_dims is memory_model.work_dims, module.__name__


def test_one_weights_cache_the_engines() -> None:
    from gui.workers import base as worker_base
    from nst.vgg import weights

    assert not [n for n in vars(worker_base) if "cache" in n.lower() and not n.startswith("__")]
    weights.clear_cache()
    assert not worker_base.model_loaded()
    loaded = worker_base._weights_for(None)
    assert worker_base.model_loaded() and weights.load_weights(None) is loaded


def test_no_module_defines_a_function_twice() -> None:
    """A second def of a name silently replaces the first (the sweep worker had two
    _without_image): no module of the app does it."""
    for package in ("nst", "nst_cli", "gui"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
            assert len(names) == len(set(names)), (path, names)


@pytest.fixture
def little_memory(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """Free memory for a 48 px cell but not for a 256 px one; records the threads that
    asked (the window's check must be on its worker's)."""
    asked: list[threading.Thread] = []
    at_48 = memory_model.peak_bytes(
        *memory_model.work_dims(1024, 768, 48),
        memory_model.DEFAULT_STYLE_LAYERS,
        "lbfgs",
        memory_model.work_dims(1024, 640, 48),
    )

    def available(*_: object) -> int:  # as memory.available_bytes(host_only)
        asked.append(threading.current_thread())
        return int(at_48 / memory.HEADROOM) + 1000

    monkeypatch.setattr(memory, "available_bytes", available)
    monkeypatch.setattr(memory, "resident_bytes", lambda *_: 0)
    return asked


def test_the_command_lines_sweep_refuses_a_cell_too_big_before_any_runs(
    tmp_path: Path, content_path: str, style_path: str, run_cli: Any, little_memory: list
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    options = "--vary style_weight=1,100 --cell-size 256 --iterations 2".split()
    code, out, err = run_cli(*sweep_run(content_path, style_path, out_dir, *options))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("error: The cell style_weight=1: a run at 256 px needs about")
    assert "choose --cell-size " in err and little_memory
    assert not any(out_dir.iterdir())  # no sweep folder: nothing ran


@pytest.mark.gui
@pytest.mark.usefixtures("isolated_home")
def test_the_windows_sweep_makes_the_same_check_on_its_worker(
    qtbot: Any,
    window: Any,
    content_path: str,
    style_path: str,
    out_dir: Path,
    little_memory: list,
) -> None:
    panel = fill_sweep(qtbot, window, content_path, style_path, cell_size=256)
    with qtbot.waitSignal(panel.finished, timeout=60_000) as blocker:
        assert panel.start()
    assert blocker.args[0] is None  # refused: no SweepRun to show
    qtbot.waitUntil(lambda: not panel.is_running, timeout=10_000)
    text = panel.last_error
    assert text.startswith("The cell ") and "a run at 256 px needs about" in text
    assert "set the Cell size to at most" in text and "--" not in text
    assert little_memory and threading.main_thread() not in little_memory
    assert not out_dir.exists() or not any(out_dir.iterdir())

"""Real sweeps (nst/sweep, python -m nst sweep, the window's Sweep tab): the engine on the
bundled photo and painting at 32-40 px for a few steps, checking what the values do to
the pictures, not only that files appear.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from nst.cluster import item
from nst.imaging.load import load_image
from nst.imaging.resize import resize_longest
from nst.run.child import ChildTransfer
from nst.settings import Settings
from nst.sweep.axes import (
    LAYER_SETS,
    parse_axis,
)
from nst.sweep.grid import Sweep
from nst.sweep.runner import CellDone, SweepRun
from nst.sweep.sheet import layout_of
from tests.cli_helpers import sweep_run
from tests.gui_helpers import fill_sweep

pytestmark = pytest.mark.slow

RUN_TIMEOUT_MS = 120_000  # the first run in a process imports TensorFlow and the weights


@pytest.fixture
def base(content_path: str, style_path: str) -> Settings:
    return Settings(content=content_path, style=style_path)


# --------------------------------------------------------------------------- real sweeps


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())


def test_a_real_sweep_shows_the_style_weight_it_was_given(
    base: Settings, tmp_path: Path, content_path: str
) -> None:
    sweep = Sweep(
        base.replace(iterations=8),
        [parse_axis("style_weight=0.1,100"), parse_axis("layer_set=conv1_1-3_1,conv1_1-5_1")],
        cell_size=40,
    )
    run = SweepRun(sweep, tmp_path)
    events = list(run.events())
    assert sum(type(e).__name__ == "CellDone" for e in events) == 4
    folder = tmp_path / "sweep_tubingen_starry_night_001"
    assert run.folder == folder and run.sheet_path == folder / "contact_sheet.png"
    index = json.loads((folder / "sweep.json").read_text())
    assert [a["name"] for a in index["axes"]] == ["style_weight", "layer_set"]
    assert index["stopped"] is False and index["cell_size"] == 40
    content = resize_longest(load_image(content_path), 40)
    layout = layout_of(sweep, (40, 30))
    sheet = np.asarray(Image.open(run.sheet_path).convert("RGB"))
    assert sheet.shape[:2] == (layout.height, layout.width)
    outcome = {}
    for entry, cell in zip(index["cells"], sweep.cells):
        png = folder / entry["file"]
        recipe = json.loads((folder / entry["recipe"]).read_text())
        # each cell's recipe holds its own values, in the settings a rerun takes
        assert recipe["sweep"]["values"] == entry["values"]
        assert recipe["settings"]["style_weight"] == entry["values"]["style_weight"]
        layers = LAYER_SETS[entry["values"]["layer_set"]]
        assert recipe["settings"]["style_layers"] == dict.fromkeys(layers, 1.0)
        assert recipe["settings"]["size"] == 40 and recipe["steps"] == 8
        assert entry["final_losses"] == recipe["final_losses"]
        picture = np.asarray(Image.open(png).convert("RGB"))
        x, y = layout.cell_origin(cell.row, cell.column)
        assert (sheet[y : y + 30, x : x + 40] == picture).all()  # the sheet shows the cell
        weight = entry["values"]["style_weight"]
        # final_losses are weighted: divide to compare how well the style is matched
        style_error = recipe["final_losses"]["style"] / weight
        outcome[(entry["values"]["layer_set"], weight)] = (style_error, _distance(picture, content))
    for layer_set in ("conv1_1-3_1", "conv1_1-5_1"):
        weak, strong = outcome[(layer_set, 0.1)], outcome[(layer_set, 100.0)]
        assert strong[0] < weak[0] / 2, outcome  # the painting's statistics matched better
        assert strong[1] > weak[1] + 5, outcome  # and the picture moved away from the photo


@pytest.mark.parametrize("where", ["here", "own process"])
def test_stop_keeps_the_finished_cells_and_writes_the_sheet(
    base: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    if where == "own process":  # as a cell with a stage in tiles goes (nst.run.child)
        monkeypatch.setattr(item, "plan_for_run", lambda *_: ({}, True))
    sweep = Sweep(base.replace(iterations=3), [parse_axis("tv_weight=1,10,100")], cell_size=32)
    run = SweepRun(sweep, tmp_path)
    for event in run.events():
        if type(event).__name__ == "CellStep" and event.index == 1:
            run.stop()  # within the second cell
    index = json.loads((run.folder / "sweep.json").read_text())
    assert index["stopped"] is True and index["contact_sheet"] == "contact_sheet.png"
    assert [c["file"] is not None for c in index["cells"]] == [True, False, False]
    assert sorted(p.suffix for p in run.folder.iterdir()) == [".json", ".json", ".png", ".png"]


def test_a_cell_in_a_process_of_its_own_is_the_cell_made_here(
    base: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep = Sweep(
        base.replace(iterations=3, init="noise", seed=5),
        [parse_axis("style_weight=10")],
        cell_size=32,
    )
    here = [e for e in SweepRun(sweep, tmp_path / "here").events() if isinstance(e, CellDone)]
    started: list[Any] = []
    spawn = ChildTransfer.__init__

    def counted(self: ChildTransfer, *args: Any, **kwargs: Any) -> None:
        started.append(args[0])
        spawn(self, *args, **kwargs)

    monkeypatch.setattr(ChildTransfer, "__init__", counted)
    monkeypatch.setattr(item, "plan_for_run", lambda *_: ({}, True))
    over_there = [
        e for e in SweepRun(sweep, tmp_path / "there").events() if isinstance(e, CellDone)
    ]
    assert started == [sweep.cells[0].settings]
    (a,), (b,) = here, over_there
    assert not a.error and not b.error and a.steps == b.steps == 3
    assert a.losses == pytest.approx(b.losses, rel=1e-3)
    assert _distance(a.image, b.image) < 1.0  # the same picture, within rounding


def test_a_failed_cell_is_marked_and_the_others_still_run(
    base: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nst.errors import RunError
    from nst.run import session as transfer

    steps = transfer.Transfer.steps

    def nan_at_weight_100(self: Any) -> Any:
        if self.settings.style_weight == 100:
            raise RunError("The loss became nan at step 1; lower the learning rate.")
        return steps(self)

    monkeypatch.setattr(transfer.Transfer, "steps", nan_at_weight_100)
    sweep = Sweep(base.replace(iterations=2), [parse_axis("style_weight=100,1")], cell_size=32)
    run = SweepRun(sweep, tmp_path)
    done = [e for e in run.events() if type(e).__name__ == "CellDone"]
    assert [bool(d.error) for d in done] == [True, False]
    index = json.loads(run.index_path.read_text())
    assert index["cells"][0]["error"].startswith("The loss became nan")
    assert index["cells"][1]["file"] == "r1c2_style_weight-1_001.png"
    assert index["stopped"] is False


# --------------------------------------------------------------------------- command line


def test_cli_sweep_end_to_end_and_a_cell_rerun_at_full_size(
    tmp_path: Path, content_path: str, style_path: str, run_cli: Any
) -> None:
    options = "--vary style_weight=1,100 --cell-size 32 --iterations 2 --optimizer adam"
    code, out, err = run_cli(*sweep_run(content_path, style_path, tmp_path, *options.split()))
    assert code == 0, err
    sheet = Path(out.strip().splitlines()[-1])
    assert sheet == tmp_path / "sweep_tubingen_starry_night_001" / "contact_sheet.png"
    assert Image.open(sheet).size[0] > 2 * 32
    assert "cell 1/2 (style_weight=1)" in err and "cell 2/2 (style_weight=100)" in err
    cell = sheet.parent / "r1c2_style_weight-100_001.json"
    assert json.loads(cell.read_text())["settings"]["optimizer"] == "adam"

    # the documented re-render: the cell's recipe with the size replaced
    code, out, err = run_cli(
        "--config", str(cell), "--size", "48", "--output-dir", str(tmp_path / "full")
    )
    assert code == 0, err
    full = Path(out.strip().splitlines()[-1])
    recipe = json.loads(full.with_suffix(".json").read_text())
    assert recipe["output_size"] == [48, 36] and recipe["settings"]["style_weight"] == 100.0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--vary", "foo=1"], "error: --vary 'foo' is not a setting a sweep can vary"),
        (["--vary", "style_weight=-1,1"], "error: --vary style_weight=-1: style_weight"),
        ([], "error: --vary required"),
        (["--vary", "seed=1,2", "--cell-size", "8"], "error: --cell-size: must be from 16"),
        (["--vary", "seed=1,2", "--method", "instant"], "error: --method instant"),
        (
            ["--vary", "seed=1,2", "--bogus"],
            "error: unrecognized arguments: --bogus (see python -m nst sweep --help)",
        ),
    ],
)
def test_cli_bad_sweeps_end_with_one_line(
    args: list[str], words: str, tmp_path: Path, content_path: str, style_path: str, run_cli: Any
) -> None:
    out_dir = tmp_path / "out"
    code, out, err = run_cli(*sweep_run(content_path, style_path, out_dir, *args))
    assert code == 2 and out == ""
    assert err.startswith(words) and err.count("\n") == 1, err
    assert not out_dir.exists()  # nothing made before the input is known to be good


# --------------------------------------------------------------------------- the window


def _choose(combo: Any, name: str) -> None:
    combo.setCurrentIndex(combo.findData(name))


@pytest.mark.gui
@pytest.mark.usefixtures("isolated_home")
def test_the_sweep_tab_prefills_values_and_names_bad_ones(window: Any) -> None:
    panel = window.sweep_panel
    assert window.result_tabs.tabText(2) == "Sweep"
    assert panel.value_edits[0].text() == "1, 10, 100"  # around the window's weight, 10
    window.layers_panel.style_weight_box.setValue(50)
    _choose(panel.axis_boxes[0], "tv_weight")
    _choose(panel.axis_boxes[0], "style_weight")
    assert panel.value_edits[0].text() == "5, 50, 500"
    _choose(panel.axis_boxes[1], "layer_set")
    assert panel.value_edits[1].text().startswith("conv1_1, conv1_1-2_1, conv1_1-3_1")
    _choose(panel.axis_boxes[1], "optimizer")
    assert panel.value_edits[1].text() == "lbfgs, adam, adadelta, rmsprop, sgd"
    _choose(panel.axis_boxes[1], "style_layers.block3_conv1")
    assert panel.value_edits[1].text() == "0, 0.5, 1, 2"
    panel.value_edits[1].setText("1, x")
    assert not panel.render_button.isEnabled()
    assert "'x' is not a number" in panel.progress_label.text()
    _choose(panel.axis_boxes[1], "")
    assert panel.render_button.isEnabled() and panel.progress_label.text() == ""
    assert not panel.start()  # no images chosen yet: said, not raised
    assert "choose a content image" in panel.progress_label.text()


@pytest.mark.gui
@pytest.mark.usefixtures("isolated_home")
def test_a_sweep_in_the_window_fills_the_grid_and_renders_a_cell_at_full_size(
    qtbot: Any, window: Any, content_path: str, style_path: str, out_dir: Path
) -> None:
    from PyQt5.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit

    window.controls.size_box.setValue(48)  # the full-size render's
    window.controls.iterations_box.setValue(2)
    panel = fill_sweep(qtbot, window, content_path, style_path, iterations=3)
    with qtbot.waitSignal(panel.finished, timeout=RUN_TIMEOUT_MS) as blocker:
        assert panel.start()
        # no normal run while a sweep renders
        assert not window.run_button.isEnabled() and not window.start_run()
        assert "A sweep is rendering" in window.problem_label.text()
    run = blocker.args[0]
    assert run is not None and not run.stopped
    qtbot.waitUntil(lambda: not panel.is_running, timeout=10_000)
    assert window.run_button.isEnabled()
    buttons = panel.grid.buttons
    assert len(buttons) == 2 and all(not b.icon().isNull() for b in buttons)
    headers = [label.text() for label in panel.grid.headers]
    assert headers == ["style weight", "1", "100"]
    assert "contact sheet saved" in panel.progress_label.text()
    assert (run.folder / "contact_sheet.png").is_file()
    # the status bar keeps the precision the cells computed in
    engine = window.model.run_state.engine
    assert engine is not None and engine.precision is not None
    assert f"· {engine.precision.used}" in window.status_panel.device_label.text()
    # every control of the tab, the cells included, explains itself
    silent = [
        w
        for kind in (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit)
        for w in panel.findChildren(kind)
        if not isinstance(w.parent(), (QAbstractSpinBox, QComboBox)) and not w.toolTip()
    ]
    assert silent == []

    buttons[1].click()
    assert panel.selection_label.text() == "Selected: Style weight 100"  # labels, for people
    assert panel.full_size_button.isEnabled()
    with qtbot.waitSignal(panel.full_size_requested, timeout=5_000) as chosen:
        with qtbot.waitSignal(window.run_started, timeout=5_000):
            panel.full_size_button.click()
    settings = chosen.args[0]
    assert settings.size == 48 and settings.iterations == 2 and settings.style_weight == 100
    assert window.result_tabs.currentIndex() == 0
    assert (
        window.layers_panel.style_weight_box.value() == 100
    )  # the cell's settings, in the controls
    # no sweep while the run goes on
    assert not panel.render_button.isEnabled() and "A run is in progress" in panel.problem()
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    assert panel.render_button.isEnabled()
    assert "contact sheet saved" in panel.progress_label.text()  # the sweep's line is back
    saved = sorted(p.name for p in out_dir.iterdir())
    assert "tubingen_starry_night_001.png" in saved


@pytest.mark.gui
@pytest.mark.usefixtures("isolated_home")
def test_stop_in_the_window_keeps_the_finished_cells(
    qtbot: Any, window: Any, content_path: str, style_path: str
) -> None:
    panel = fill_sweep(qtbot, window, content_path, style_path, iterations=20)

    def stop_in_the_second_cell(event: Any) -> None:
        if event.index == 1 and panel.render_button.text() == "Stop":
            panel.render_button.click()

    with qtbot.waitSignal(panel.finished, timeout=RUN_TIMEOUT_MS) as blocker:
        assert panel.start()
        panel._worker.step.connect(stop_in_the_second_cell)
    run = blocker.args[0]
    assert run.stopped and list(run.done) == [0]
    qtbot.waitUntil(lambda: not panel.is_running, timeout=10_000)
    assert panel.grid.buttons[1].text() == "not run"
    assert panel.progress_label.text().startswith("Stopped: 1 of 2 cells")
    assert panel.render_button.text() == "Render sweep" and window.run_button.isEnabled()

"""GUI tests (pytest-qt, QT_QPA_PLATFORM=offscreen): the controls, then real runs.

No test touches the user's real settings or Pictures folder: every window gets a
QSettings INI file in tmp_path, an output folder in tmp_path, and HOME and the XDG folders
point into tmp_path too, so even a default path resolves there.

The run tests use the real worker, engine and weights on tiny images (48 px): the first
one pays for importing TensorFlow and loading the weights, the others reuse them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PyQt5.QtCore import QMimeData, QPoint, QSettings, Qt, QThread, QUrl
from PyQt5.QtGui import QDropEvent, QGuiApplication

from gui import app_settings
from gui.app_settings import AppSettings
from gui.labels import describe_missing
from gui.main_window import MainWindow
from gui.widgets.layers import short_name
from gui.widgets.loss_plot import LossPlot
from gui.workers.base import unexpected_error_message
from gui.workers.run_worker import RunOutcome, RunWorker
from nst.settings import (
    DEFAULT_LEARNING_RATES,
    Settings,
)
from nst.vgg.layers import CONV_LAYERS, PAPER_CONTENT_LAYERS, PAPER_STYLE_LAYERS
from tests.gui_helpers import RUN_TIMEOUT_MS, pick, saved_files, start, tiny, wait_loaded

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.usefixtures("isolated_home")]

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- start-up


def test_importing_the_window_does_not_import_tensorflow() -> None:
    code = (
        "import sys, gui.main_window, gui.workers.run_worker, main\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'nst.run.session') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_empty_window_explains_what_is_missing(window: MainWindow) -> None:
    assert not window.run_button.isEnabled()
    assert not window.act_run.isEnabled()
    assert window.problem_label.text() == "To run, choose a content image and a style image."
    assert window.status_panel.device_label.text().startswith("Device:")
    # every control explains itself
    for widget in (
        window.controls.optimizer_box,
        window.controls.rate_box,
        window.controls.iterations_box,
        window.controls.size_box,
        window.controls.work_size_box,
        window.controls.folder_edit,
        window.run_button,
        window.layers_panel.defaults_button,
        window.inputs.content_picker.open_button,
        window.inputs.style_picker.samples_button,
        window.result_panel.loss_plot,
    ):
        assert widget.toolTip(), widget


def test_every_control_has_a_tooltip(window: MainWindow) -> None:
    from PyQt5.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit

    controls = [
        w
        for kind in (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit)
        for w in window.findChildren(kind)
        # the spin box's and combo's own inner line edits are parts, not controls
        if not isinstance(w.parent(), (QAbstractSpinBox, QComboBox))
        # Qt's own scroll arrows of the tab bar and the menu bar's overflow button
        and w.objectName() not in ("ScrollLeftButton", "ScrollRightButton", "qt_menubar_ext_button")
    ]
    assert len(controls) > 40
    silent = [
        f"{type(w).__name__} {w.text() if hasattr(w, 'text') else ''!r}"
        for w in controls
        if not w.toolTip()
    ]
    assert silent == []


def test_describe_missing_says_the_verb_once() -> None:
    assert describe_missing(["content"]) == "To run, choose a content image."
    both = "To run, choose a style image and an output folder."
    assert describe_missing(["style", "output_folder"]) == both
    assert describe_missing([]) == ""


def test_default_output_folder_is_under_pictures(isolated_home: Path) -> None:
    folder = app_settings.default_output_folder()
    assert folder.endswith(os.path.join("Pictures", "Style Transfer"))
    assert folder.startswith(str(isolated_home))


# --------------------------------------------------------------------------- validation


def test_run_is_enabled_only_when_settings_are_valid(
    qtbot: Any, window: MainWindow, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, None)
    assert not window.run_button.isEnabled()
    assert window.problem_label.text() == "To run, choose a style image."
    pick(qtbot, window, None, style_path)
    assert window.run_button.isEnabled() and window.act_run.isEnabled()
    assert window.problem_label.isHidden()

    # no style layer: the engine's SettingsError, named as the control is
    for check in window.layers_panel.style_layers.checks.values():
        check.setChecked(False)
    assert not window.run_button.isEnabled()
    assert window.problem_label.text().startswith("Style layers:")
    window.layers_panel.restore_defaults()
    assert window.run_button.isEnabled()

    window.controls.size_box.setValue(256)
    window.controls.work_size_box.setValue(300)  # above the output size
    assert not window.run_button.isEnabled()
    assert window.problem_label.text().startswith("Working size:")
    window.controls.work_size_box.setValue(128)
    assert window.run_button.isEnabled()
    assert window.current_settings().work_size == 128

    window.controls.folder_edit.setText("")
    assert window.problem_label.text() == "To run, choose an output folder."
    assert not window.start_run()


def test_bad_image_is_refused_with_one_sentence(
    qtbot: Any, window: MainWindow, tmp_path: Path, content_path: str
) -> None:
    pick(qtbot, window, content_path, None)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not an image at all")
    with qtbot.waitSignal(window.inputs.content_picker.failed, timeout=10_000) as blocker:
        window.inputs.content_picker.set_path(str(broken))
    message = blocker.args[0]
    assert "broken.jpg" in message and "\n" not in message
    assert window.last_message == ("Cannot use this image", message)
    assert window.inputs.content_picker.path == content_path  # the previous image stays


def test_dropping_an_image_on_a_picker_loads_it(
    qtbot: Any, window: MainWindow, style_path: str, tmp_path: Path
) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(style_path)])
    event = QDropEvent(QPoint(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    window.inputs.style_picker.dropEvent(event)
    wait_loaded(qtbot, window)
    assert window.inputs.style_picker.path == style_path
    assert window.inputs.style_picker.size_label.text() == "1024 × 640 px"

    text = QMimeData()
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    text.setUrls([QUrl.fromLocalFile(str(notes))])  # not an image: refused
    event = QDropEvent(QPoint(10, 10), Qt.CopyAction, text, Qt.LeftButton, Qt.NoModifier)
    window.inputs.style_picker.dropEvent(event)
    assert not window.inputs.style_picker.is_loading


def test_samples_menu_lists_the_bundled_images(qtbot: Any, window: MainWindow) -> None:
    actions = [a for a in window.inputs.style_picker.samples_menu.actions() if a.data()]
    assert len(actions) == 8
    assert actions[0].text().startswith("The Starry Night")  # paintings first for style
    actions[0].trigger()
    wait_loaded(qtbot, window)
    assert window.inputs.style_picker.path.endswith("starry_night.jpg")


# --------------------------------------------------------------------------- layers, rates


def test_layer_checkbox_enables_its_weight(window: MainWindow) -> None:
    layers = window.layers_panel.content_layers
    assert [short_name(n) for n in CONV_LAYERS][:2] == ["conv1_1", "conv1_2"]
    assert layers.weights() == PAPER_CONTENT_LAYERS
    assert layers.spins["block4_conv2"].isEnabled()
    assert not layers.spins["block3_conv1"].isEnabled()

    layers.checks["block3_conv1"].setChecked(True)
    assert layers.spins["block3_conv1"].isEnabled()
    layers.spins["block3_conv1"].setValue(0.25)
    assert layers.weights() == {"block3_conv1": 0.25, "block4_conv2": 1.0}
    assert window.current_settings().content_layers == {"block3_conv1": 0.25, "block4_conv2": 1.0}
    layers.checks["block3_conv1"].setChecked(False)
    assert not layers.spins["block3_conv1"].isEnabled()
    assert "block3_conv1" not in window.current_settings().content_layers

    window.layers_panel.style_weight_box.setValue(123.0)
    window.layers_panel.style_layers.checks["block5_conv1"].setChecked(False)
    window.layers_panel.defaults_button.click()
    assert window.layers_panel.content_layers.weights() == PAPER_CONTENT_LAYERS
    assert window.layers_panel.style_layers.weights() == PAPER_STYLE_LAYERS
    assert window.layers_panel.style_weight_box.value() == Settings().style_weight


def test_optimizer_change_updates_the_rate_unless_the_user_set_it(window: MainWindow) -> None:
    window.controls.optimizer_box.setCurrentIndex(window.controls.optimizer_box.findData("adam"))
    assert window.controls.rate_box.value() == DEFAULT_LEARNING_RATES["adam"]
    assert not window.controls.rate_user_set and not window.controls.rate_reset.isEnabled()
    assert window.current_settings().learning_rate is None  # the optimizer's default

    window.controls.rate_box.setValue(2.5)  # the user's own choice
    assert window.controls.rate_user_set and window.controls.rate_reset.isEnabled()
    window.controls.optimizer_box.setCurrentIndex(window.controls.optimizer_box.findData("sgd"))
    assert window.controls.rate_box.value() == 2.5
    assert window.current_settings().learning_rate == 2.5

    window.controls.rate_reset.click()
    assert window.controls.rate_box.value() == DEFAULT_LEARNING_RATES["sgd"]
    window.controls.optimizer_box.setCurrentIndex(window.controls.optimizer_box.findData("rmsprop"))
    assert window.controls.rate_box.value() == DEFAULT_LEARNING_RATES["rmsprop"]
    assert window.current_settings().learning_rate is None


def test_seed_is_enabled_only_for_noise(window: MainWindow) -> None:
    assert not window.controls.seed_box.isEnabled()
    window.controls.init_box.setCurrentIndex(window.controls.init_box.findData("noise"))
    assert window.controls.seed_box.isEnabled()


# --------------------------------------------------------------------------- settings, recipes


def test_settings_round_trip_through_qsettings(
    qtbot: Any, open_window: Any, tmp_path: Path, content_path: str, style_path: str
) -> None:
    first = open_window(folder=None, show=False)
    pick(qtbot, first, content_path, style_path)
    first.controls.optimizer_box.setCurrentIndex(first.controls.optimizer_box.findData("adam"))
    first.controls.rate_box.setValue(7.5)
    first.controls.iterations_box.setValue(42)
    first.controls.size_box.setValue(300)
    first.controls.work_size_box.setValue(200)
    first.layers_panel.tv_weight_box.setValue(0.5)
    first.layers_panel.style_layers.checks["block3_conv2"].setChecked(True)
    first.layers_panel.style_layers.spins["block3_conv2"].setValue(0.75)
    first.controls.folder_edit.setText(str(tmp_path / "mine"))
    first.close()  # saves
    assert (tmp_path / "settings.ini").exists()

    reread = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    second = open_window(reread, folder=None, show=False)
    wait_loaded(qtbot, second)
    restored = second.current_settings()
    assert restored.content == content_path and restored.style == style_path
    assert restored.optimizer == "adam" and restored.learning_rate == 7.5
    assert second.controls.rate_user_set
    assert (restored.iterations, restored.size, restored.work_size) == (42, 300, 200)
    assert restored.tv_weight == 0.5
    assert restored.style_layers["block3_conv2"] == 0.75
    assert second.controls.folder_edit.text() == str(tmp_path / "mine")


def test_bad_stored_values_fall_back_to_defaults(tmp_path: Path) -> None:
    qsettings = QSettings(str(tmp_path / "bad.ini"), QSettings.IniFormat)
    store = AppSettings(qsettings)
    # a value from a hand edit or another version: the good fields are kept
    qsettings.setValue(
        "run/settings", json.dumps({"iterations": "lots", "optimizer": "newton", "size": 64})
    )
    settings = store.run_settings()
    assert settings.iterations == Settings().iterations
    assert settings.optimizer == Settings().optimizer
    assert settings.size == 64
    for corrupt in ("{not json", "[1, 2]", "42"):
        qsettings.setValue("run/settings", corrupt)
        assert store.run_settings() == Settings()
    with pytest.raises(KeyError):
        store.get("no/such/key")


def test_settings_round_trip_as_one_value(store: AppSettings, content_path: str) -> None:
    settings = Settings(
        content=content_path,
        optimizer="adam",
        learning_rate=3.5,
        extra_styles=(("a.jpg", 2.0), ("b.jpg", 0.37)),
        style_layers={"block1_conv1": 0.5, "block3_conv1": 2.0},
        work_size=200,
        colour="match",
    )
    store.store_run(settings.to_dict())
    store.sync()
    assert store.run_settings() == settings
    assert AppSettings(store.qsettings).run_settings() == settings


def test_recipe_beside_a_result_loads_into_the_widgets(
    window: MainWindow, tmp_path: Path, qtbot: Any, content_path: str, style_path: str
) -> None:
    recipe = {
        "settings": {
            "content": content_path,
            "style": style_path,
            "content_layers": {"block5_conv2": 2.0},
            "style_layers": {"block1_conv1": 1.0, "block2_conv1": 0.5},
            "content_weight": 3.0,
            "style_weight": 50.0,
            "tv_weight": 0.0,
            "optimizer": "adam",
            "learning_rate": 6.0,
            "iterations": 77,
            "size": 320,
            "work_size": 160,
            "style_size": None,
            "init": "noise",
            "seed": 9,
            "preview_every": 10,
            "weights": None,
        },
        "weights": {"source": "test"},
        "steps": 77,
        "device": "CPU",
    }
    path = tmp_path / "tubingen_starry_night_001.json"
    path.write_text(json.dumps(recipe))
    assert window.recipes.load(str(path))
    wait_loaded(qtbot, window)
    shown = window.current_settings()
    assert shown.optimizer == "adam" and window.controls.rate_box.value() == 6.0
    assert shown.iterations == 77 and shown.size == 320 and shown.work_size == 160
    assert (
        window.controls.init_box.currentData() == "noise" and window.controls.seed_box.value() == 9
    )
    assert window.layers_panel.content_layers.weights() == {"block5_conv2": 2.0}
    assert window.layers_panel.style_layers.weights() == {"block1_conv1": 1.0, "block2_conv1": 0.5}
    assert (shown.content_weight, shown.style_weight, shown.tv_weight) == (3.0, 50.0, 0.0)
    assert shown.content == content_path and shown.style == style_path
    assert window.run_button.isEnabled()


def test_recipe_with_unknown_fields_names_them(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "future.json"
    path.write_text(json.dumps({"iterations": 12, "brush": "big", "colour_mode": 2}))
    assert window.recipes.load(str(path))
    assert window.controls.iterations_box.value() == 12
    title, text = window.last_message
    assert "brush" in text and "colour_mode" in text and "ignored" in text


def test_recipe_with_bad_values_loads_the_rest_and_names_them(
    window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps({"iterations": 12, "optimizer": "newton", "size": "big"}))
    assert window.recipes.load(str(path))
    assert window.controls.iterations_box.value() == 12
    assert window.controls.optimizer_box.currentData() == Settings().optimizer
    assert window.controls.size_box.value() == Settings().size
    title, text = window.last_message
    assert title == "Recipe loaded with warnings" and "\n" not in text
    assert "optimizer" in text and "newton" in text and "size" in text and "'big'" in text


def test_unreadable_recipe_changes_nothing(window: MainWindow, tmp_path: Path) -> None:
    before = window.widget_values()
    (tmp_path / "list.json").write_text("[1, 2]")
    assert not window.recipes.load(str(tmp_path / "list.json"))
    assert "list.json" in window.last_message[1]
    (tmp_path / "broken.json").write_text("{not json")
    assert not window.recipes.load(str(tmp_path / "broken.json"))
    assert "not valid JSON" in window.last_message[1]
    assert window.widget_values() == before


def test_saved_recipe_loads_back(window: MainWindow, tmp_path: Path) -> None:
    window.controls.iterations_box.setValue(33)
    window.controls.optimizer_box.setCurrentIndex(window.controls.optimizer_box.findData("rmsprop"))
    path = tmp_path / "mine.json"
    assert window.recipes.save(str(path))
    assert json.loads(path.read_text())["iterations"] == 33
    window.controls.iterations_box.setValue(5)
    window.controls.optimizer_box.setCurrentIndex(0)
    assert window.recipes.load(str(path))
    assert window.controls.iterations_box.value() == 33
    assert window.controls.optimizer_box.currentData() == "rmsprop"
    assert not window.controls.rate_user_set  # the default rate stays a default


# --------------------------------------------------------------------------- drawing


def test_loss_plot_draws_zero_and_nan_without_trouble(qtbot: Any) -> None:
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(400, 200)
    plot.grab()  # empty
    plot.clear(300)
    for step in range(1, 400):
        plot.add(step, {"total": 1000.0 / step, "content": 0.0, "style": float("nan"), "tv": 1e-3})
    image = plot.grab().toImage()
    assert not image.isNull()


def test_unexpected_error_message_is_one_sentence() -> None:
    text = unexpected_error_message(ValueError("bad thing\nsecond line"))
    assert text.count(".") >= 1 and "\n" not in text and "ValueError: bad thing" in text


# --------------------------------------------------------------------------- real runs


def test_a_real_run_saves_its_result(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=3)
    records = start(qtbot, window)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)

    assert [r.step for r in records] == [1, 2, 3]
    assert all(r.image is None for r in records)  # images travel by `preview` only
    assert window.last_message is None
    outcome = window.result_panel.outcome
    assert outcome.result is not None and not outcome.stopped
    assert max(outcome.result.image.shape[:2]) == 48
    files = saved_files(out_dir)
    assert files == ["tubingen_starry_night_001.json", "tubingen_starry_night_001.png"]
    recipe = json.loads((out_dir / files[0]).read_text())
    assert recipe["settings"]["iterations"] == 3
    assert outcome.saved_path == str(out_dir / files[1])
    assert window.run_button.text() == "Run" and window.run_button.isEnabled()
    assert window.result_panel.result_view.image() is not None
    assert window.act_save_as.isEnabled() and not window.act_save.isEnabled()
    engine = window.model.run_state.engine  # where the run says it ran, and how
    assert engine is not None and engine.precision is not None
    used = f"Device: {engine.device} · {engine.precision.used}"
    assert window.status_panel.device_label.text().startswith(used)
    assert len(window.result_panel.loss_plot.steps) == 3

    window.result_panel.copy_result()
    assert QGuiApplication.clipboard().image().width() == outcome.result.image.shape[1]
    saved = window.result_panel.save_result_to(str(out_dir / "copy.jpg"))
    assert saved is not None and saved.exists() and (out_dir / "copy.json").exists()


def test_stop_mid_run_saves_the_best_image(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=200)
    stopped_at: list[int] = []

    def stop_on_second(record: Any) -> None:
        if record.step == 2 and not stopped_at:
            stopped_at.append(record.step)
            qtbot.keyClick(window, Qt.Key_Escape)  # Esc stops

    window.activateWindow()
    qtbot.waitActive(window)
    records = start(qtbot, window, stop_on_second)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)

    assert stopped_at, "the run ended before its second step"
    outcome = window.result_panel.outcome
    assert outcome.result is not None and outcome.stopped
    # Stop ended it where the window last heard from it: no step after the last reported.
    assert outcome.result.steps == records[-1].step >= stopped_at[0]
    assert saved_files(out_dir) == [  # saved as the command line saves on Ctrl+C
        "tubingen_starry_night_001.json",
        "tubingen_starry_night_001.png",
    ]
    assert "not saved" not in window.result_panel.result_view.caption()
    assert not window.act_save.isEnabled()


def test_closing_during_a_run_stops_it_and_waits(
    qtbot: Any, window: MainWindow, out_dir: Path, content_path: str, style_path: str
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=500)
    records = start(qtbot, window)
    thread: QThread = window.runner.thread
    ended: list[bool] = []
    thread.finished.connect(lambda: ended.append(thread.isFinished()))
    qtbot.waitUntil(lambda: len(records) >= 1, timeout=RUN_TIMEOUT_MS)
    window.close()
    assert window.isVisible()  # it waits for the step in progress, without freezing
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
    assert ended == [True]
    assert not window.is_running
    assert records[-1].step < 500
    assert len(saved_files(out_dir)) == 2  # the stopped run's best image, kept
    assert window.last_message is None  # no message box while closing


def test_engine_errors_show_one_sentence_and_the_app_stays_usable(
    qtbot: Any, window: MainWindow, tmp_path: Path, style_path: str
) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes((ROOT / "gui" / "samples" / "tubingen.jpg").read_bytes())
    pick(qtbot, window, str(photo), style_path)
    tiny(window)
    photo.write_bytes(b"")  # the file goes bad after it was picked
    start(qtbot, window)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    title, text = window.last_message
    assert title == "The run failed" and "photo.jpg" in text and "\n" not in text
    assert window.run_button.isEnabled() and window.run_button.text() == "Run"


def test_unexpected_worker_errors_are_caught(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, content_path: str, style_path: str, out_dir: Path
) -> None:
    import gui.workers.run_worker

    def broken(path: str | None) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(gui.workers.run_worker, "_weights_for", broken)
    worker = RunWorker(
        Settings(content=content_path, style=style_path, size=48, iterations=2), str(out_dir)
    )
    with qtbot.waitSignal(worker.failed, timeout=RUN_TIMEOUT_MS) as blocker:
        worker.run()  # on this thread: the error handling is what is under test
    assert "ZeroDivisionError" in blocker.args[0] and "log" in blocker.args[0]


def test_stop_before_the_model_is_ready_ends_without_a_result(
    qtbot: Any, content_path: str, style_path: str, out_dir: Path
) -> None:
    worker = RunWorker(
        Settings(content=content_path, style=style_path, size=48, iterations=2), str(out_dir)
    )
    worker.stop()
    with qtbot.waitSignal(worker.finished, timeout=RUN_TIMEOUT_MS) as blocker:
        worker.run()
    outcome: RunOutcome = blocker.args[0]
    assert outcome.result is None and outcome.stopped
    assert saved_files(out_dir) == []


@pytest.mark.parametrize("restore", [True, False])
def test_a_fresh_window_shows_the_engine_defaults(open_window: Any, restore: bool) -> None:
    win = open_window(restore=restore, folder=None, show=False)
    assert win.current_settings() == Settings()
    assert win.controls.rate_box.value() == DEFAULT_LEARNING_RATES[Settings().optimizer]
    assert win.controls.folder_edit.text() == app_settings.default_output_folder()


# --------------------------------------------------------------------------- instant mode


def test_instant_preview_follows_the_controls_without_blocking(
    qtbot: Any,
    window: MainWindow,
    content_path: str,
    style_path: str,
    samples: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gui.workers import instant_preview

    calls: list[Any] = []
    real = instant_preview.compute

    def counting(request: Any, cache: Any) -> Any:
        calls.append(request)
        return real(request, cache)

    monkeypatch.setattr(instant_preview, "compute", counting)
    assert window.result_panel.preview_view.image() is None
    pick(qtbot, window, content_path, style_path)
    qtbot.waitUntil(
        lambda: window.result_panel.preview_view.image() is not None, timeout=RUN_TIMEOUT_MS
    )
    assert window.result_panel.preview_view.image().width() == instant_preview.PREVIEW_SIZE
    assert window.result_panel.preview_view.caption().startswith("Instant preview")
    first = window.result_panel.preview_view.image()

    # A drag: many values in a row, each returning at once; one preview for where it rests.
    done = len(calls)
    for value in range(100, 49, -5):
        window.inputs.style_mix.ratio_strength.setValue(value)
    assert len(calls) == done  # each move returned at once: nothing ran on the GUI thread
    qtbot.waitUntil(lambda: window.result_panel.preview_view.image() is not first, timeout=30_000)
    assert not window.preview._timer.isActive()  # nothing more is waiting to run
    assert len(calls) - done == 1 and calls[-1].strength == 0.5

    # A second style with a weight: the preview follows it too.
    window.inputs.style_mix.add(str(samples / "the_scream.jpg"), 0.3)
    qtbot.waitUntil(
        lambda: calls[-1].styles[-1] == (str(samples / "the_scream.jpg"), 0.3), timeout=5_000
    )
    assert window.widget_values()["extra_styles"] == ((str(samples / "the_scream.jpg"), 0.3),)
    # ... which both methods take (the optimization blends the styles' Gram matrices).
    assert window.problem() == ""
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("instant"))
    assert window.problem() == ""


def test_run_with_the_instant_method_saves_its_result(
    qtbot: Any, window: MainWindow, content_path: str, style_path: str, out_dir: Path
) -> None:
    pick(qtbot, window, content_path, style_path)
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("instant"))
    window.controls.size_box.setValue(64)
    assert not window.controls.optim_group.isEnabled()
    with qtbot.waitSignal(window.run_started, timeout=5_000):
        assert window.start_run()
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    assert saved_files(out_dir) == [
        "tubingen_starry_night_001.json",
        "tubingen_starry_night_001.png",
    ]
    recipe = json.loads((out_dir / "tubingen_starry_night_001.json").read_text())
    assert recipe["settings"]["method"] == "instant"
    assert window.result_panel.result_view.caption().startswith("Instant result · 64 × 48")
    # the status bar names the device the network ran on, not "found on the first run"
    engine = window.model.run_state.engine
    assert engine is not None and engine.device and engine.precision is None
    assert window.status_panel.device_label.text() == f"Device: {engine.device}"
    assert window.status_panel.progress_label.text().startswith("Done in ")


def test_instant_settings_round_trip_through_qsettings(
    window: MainWindow, open_window: Any
) -> None:
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("instant"))
    window.inputs.style_mix.strength.setValue(35)
    window.save_settings()
    again = open_window(folder=None, show=False)
    assert again.current_settings().method == "instant"
    assert again.current_settings().style_strength == 0.35


def test_gatys_run_with_the_instant_head_start(
    qtbot: Any, window: MainWindow, content_path: str, style_path: str, out_dir: Path
) -> None:
    pick(qtbot, window, content_path, style_path)
    tiny(window, iterations=2)
    window.controls.init_box.setCurrentIndex(window.controls.init_box.findData("instant"))
    assert window.controls.init_box.currentText() == "The instant result"
    with qtbot.waitSignal(window.run_started, timeout=5_000):
        assert window.start_run()
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    recipe = json.loads((out_dir / "tubingen_starry_night_001.json").read_text())
    assert recipe["settings"]["init"] == "instant" and recipe["steps"] == 2


def test_speed_controls_reach_the_settings_and_are_remembered(
    qtbot: Any, window: MainWindow, store: AppSettings
) -> None:
    assert "Fast" in window.controls.precision_box.toolTip()
    assert "Coarse-to-fine" in window.controls.stages_box.toolTip()
    window.controls.precision_box.setCurrentIndex(
        window.controls.precision_box.findData("bfloat16")
    )
    window.controls.stages_box.setCurrentIndex(window.controls.stages_box.findData(1))
    settings = window.current_settings()
    assert (settings.precision, settings.stages) == ("bfloat16", 1)
    store.store_run(settings.to_dict())
    assert (store.run_settings().precision, store.run_settings().stages) == ("bfloat16", 1)
    window.apply_settings(Settings(precision="float32", stages=3))
    assert window.controls.precision_box.currentData() == "float32"
    assert window.controls.stages_box.currentData() == 3
    window.apply_settings(Settings())
    assert window.current_settings().stages is None  # "Automatic"


def test_colour_controls_reach_the_settings_and_are_remembered(
    window: MainWindow, store: AppSettings
) -> None:
    assert window.controls.colour_slider.isEnabled()  # the painting's colours: the blend applies
    window.controls.colour_slider.setValue(40)
    assert window.current_settings().colour_strength == 0.4
    window.controls.colour_box.setCurrentIndex(window.controls.colour_box.findData("luminance"))
    assert not window.controls.colour_slider.isEnabled()  # luminance only keeps the photo's colours
    settings = window.current_settings()
    assert settings.colour == "luminance"
    store.store_run(settings.to_dict())
    assert store.run_settings().colour == "luminance"
    window.apply_settings(Settings(colour="match"))
    assert (
        window.controls.colour_box.currentData() == "match"
        and window.controls.colour_slider.value() == 0
    )


# The hook for the start-up test: main.py run as `make run` runs it, with QApplication's
# event loop replaced by one that waits for both pickers, prints what they hold and quits.
_STARTUP_HOOK = """
import runpy, sys
from PyQt5.QtCore import QDeadlineTimer
from PyQt5.QtWidgets import QApplication
from gui.main_window import MainWindow

def exec_and_report(*_args):
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    pickers = (window.inputs.content_picker, window.inputs.style_picker)
    deadline = QDeadlineTimer(60_000)
    while not deadline.hasExpired() and (
        any(p.is_loading for p in pickers) or any(p.loaded is None for p in pickers)
    ):
        QApplication.processEvents()
        QApplication.instance().thread().msleep(10)
    print("PICKED", *(p.path or "-" for p in pickers))
    window.close()
    return 0

QApplication.exec_ = exec_and_report
sys.argv = sys.argv[1:]
runpy.run_path("main.py", run_name="__main__")
"""


def test_make_run_preloads_the_photo_and_the_painting(tmp_path: Path) -> None:
    # `make run` passes --style, which Qt used to take for its own -style option.
    content = "gui/samples/tubingen.jpg"
    style = "gui/samples/starry_night.jpg"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-c", _STARTUP_HOOK, "main.py", "--content", content, "--style", style],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "invalid style override" not in done.stderr
    picked = [line for line in done.stdout.splitlines() if line.startswith("PICKED")]
    assert picked == [f"PICKED {ROOT / content} {ROOT / style}"], done.stdout + done.stderr


def test_every_settings_field_has_a_label() -> None:
    from gui.labels import CHOICE_LABELS, FIELD_LABELS
    from nst.settings import COLOURS, INITS, METHODS, OPTIMIZERS, PRECISIONS, field_names

    assert [name for name in field_names() if not FIELD_LABELS.get(name)] == []
    choices = {
        "optimizer": OPTIMIZERS,
        "method": METHODS,
        "colour": COLOURS,
        "precision": PRECISIONS,
        "init": INITS,
    }
    for field, names in choices.items():
        assert set(CHOICE_LABELS[field]) == set(names), field

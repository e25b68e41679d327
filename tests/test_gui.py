"""GUI tests (pytest-qt, QT_QPA_PLATFORM=offscreen): start-up, validation and controls.

No test touches the user's real settings or Pictures folder: every window gets a
QSettings INI file in tmp_path, an output folder in tmp_path, and HOME and the XDG folders
point into tmp_path too, so even a default path resolves there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PyQt5.QtCore import QMimeData, QPoint, Qt, QUrl
from PyQt5.QtGui import QDropEvent

from gui import app_settings
from gui.labels import describe_missing
from gui.main_window import MainWindow
from gui.widgets.layers import short_name
from gui.widgets.loss_plot import LossPlot
from gui.workers.base import unexpected_error_message
from nst.settings import (
    DEFAULT_LEARNING_RATES,
    Settings,
)
from nst.vgg.layers import CONV_LAYERS, PAPER_CONTENT_LAYERS, PAPER_STYLE_LAYERS
from tests.gui_helpers import pick, wait_loaded

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

"""The window's creative controls (issue 6): style strength, several styles with regions
painted over the photo, the texture method and the style scale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from PyQt5.QtCore import QCoreApplication, QPoint, QPointF, Qt
from PyQt5.QtGui import QImage
from PyQt5.QtWidgets import QPushButton

from gui.main_window import MainWindow
from gui.widgets.mask_painter import MaskCanvas, MaskPainter
from nst.settings import Settings, ratio_to_strength, strength_to_ratio
from tests.gui_helpers import RUN_TIMEOUT_MS, pick, saved_files

pytestmark = [pytest.mark.gui, pytest.mark.slow, pytest.mark.usefixtures("isolated_home")]

SAMPLES = Path(__file__).resolve().parent.parent / "gui" / "samples"
PHOTO = str(SAMPLES / "tubingen.jpg")
STARRY = str(SAMPLES / "starry_night.jpg")
SCREAM = str(SAMPLES / "the_scream.jpg")


def test_strength_slider_sets_the_style_weight_on_a_log_scale(window: MainWindow) -> None:
    mix = window.inputs.style_mix
    assert mix.ratio_strength.isVisible() and not mix.strength.isVisible()
    assert mix.ratio_position() == pytest.approx(0.5)  # the default weights, 10 : 1
    mix.ratio_strength.setValue(100)
    assert window.layers_panel.style_weight_box.value() == pytest.approx(strength_to_ratio(1.0))
    mix.ratio_strength.setValue(0)
    assert window.layers_panel.style_weight_box.value() == pytest.approx(strength_to_ratio(0.0))
    # and back: typing a weight moves the slider to its place on the scale
    window.layers_panel.content_weight_box.setValue(2.0)
    window.layers_panel.style_weight_box.setValue(20.0)
    assert mix.ratio_position() == pytest.approx(ratio_to_strength(10.0), abs=0.01)
    assert mix.strength_label.text() == "50%"
    # the instant method has its own strength, the network's blend
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("instant"))
    assert mix.strength.isVisible() and not mix.ratio_strength.isVisible()


def test_texture_method_needs_no_photo(qtbot: Any, window: MainWindow) -> None:
    pick(qtbot, window, None, STARRY)
    assert "content image" in window.problem()
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("texture"))
    assert window.problem() == ""
    assert window.inputs.aspect_box.isVisible() and not window.controls.colour_group.isEnabled()
    window.inputs.aspect_box.setCurrentIndex(window.inputs.aspect_box.findData(1.5))
    settings = window.current_settings()
    assert settings.method == "texture" and settings.texture_aspect == 1.5
    # a photo chosen meanwhile is not shown: the texture does not use it
    pick(qtbot, window, PHOTO, None)
    assert window.result_panel.content_view.image() is None
    assert window.result_panel.preview_view.image() is None
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("gatys"))
    assert not window.inputs.aspect_box.isVisible()
    assert window.result_panel.content_view.image() is not None


def test_a_preview_asked_for_before_the_texture_method_never_shows(
    qtbot: Any, window: MainWindow
) -> None:
    pick(qtbot, window, PHOTO, STARRY)  # asks for an instant preview of the photo
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("texture"))
    # The switch cancels the request: nothing is left to submit, a job already started
    # finishes, and its answer, queued for this thread, is delivered and must be dropped.
    assert not window.preview._timer.isActive()
    window.preview.pool.waitForDone(60_000)
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()
    assert window.result_panel.preview_view.image() is None


def test_style_scale_and_a_command_line_style_size(window: MainWindow) -> None:
    window.controls.style_scale_box.setValue(150)
    assert window.current_settings().style_scale == 1.5
    window.apply_settings(Settings(size=400, style_size=200))
    assert window.controls.style_scale_box.value() == 50  # 200 px of 400: half the scale
    assert window.current_settings().resolved_style_size == 200


def test_painting_a_region_saves_a_mask_of_the_photos_size(
    qtbot: Any, window: MainWindow, out_dir: Path
) -> None:
    photo = QImage(PHOTO)
    dialog = MaskPainter(PHOTO, "starry_night.jpg", str(out_dir))
    qtbot.addWidget(dialog)
    dialog.show()
    canvas = dialog.canvas
    assert canvas.coverage() == 0.0
    # a stroke across the top third with the brush, a smaller one erased inside it
    canvas.brush = photo.height() // 3
    canvas.stroke(
        QPointF(0, photo.height() / 6), QPointF(photo.width(), photo.height() / 6), erase=False
    )
    painted = canvas.coverage()
    assert 0.3 < painted < 0.45
    dialog.eraser_button.setChecked(True)
    dialog.size_slider.setValue(40)
    assert canvas.brush == 40 and dialog.size_label.text() == "40 px"
    qtbot.mousePress(canvas, Qt.LeftButton, pos=canvas.rect().center())
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=canvas.rect().center())
    assert canvas.coverage() == painted  # the centre is below the painted band: no change
    top = QPoint(canvas.rect().center().x(), round(canvas._target().top()) + 5)
    qtbot.mousePress(canvas, Qt.LeftButton, pos=top)
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=top)
    assert canvas.coverage() < painted  # erased where the band is
    dialog.save()
    saved = Path(dialog.saved_path)
    assert saved.parent == out_dir / "masks" and saved.name == "tubingen_mask_001.png"
    mask = np.asarray(Image.open(saved))
    assert mask.shape == (photo.height(), photo.width())
    assert mask[: photo.height() // 8].mean() > 200 and mask[-photo.height() // 3 :].max() == 0
    # a second mask never overwrites the first
    again = MaskPainter(PHOTO, "starry_night.jpg", str(out_dir), str(saved))
    qtbot.addWidget(again)
    assert again.canvas.coverage() == pytest.approx(canvas.coverage(), abs=1e-3)
    again.save()
    assert Path(again.saved_path).name == "tubingen_mask_002.png"


def test_undo_and_redo_take_back_whole_strokes_and_fills(qtbot: Any, out_dir: Path) -> None:
    dialog = MaskPainter(PHOTO, "starry_night.jpg", str(out_dir))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()  # shortcuts reach the active window only
    qtbot.waitActive(dialog)
    canvas = dialog.canvas
    assert not dialog.undo_button.isEnabled() and not dialog.redo_button.isEnabled()
    # one drag across the photo: many dabs, one step of undo
    left, right = canvas._target().left() + 5, canvas._target().right() - 5
    y = round(canvas._target().center().y())
    qtbot.mousePress(canvas, Qt.LeftButton, pos=QPoint(round(left), y))
    for x in np.linspace(left, right, 8)[1:]:
        qtbot.mouseMove(canvas, QPoint(round(x), y))
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=QPoint(round(right), y))
    stroke = canvas.coverage()
    assert stroke > 0.05 and dialog.undo_button.isEnabled()
    invert = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Invert")
    invert.click()
    assert canvas.coverage() == pytest.approx(1 - stroke, abs=1e-3)
    qtbot.keyClick(dialog, Qt.Key_Z, Qt.ControlModifier)  # undo the Invert
    # (a button's shortcut clicks it after a short animation)
    qtbot.waitUntil(lambda: canvas.coverage() == pytest.approx(stroke, abs=1e-6), timeout=2000)
    dialog.undo_button.click()  # undo the stroke
    assert canvas.coverage() == 0.0 and not dialog.undo_button.isEnabled()
    dialog.redo_button.click()
    assert canvas.coverage() == pytest.approx(stroke, abs=1e-6)
    # a new edit after an undo drops what could have been redone
    canvas.fill(True)
    assert canvas.coverage() == 1.0 and not dialog.redo_button.isEnabled()
    dialog.save()
    assert np.asarray(Image.open(dialog.saved_path)).min() == 255  # what is shown is saved


def test_a_canvas_maps_the_pointer_to_the_photos_pixels(qtbot: Any) -> None:
    canvas = MaskCanvas(QImage(PHOTO))
    qtbot.addWidget(canvas)
    canvas.resize(512, 600)  # the photo, 1024x768, is shown at half size, centred
    target = canvas._target()
    assert target.width() == 512
    point = canvas.to_photo(QPointF(target.left() + 256, target.top() + 192))
    assert (round(point.x()), round(point.y())) == (512, 384)


def test_two_styles_with_regions_run_through_the_window(
    qtbot: Any, window: MainWindow, out_dir: Path, tmp_path: Path
) -> None:
    pick(qtbot, window, PHOTO, STARRY)
    window.inputs.style_mix.add(SCREAM, 1.0)
    width, height = Image.open(PHOTO).size
    left = np.zeros((height, width), np.uint8)
    left[:, : width // 2] = 255
    Image.fromarray(left).save(tmp_path / "left.png")
    window.inputs.style_mix._set_mask(
        window.inputs.style_mix.rows[0], str(tmp_path / "left.png"), emit=True
    )
    assert window.widget_values()["style_masks"] == (str(tmp_path / "left.png"), "")
    window.controls.size_box.setValue(48)
    window.controls.iterations_box.setValue(4)
    assert window.problem() == ""
    with qtbot.waitSignal(window.run_started, timeout=5_000):
        assert window.start_run()
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    pngs = [name for name in saved_files(out_dir) if name.endswith(".png")]
    assert pngs == ["tubingen_starry_night_001.png"]
    recipe = Settings.from_dict(
        __import__("json").loads((out_dir / "tubingen_starry_night_001.json").read_text())
    )
    assert recipe.style_masks == (str(tmp_path / "left.png"), "")
    assert recipe.extra_styles == ((SCREAM, 1.0),)


@pytest.mark.parametrize("main_weight", [2.0, 0.37, 5.0])
def test_style_weights_outside_the_slider_survive_the_window(
    window: MainWindow, main_weight: float
) -> None:
    # History > Re-run must run the recipe's blend, not one clamped to 1 and rounded.
    extra = ((SCREAM, 2.0), (PHOTO, 0.37), (str(SAMPLES / "shipwreck.jpg"), 5.0))
    settings = Settings(style_image_weight=main_weight, extra_styles=extra)
    window.apply_settings(settings)
    back = window.current_settings()
    assert back.style_image_weight == main_weight
    assert back.extra_styles == extra
    assert [row.value.text() for row in window.inputs.style_mix.rows[1:]] == ["2", "0.37", "5"]
    # a slider the user moves takes its own step again
    window.inputs.style_mix.rows[1].weight.setValue(50)
    assert window.current_settings().extra_styles[0] == (SCREAM, 0.5)

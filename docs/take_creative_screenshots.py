"""Use the creative controls through the real window, and shoot them for the README.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/take_creative_screenshots.py docs

1. Regions: Tübingen with The Starry Night and The Scream; the region painter opens over
   the photo, the sky is painted with the brush by simulated mouse drags (and a slip is
   erased), the mask is saved and given to The Starry Night, The Scream takes the rest;
   the run goes at 128 px. Shots: the painter (mask_painter.png; the README keeps it as
   mask_painter.jpg) and the window with the result (regions_window.png).
2. The same two styles blended (no masks), the style strength slider at 75% and the style
   scale at 150% (blend_window.png).
3. Texture: the texture method, 16:9, from The Scream, at 128 px (texture_window.png).
Settings and results go to a temporary folder, so the user's own are left alone.
"""

from __future__ import annotations

import sys

from PyQt5.QtCore import QPoint, Qt
from PyQt5.QtTest import QTest
from PyQt5.QtWidgets import QApplication
from screenshot_kit import SAMPLES, open_window

from gui.main_window import MainWindow
from gui.widgets.mask_painter import MaskPainter

SIZE = 128
ITERATIONS = 60


def wait(app: QApplication, done, timeout_s: float = 1800) -> None:
    """Process events until ``done()`` (the window stays live meanwhile)."""
    for _ in range(int(timeout_s * 20)):
        app.processEvents()
        if done():
            return
        QTest.qWait(50)
    raise SystemExit("timed out")


def drag(canvas, points: list[tuple[float, float]], button=Qt.LeftButton) -> None:
    """A mouse drag through ``points``, given as fractions of the shown photo."""
    target = canvas._target()

    def at(fx: float, fy: float) -> QPoint:
        return QPoint(
            round(target.left() + fx * target.width()), round(target.top() + fy * target.height())
        )

    QTest.mousePress(canvas, button, Qt.NoModifier, at(*points[0]))
    for point in points[1:]:
        QTest.mouseMove(canvas, at(*point))
    QTest.mouseRelease(canvas, button, Qt.NoModifier, at(*points[-1]))


def run_and_wait(app: QApplication, window: MainWindow) -> None:
    assert window.problem() == "", window.problem()
    assert window.start_run()
    wait(app, lambda: not window.is_running)
    print(
        window.result_panel.saved_label.text() or window.status_panel.progress_label.text(),
        flush=True,
    )


def main(out_dir: str) -> int:
    shots = open_window(out_dir, prefix="nst-creative-")
    app, window = shots.app, shots.window
    window.inputs.content_picker.set_path(str(SAMPLES / "tubingen.jpg"))
    window.inputs.style_picker.set_path(str(SAMPLES / "starry_night.jpg"))
    wait(
        app,
        lambda: (
            not window.inputs.content_picker.is_loading
            and not window.inputs.style_picker.is_loading
        ),
    )
    window.inputs.style_mix.add(str(SAMPLES / "the_scream.jpg"), 1.0)

    # --- the region painter, driven like a user would ---
    painter = MaskPainter(
        window.inputs.content_picker.path,
        "starry_night.jpg",
        window.controls.folder_edit.text(),
        parent=window,
    )
    painter.resize(900, 780)
    painter.move(200, 60)
    painter.show()
    QTest.qWaitForWindowExposed(painter)
    canvas = painter.canvas
    painter.size_slider.setValue(110)
    for y in (0.05, 0.14, 0.23):  # broad strokes across the sky
        drag(canvas, [(0.0, y), (0.3, y), (0.6, y), (0.999, y)])
    drag(canvas, [(0.0, 0.32), (0.3, 0.33), (0.55, 0.3)])  # lower, left of the houses
    painter.size_slider.setValue(40)
    drag(canvas, [(0.0, 0.4), (0.25, 0.42), (0.5, 0.38)])  # along the roofs' edge
    painter.eraser_button.setChecked(True)
    painter.size_slider.setValue(60)
    drag(canvas, [(0.9, 0.33), (1.0, 0.33)], Qt.RightButton)  # a slip over a roof, erased
    painter.brush_button.setChecked(True)
    shots.shoot("mask_painter.png", painter)
    painter.save()
    painter.close()
    window.inputs.style_mix._set_mask(
        window.inputs.style_mix.rows[0], painter.saved_path, emit=True
    )
    print("mask", painter.saved_path, f"covers {canvas.coverage():.0%}", flush=True)

    window.controls.size_box.setValue(SIZE)
    window.controls.iterations_box.setValue(ITERATIONS)
    run_and_wait(app, window)
    shots.shoot("regions_window.png")

    # --- two styles blended (no masks), the strength slider at 75%, style scale 150% ---
    window.inputs.style_mix._set_mask(window.inputs.style_mix.rows[0], "", emit=True)
    window.inputs.style_mix.ratio_strength.setValue(75)
    window.controls.style_scale_box.setValue(150)
    run_and_wait(app, window)
    print(f"style weight {window.layers_panel.style_weight_box.value():.3g}", flush=True)
    shots.shoot("blend_window.png")
    window.controls.style_scale_box.setValue(100)

    # --- a texture ---
    window.inputs.style_mix.remove(str(SAMPLES / "the_scream.jpg"))
    window.inputs.style_mix._set_mask(window.inputs.style_mix.rows[0], "", emit=True)
    window.inputs.style_picker.set_path(str(SAMPLES / "the_scream.jpg"))
    wait(app, lambda: not window.inputs.style_picker.is_loading)
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("texture"))
    window.inputs.aspect_box.setCurrentIndex(window.inputs.aspect_box.findData(16 / 9))
    run_and_wait(app, window)
    shots.shoot("texture_window.png")
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs"))

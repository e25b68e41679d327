"""Take the README's screenshot of the Sweep tab, through the real window.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/take_sweep_screenshot.py docs

It picks the bundled Tübingen photo and The Starry Night, opens the Sweep tab, varies the
style layers across and the style weight down (3 x 3 cells of 96 px, 20 steps each),
renders the sweep, selects a cell and shoots the window (QScreen.grabWindow: the screen
as the X server shows it). Settings and results go to a temporary folder, so the user's
own are left alone.
"""

from __future__ import annotations

import sys

from PyQt5.QtCore import QTimer
from screenshot_kit import SAMPLES, open_window


def main(out_dir: str) -> int:
    shots = open_window(out_dir)
    app, window = shots.app, shots.window
    panel = window.sweep_panel

    def start() -> None:
        if window.inputs.content_picker.is_loading or window.inputs.style_picker.is_loading:
            QTimer.singleShot(200, start)
            return
        window.result_tabs.setCurrentWidget(window.sweep_panel)
        boxes, edits = panel.axis_boxes, panel.value_edits
        boxes[0].setCurrentIndex(boxes[0].findData("layer_set"))
        edits[0].setText("conv1_1, conv1_1-3_1, conv1_1-5_1")
        boxes[1].setCurrentIndex(boxes[1].findData("style_weight"))
        edits[1].setText("1, 10, 100")
        panel.cell_size_box.setValue(96)
        panel.iterations_box.setValue(20)
        if not panel.start():
            print(f"the sweep did not start: {panel.progress_label.text()}", flush=True)
            app.quit()

    def finished(run: object) -> None:
        if run is None:
            print(f"the sweep failed: {panel.last_error}", flush=True)
            app.quit()
            return
        panel.grid.buttons[5].click()  # a cell to re-render: conv1_1-5_1, weight 10
        QTimer.singleShot(300, finish)

    def finish() -> None:
        shots.shoot("sweep_window.png")
        window.close()
        app.quit()

    panel.finished.connect(finished)
    window.inputs.content_picker.set_path(str(SAMPLES / "tubingen.jpg"))
    window.inputs.style_picker.set_path(str(SAMPLES / "starry_night.jpg"))
    QTimer.singleShot(200, start)
    QTimer.singleShot(600_000, app.quit)  # never hang
    return app.exec_()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs"))

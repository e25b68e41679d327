"""Take the README's screenshot of the instant preview, through the real window.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/take_instant_screenshot.py docs

It picks the bundled Tübingen photo and The Starry Night, waits for the instant preview,
moves the style strength slider, adds The Scream as a second style at half weight, waits
for the preview to follow, then presses Run with the instant method and shoots the window
(QScreen.grabWindow: the screen as the X server shows it). Settings and results go to a
temporary folder, so the user's own are left alone.
"""

from __future__ import annotations

import sys
import time

from PyQt5.QtCore import QTimer
from screenshot_kit import SAMPLES, open_window


def main(out_dir: str) -> int:
    shots = open_window(out_dir)
    app, window = shots.app, shots.window
    state = {"previews": 0, "asked": time.perf_counter()}

    def on_preview(_array, seconds: float) -> None:
        state["previews"] += 1
        waited = time.perf_counter() - state["asked"]
        print(f"preview {state['previews']}: {seconds:.2f} s in the job, {waited:.2f} s "
              f"after the last change", flush=True)  # fmt: skip
        if state["previews"] == 1:
            # A drag from 1.0 down to 0.7: many values, one preview (debounced).
            for value in range(100, 69, -2):
                window.inputs.style_mix.strength.setValue(value)
            window.inputs.style_mix.add(str(SAMPLES / "the_scream.jpg"), 0.5)
            state["asked"] = time.perf_counter()
        elif state["previews"] == 2:
            window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("instant"))
            window.start_run()
            QTimer.singleShot(500, wait_for_run)

    def wait_for_run() -> None:
        if window.is_running:
            QTimer.singleShot(200, wait_for_run)
            return
        QTimer.singleShot(300, finish)

    def finish() -> None:
        shots.shoot("screenshot-instant.png")
        window.close()
        app.quit()

    window.preview.ready.connect(on_preview)
    window.inputs.content_picker.set_path(str(SAMPLES / "tubingen.jpg"))
    window.inputs.style_picker.set_path(str(SAMPLES / "starry_night.jpg"))
    QTimer.singleShot(120_000, app.quit)  # never hang
    return app.exec_()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs"))

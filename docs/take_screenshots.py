"""Take the README's screenshots of the window: empty, a run in progress, the result.

Run it under a real X server (Xvfb on a headless machine), from the repository root:

    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python docs/take_screenshots.py docs

It drives the real window through a real run (the bundled Tübingen photo in the style of
The Starry Night at 256 px, default settings otherwise), with its own settings file and
output folder in a temporary directory, so the user's settings are left alone. Each
screenshot is the whole screen as the X server shows it (QScreen.grabWindow), not a
re-rendering of the widgets.
"""

from __future__ import annotations

import sys
import time

from PyQt5.QtCore import QTimer
from screenshot_kit import SAMPLES, open_window

SIZE = 256
RUNNING_AT_STEP = 60  # far enough in for the preview to look like a painting


def main(out_dir: str) -> int:
    shots = open_window(out_dir)
    app, window, shoot = shots.app, shots.window, shots.shoot
    state = {"running_shot": False, "started": 0.0}

    def on_progress(progress) -> None:
        if not state["running_shot"] and progress.step >= RUNNING_AT_STEP:
            state["running_shot"] = True
            # Let the preview repaint before the grab.
            QTimer.singleShot(300, lambda: shoot("screenshot-running.png"))

    def on_thread_done() -> None:
        if window.is_running:
            QTimer.singleShot(200, on_thread_done)
            return
        print(f"run took {time.perf_counter() - state['started']:.1f} s", flush=True)
        QTimer.singleShot(500, finish)

    def finish() -> None:
        shoot("screenshot-result.png")
        window.close()
        app.quit()

    def start() -> None:
        shoot("screenshot-empty.png")
        window.inputs.content_picker.set_path(str(SAMPLES / "tubingen.jpg"))
        window.inputs.style_picker.set_path(str(SAMPLES / "starry_night.jpg"))
        window.controls.size_box.setValue(SIZE)
        QTimer.singleShot(200, wait_for_images)

    def wait_for_images() -> None:
        if window.problem():
            QTimer.singleShot(200, wait_for_images)
            return
        window.run_started.connect(lambda worker: worker.progress.connect(on_progress))
        state["started"] = time.perf_counter()
        window.start_run()
        QTimer.singleShot(1000, on_thread_done)

    QTimer.singleShot(800, start)
    return app.exec_()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs"))

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
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PyQt5.QtCore import QSettings, QTimer  # noqa: E402
from PyQt5.QtWidgets import QApplication  # noqa: E402

from gui.app_settings import AppSettings  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402

SAMPLES = ROOT / "gui" / "samples"
SIZE = 256
RUNNING_AT_STEP = 60  # far enough in for the preview to look like a painting


def main(out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="nst-shots-"))
    app = QApplication(sys.argv[:1])
    store = AppSettings(QSettings(str(scratch / "settings.ini"), QSettings.IniFormat))
    window = MainWindow(store, restore=False)
    window.folder_edit.setText(str(scratch / "results"))
    window.resize(1440, 900)
    window.move(0, 0)
    window.show()

    def shoot(name: str) -> None:
        app.processEvents()
        screen = app.primaryScreen()
        geometry = window.frameGeometry()
        pixmap = screen.grabWindow(
            0, geometry.x(), geometry.y(), geometry.width(), geometry.height()
        )
        path = out / name
        pixmap.save(str(path))
        print(f"saved {path} ({pixmap.width()}x{pixmap.height()})", flush=True)

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
        window.content_picker.set_path(str(SAMPLES / "tubingen.jpg"))
        window.style_picker.set_path(str(SAMPLES / "starry_night.jpg"))
        window.size_box.setValue(SIZE)
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

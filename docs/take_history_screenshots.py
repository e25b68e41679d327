"""Take the README's screenshots of the History tab and its Compare dialog.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/take_history_screenshots.py \
        RESULTS_FOLDER docs

RESULTS_FOLDER holds results made by the command line (see the README's History section).
The window opens on it, switches to History, selects the newest result (the details pane
shows its recipe) and shoots the window; then selects the two newest Tübingen results,
opens Compare and shoots the dialog. Settings go to a temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PyQt5.QtCore import QSettings, QTimer  # noqa: E402
from PyQt5.QtWidgets import QApplication  # noqa: E402

from gui.app_settings import AppSettings  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402


def main(results: str, out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="nst-shots-"))
    app = QApplication(sys.argv[:1])
    store = AppSettings(QSettings(str(scratch / "settings.ini"), QSettings.IniFormat))
    window = MainWindow(store, restore=False)
    window.folder_edit.setText(results)
    window.resize(1440, 900)
    window.move(0, 0)
    window.show()
    panel = window.history_panel

    def save(widget, name: str) -> None:
        app.processEvents()
        widget.grab().save(str(out / name))
        print(f"saved {out / name}", flush=True)

    def wait_for_thumbnails(then) -> None:
        if panel.thumbnails_pending():
            QTimer.singleShot(100, lambda: wait_for_thumbnails(then))
        else:
            QTimer.singleShot(200, then)

    def show_history() -> None:
        window.result_tabs.setCurrentWidget(window.history_panel)
        panel.select_paths([panel.entries[0].path])
        wait_for_thumbnails(shoot_history)

    def shoot_history() -> None:
        save(window, "history.png")
        pair = [e.path for e in panel.entries if e.name.startswith("tubingen_starry_night")]
        panel.select_paths(pair[:2])
        dialog = panel.open_compare()
        dialog.resize(1000, 640)
        QTimer.singleShot(300, lambda: shoot_compare(dialog))

    def shoot_compare(dialog) -> None:
        save(dialog, "history_compare.png")
        app.quit()

    QTimer.singleShot(500, show_history)
    app.exec_()
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

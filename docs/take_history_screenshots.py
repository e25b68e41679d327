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

from PyQt5.QtCore import QTimer
from screenshot_kit import open_window


def main(results: str, out_dir: str) -> int:
    shots = open_window(out_dir, results=results)
    app, window = shots.app, shots.window
    panel = window.history_panel

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
        shots.render("history.png", window)
        pair = [e.path for e in panel.entries if e.name.startswith("tubingen_starry_night")]
        panel.select_paths(pair[:2])
        dialog = panel.open_compare()
        dialog.resize(1000, 640)
        QTimer.singleShot(300, lambda: shoot_compare(dialog))

    def shoot_compare(dialog) -> None:
        shots.render("history_compare.png", dialog)
        app.quit()

    QTimer.singleShot(500, show_history)
    app.exec_()
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

"""Take the README's screenshot of the Queue tab, through the real window.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/take_queue_screenshot.py docs

It queues the bundled photos in two styles at 128 px (Add to queue), and a folder holding
a photo that cannot be read (Add a folder of photos), runs them all, then queues three
more and runs again: the shot shows jobs done with their thumbnails and times, the one
that failed with its reason, one running and the rest waiting, while the window's Run
waits for the queue. Settings, the queue and results go to a temporary folder, so the
user's own are left alone.
"""

from __future__ import annotations

import sys

from PyQt5.QtCore import QTimer
from screenshot_kit import SAMPLES, open_window

FIRST = (("tubingen.jpg", "starry_night.jpg"), ("chelsea.png", "the_scream.jpg"))
LATER = (
    ("astronaut.png", "woman-with-hat-matisse.jpg"),
    ("coffee.png", "starry_night.jpg"),
    ("tubingen.jpg", "shipwreck.jpg"),
)


def main(out_dir: str) -> int:
    shots = open_window(out_dir)
    app, window = shots.app, shots.window
    queue = window.queue
    pickers = (window.inputs.content_picker, window.inputs.style_picker)
    todo: list[tuple[str, str]] = list(FIRST)
    photos = shots.scratch / "scans"
    photos.mkdir()
    (photos / "scan_017.jpg").write_bytes(b"a scan that was never finished")
    stage = {"round": 1}

    def loaded() -> bool:
        return not any(p.is_loading for p in pickers)

    def add_next() -> None:
        """Pick the next pair, wait for it to load, Add to queue; then run them all."""
        if not loaded():
            QTimer.singleShot(100, add_next)
            return
        if todo:
            if _picked(window, todo[0]):
                todo.pop(0)
                queue.add_button.click()
            else:
                pickers[0].set_path(str(SAMPLES / todo[0][0]))
                pickers[1].set_path(str(SAMPLES / todo[0][1]))
            QTimer.singleShot(100, add_next)
            return
        if stage["round"] == 1:
            queue.add_folder(str(photos))  # its one photo cannot be read: that job fails
        window.result_tabs.setCurrentWidget(queue.panel)
        if not queue.run_all():
            print("the queue did not start", flush=True)
            app.quit()
            return
        QTimer.singleShot(200, watch)

    def watch() -> None:
        jobs = window.model.jobs
        if stage["round"] == 1:
            if not queue.queue.running:
                stage["round"] = 2
                window.controls.iterations_box.setValue(300)  # long enough to shoot one running
                todo.extend(LATER)
                add_next()
            else:
                QTimer.singleShot(200, watch)
            return
        running = [j for j in jobs if j.state == "running"]
        steps = queue.panel.table.item(jobs.index(running[0]), 6).text() if running else ""
        if steps.startswith("step ") and _past(steps, 3):
            queue.panel.select(jobs[4].id)  # a waiting job: it can move or go
            QTimer.singleShot(300, finish)
            return
        QTimer.singleShot(200, watch)

    def finish() -> None:
        shots.shoot("queue.png")
        window.close()
        app.quit()

    window.controls.size_box.setValue(128)
    window.controls.iterations_box.setValue(20)
    QTimer.singleShot(200, add_next)
    QTimer.singleShot(600_000, app.quit)  # never hang
    return app.exec_()


def _picked(window: object, pair: tuple[str, str]) -> bool:
    """The pickers show ``pair`` (the model holds their paths once loaded)."""
    model = window.model  # type: ignore[attr-defined]
    return model.value("content").endswith(pair[0]) and model.value("style").endswith(pair[1])


def _past(steps: str, step: int) -> bool:
    """'step 5 of 300' is past ``step``."""
    return int(steps.split()[1]) >= step


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs"))

"""Take the screenshot of the Batch tab watching a batch that the command line runs.

    xvfb-run -a -s "-screen 0 1600x1000x24" \
        .venv/bin/python docs/take_batch_watch_screenshot.py docs

It starts ``nst batch`` as another process on two bundled photos and a scan that cannot be
read, in two styles at 96 px, and watches its folder from the window (Watch a batch…).
The shot waits until four items have ended (two done, the scan's two failed with their
reason) and the fifth has run for a second: the tab shows items done, failed, running and
waiting, the counts with the time to go, and the contact sheet as the command line last
wrote it. The batch is then interrupted (Ctrl+C: what is done stays). Settings and the
batch go to a temporary folder, so the user's own are left alone.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from PyQt5.QtCore import QTimer
from screenshot_kit import ROOT, SAMPLES, open_window

STYLES = ("starry_night.jpg", "the_scream.jpg")
ENDED = ("done", "failed")


def start_batch(scratch: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """``nst batch`` in its own process, its output in a log; the folder it writes into."""
    scan = scratch / "scan_017.jpg"
    scan.write_bytes(b"a scan that was never finished")
    contents = [str(SAMPLES / "tubingen.jpg"), str(scan), str(SAMPLES / "chelsea.png")]
    output = scratch / "batches"
    command = [sys.executable, "-m", "nst", "batch", "--content", *contents, "--style"]
    command += [str(SAMPLES / s) for s in STYLES]
    command += ["--size", "96", "--iterations", "30", "--output-dir", str(output)]
    log = (scratch / "batch.log").open("wb")
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    return process, output


def main(out_dir: str) -> int:
    shots = open_window(out_dir)
    app, window = shots.app, shots.window
    process, output = start_batch(shots.scratch)

    def watch() -> None:
        """Watch the batch once the command line has made its folder and store."""
        folders = sorted(output.glob("batch_*/jobs.sqlite")) if output.is_dir() else []
        if not folders:
            if process.poll() is not None:
                return give_up(f"nst batch ended ({process.returncode}) before its folder")
            QTimer.singleShot(200, watch)
            return
        if not window.batch_watch.watch(str(folders[0].parent)):
            return give_up("the window did not watch the batch")
        wait()

    def wait() -> None:
        panel = window.batch_watch.panel
        if panel is None:
            return give_up("the Batch tab closed")
        panel.look()  # now, not at the tab's next second
        jobs = panel.watch.jobs
        ended = sum(job.state in ENDED for job in jobs)
        running = [i for i, job in enumerate(jobs) if job.state == "running"]
        if ended == 4 and running == [4] and panel.sheet.image() is not None:
            if (panel.watch.running_for(jobs[4]) or 0) >= 1:  # its time has started
                panel.timer.stop()  # the shot shows what was just looked at
                panel.table.selectRow(2)  # a failed item: the line under the list says why
                finish()
                return
        elif ended > 4 or process.poll() is not None:
            return give_up("the batch went past the moment of the shot; run it again")
        QTimer.singleShot(250, wait)

    def finish() -> None:
        shots.shoot("batch_watch.png")
        stop_batch(process)
        window.close()
        app.quit()

    def give_up(why: str) -> None:
        print(why, flush=True)
        stop_batch(process)
        app.exit(1)

    QTimer.singleShot(200, watch)
    QTimer.singleShot(600_000, lambda: give_up("no shot in ten minutes"))  # never hang
    return app.exec_()


def stop_batch(process: subprocess.Popen[bytes]) -> None:
    """Ctrl+C, as a user would: the items done stay, with batch.json and the sheet."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs"))

"""Watching a batch in the window (gui/batch_view/): a batch folder made as the command
line makes it, its store changed from here as the command line changes it, and the Batch
tab following (rows, counts, the contact sheet); a folder without a batch refused in one
sentence; stopping watching takes the tab away. No TensorFlow: the store is written
directly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from gui.main_window import MainWindow
from nst.batch.runner import SHEET_NAME, create_batch
from nst.batch.store import STORE_NAME, Job, JobStore
from nst.settings import Settings

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("isolated_home")]

WAIT_MS = 5000  # a look each second: a change shows within one or two


@pytest.fixture
def batch(samples: Path, tmp_path: Path) -> Iterator[tuple[Path, JobStore]]:
    """A 2 x 2 batch as ``nst batch`` makes it, and its store open for writing."""
    contents = [str(samples / "tubingen.jpg"), str(samples / "chelsea.png")]
    styles = [str(samples / "starry_night.jpg"), str(samples / "the_scream.jpg")]
    folder = create_batch(Settings(size=32, iterations=2), contents, styles, tmp_path / "out")
    store = JobStore(folder / STORE_NAME)
    yield folder, store
    store.close()


def _column(window: MainWindow, column: int) -> list[str]:
    panel = window.batch_watch.panel
    assert panel is not None
    table = panel.table
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_the_batch_tab_follows_the_store(
    qtbot: Any, window: MainWindow, batch: tuple[Path, JobStore]
) -> None:
    folder, store = batch
    assert window.batch_watch.watch(str(folder))
    panel = window.batch_watch.panel
    assert panel is not None
    assert window.result_tabs.currentWidget() is panel
    assert window.result_tabs.tabText(window.result_tabs.currentIndex()) == "Batch"
    assert _column(window, 1) == ["tubingen.jpg", "tubingen.jpg", "chelsea.png", "chelsea.png"]
    assert _column(window, 3) == ["waiting"] * 4
    assert panel.summary.text() == "0 done · 4 left"
    assert "--resume" in panel.note.text()  # nothing runs it

    first, second, third, _ = (job.id for job in store.jobs(batch=""))
    store.start(first)
    qtbot.waitUntil(lambda: _column(window, 3)[0] == "running", timeout=WAIT_MS)
    assert "command line is running it" in panel.note.text()
    store.finish(first, "done", ["tubingen_starry_night.png", "x.json"], {"total": 1.0}, 75.0)
    store.start(second)
    store.fail(second, "The content image cannot be read.", 0.4)
    Image.new("RGB", (40, 30), "orange").save(folder / SHEET_NAME)
    store.start(third)
    qtbot.waitUntil(
        lambda: _column(window, 3)[:3] == ["done", "failed", "running"], timeout=WAIT_MS
    )
    assert _column(window, 4)[0] == "1:15"
    assert _column(window, 5)[:2] == [
        "saved as tubingen_starry_night.png",
        "The content image cannot be read.",
    ]
    assert panel.summary.text() == "1 done · 1 failed · 2 left · about 2:30 to go"
    assert panel.progress.value() == 2 and panel.progress.maximum() == 4
    panel.table.selectRow(1)  # the failed item: its whole reason under the list
    assert panel.item_line.text() == (
        "Item 2: tubingen.jpg in the style of the_scream.jpg, failed: "
        "The content image cannot be read."
    )
    qtbot.waitUntil(lambda: panel.sheet.image() is not None, timeout=WAIT_MS)
    assert panel.sheet.image().width() == 40

    looks = panel.looks
    qtbot.waitUntil(lambda: panel.looks > looks, timeout=WAIT_MS)  # it keeps looking
    window.batch_watch.stop()
    assert window.batch_watch.panel is None
    assert all(window.result_tabs.tabText(i) != "Batch" for i in range(window.result_tabs.count()))


def test_a_folder_without_a_batch_is_refused(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    tabs = window.result_tabs.count()
    assert not window.batch_watch.watch(str(tmp_path))
    assert window.last_message is not None
    title, text = window.last_message
    assert title == "Not a batch folder" and STORE_NAME in text and str(tmp_path) in text
    assert window.result_tabs.count() == tabs and window.batch_watch.panel is None


def test_the_menu_offers_it_and_another_batch_replaces_the_first(
    qtbot: Any, window: MainWindow, samples: Path, tmp_path: Path, batch: tuple[Path, JobStore]
) -> None:
    run_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Run")
    assert window.act_watch_batch in run_menu.actions()
    folder, _store = batch
    other = create_batch(
        Settings(size=32), [str(samples / "coffee.png")], [str(samples / "shipwreck.jpg")], folder
    )
    tabs = window.result_tabs.count()
    assert window.batch_watch.watch(str(folder))
    assert window.batch_watch.watch(str(other))
    assert window.result_tabs.count() == tabs + 1
    assert _column(window, 1) == ["coffee.png"]


# --------------------------------------------------------------------------- the status bar


def _jobs(*states: str) -> tuple[Job, ...]:
    settings = Settings(content="/photos/a.jpg", style="/styles/b.jpg").to_json()
    return tuple(
        Job(
            id=10 + n,
            queue="window",
            batch=None,
            position=n,
            content="/photos/a.jpg",
            style="/styles/b.jpg",
            settings_json=settings,
            state=state,
        )
        for n, state in enumerate(states)
    )


def test_the_status_bar_follows_the_running_queue_job(window: MainWindow) -> None:
    status, model = window.status_panel, window.model
    assert status.progress_label.text() == "Ready"
    jobs = _jobs("done", "done", "running", "waiting", "waiting", "waiting")
    model.set_jobs(jobs, running=True, current=12)
    assert status.progress_label.text() == "Queue job 3 of 6 · starting…"
    model.job_step(12, 40, 300)
    assert status.progress_label.text().startswith("Queue job 3 of 6 · step 40 of 300 · ")
    assert status.progress_label.text().endswith(" left")
    assert (status.progress_bar.value(), status.progress_bar.maximum()) == (40, 300)
    model.job_step(99, 7, 10)  # not the job the bar follows
    assert status.progress_bar.value() == 40

    jobs = _jobs("done", "done", "done", "running", "waiting", "waiting")
    model.set_jobs(jobs, running=True, current=13)  # the next job: an empty bar
    assert status.progress_label.text() == "Queue job 4 of 6 · starting…"
    assert status.progress_bar.value() == 0
    model.job_step(13, 300, 300)
    assert status.progress_label.text().startswith("Queue job 4 of 6 · step 300 of 300")
    assert "left" not in status.progress_label.text()
    model.set_jobs(_jobs("done", "done", "done", "stopped", "waiting", "waiting"))
    assert status.progress_label.text() == "Queue stopped"  # jobs still wait
    model.set_jobs(_jobs("done", "running"), running=True, current=11)
    model.set_jobs(_jobs("done", "done"))
    assert status.progress_label.text() == "Queue done"  # none waits


def test_the_status_bar_counts_the_jobs_running_side_by_side_on_ray(window: MainWindow) -> None:
    status, model = window.status_panel, window.model
    model.set_jobs(_jobs("done", "running", "running", "running"), running=True, current=11)
    assert status.progress_label.text() == "Queue: 3 running side by side"
    assert (status.progress_bar.value(), status.progress_bar.maximum()) == (1, 4)
    model.set_jobs(_jobs("done", "failed", "done", "running"), running=True, current=13)
    assert status.progress_label.text() == "Queue: 1 running side by side"  # no steps on Ray
    assert status.progress_bar.value() == 3
    model.set_jobs(_jobs("done", "failed", "done", "done"))
    assert status.progress_label.text() == "Queue done"

"""How the Batch tab words a watched batch: an item's time and what became of it, how far
the batch is, and whether anything runs it now. The model holds facts (the store's Job,
BatchCounts); the words live here."""

from __future__ import annotations

from pathlib import Path

from gui.model.batch_watch import BatchCounts
from gui.queue.words import details as job_details
from nst.batch.store import RUNNING, Job
from nst.run.clock import clock_text

TAB_TIP = "A batch the command line runs (nst batch), followed as it goes; read only."
NO_SHEET = "The contact sheet appears here when the first item is done."
OPEN_TIP = "Show the batch's folder (results, recipes, batch.json) in the file manager."
STOP_TIP = "Stop following this batch and close its tab (the batch itself goes on)."
SHEET_TIP = "Photos down, styles across; the command line rewrites it as items finish."
NOT_A_BATCH = "Not a batch folder"
NO_ITEM = "Select an item to read all of it; double-click one with a result to open its image."


def item_time(job: Job, running_for: float | None) -> str:
    """The item's time: how long it took, or how long it has run so far."""
    if job.state == RUNNING:
        return clock_text(running_for) if running_for is not None else ""
    return clock_text(job.seconds) if job.seconds is not None else ""


def details(job: Job) -> str:
    """What became of the item, in a line: its file, or why it failed (the queue's words;
    a running item's steps are the command line's, not read here)."""
    return "" if job.state == RUNNING else job_details(job)


def item_line(job: Job) -> str:
    """The selected item in a sentence or two: its place, photo and style, and its end."""
    photo = Path(job.content).name if job.content else "a texture"
    what = f"Item {job.position + 1}: {photo} in the style of {Path(job.style).name}"
    end = details(job)
    return f"{what}, {job.state}: {end}" if end else f"{what}, {job.state}."


def summary(counts: BatchCounts, eta: float | None) -> str:
    """'5 done · 1 failed · 2 left · about 1:40 to go'."""
    if not counts.total:
        return "No items yet."
    parts = [f"{counts.done} done"]
    if counts.failed:
        parts.append(f"{counts.failed} failed")
    parts.append(f"{counts.left} left" if counts.left else "all finished")
    if counts.left and eta is not None:
        parts.append(f"about {clock_text(eta)} to go")
    return " · ".join(parts)


def progress_format(counts: BatchCounts) -> str:
    """The overall bar's text (QProgressBar's %v and %m: items finished, items)."""
    return "%v of %m items finished" if counts.total else ""


def how_it_runs(counts: BatchCounts, running: bool, folder: Path, ended: bool = False) -> str:
    """Whether something runs the batch now (``running``: an item ran a moment ago;
    ``ended``: the process that ran it is gone), and how to go on when nothing does."""
    if ended and counts.left:
        return (
            "The process that ran it has ended (killed or crashed); "
            f"nst batch --resume '{folder}' runs what is left, its running item again."
        )
    if running and counts.left:
        return "The command line is running it; this tab follows every item as it ends."
    if counts.total and not counts.left:
        return "Finished." if not counts.failed else "Finished; the failed items say why."
    return f"Nothing runs it now; nst batch --resume '{folder}' runs what is left."


def unreadable_note(why: str) -> str:
    return f"{why} The tab shows what it read last and tries again each second."

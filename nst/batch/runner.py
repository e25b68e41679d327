"""Running a batch: its waiting items one after another on the one run path (Transfer,
save_outcome) into its own folder, with batch.json and the contact sheet rewritten as
items finish. The caller owns the loop over ``events()``; ``stop()`` ends the item in
progress after its current step, keeps its best image and marks it stopped.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nst.batch.plan import BatchError, plan_items
from nst.batch.store import DONE, FAILED, RUNNING, STOPPED, STORE_NAME, Job, JobStore
from nst.cluster.item import transfer_for
from nst.errors import ImageError, NstError
from nst.imaging.export import new_numbered_folder, write_atomic, write_text_atomic
from nst.imaging.load import load_image
from nst.imaging.save import check_output_dir, result_stem
from nst.imaging.sheet import Headers, grid_sheet
from nst.run.inputs import run_images
from nst.run.outcome import save_outcome
from nst.run.series import SessionSeries
from nst.settings import Settings

log = logging.getLogger(__name__)

INDEX_NAME = "batch.json"
SHEET_NAME = "contact_sheet.png"
BATCH_OWNER = "batch:"  # the store's key of who runs the batch (JobStore.claim)
THUMB = 128  # the longest side of a picture on the contact sheet


@dataclass(frozen=True)
class ItemStarted:
    job: Job
    index: int  # 0-based among the batch's items
    count: int
    eta: float | None  # seconds left for the whole batch, from measured item times


@dataclass(frozen=True)
class ItemStep:
    job: Job
    index: int
    count: int
    progress: Any  # a nst.run.result.Progress


@dataclass(frozen=True)
class ItemDone:
    """An item done, stopped (its best image kept) or failed (``job.reason`` says why)."""

    job: Job
    index: int
    count: int
    done: int  # items done in the batch so far
    failed: int
    eta: float | None


def time_left(times: Sequence[float], left: int) -> float | None:
    """Seconds ``left`` items take at the median of the items' ``times`` so far (the
    median: the first item of a process also pays for TensorFlow's start-up); None
    before an item has a time."""
    return left * statistics.median(times) if times else None


def new_batch_folder(parent: Path, stem: str) -> Path:
    """A new folder ``batch_<stem>_NNN`` in ``parent`` (nst.imaging.export's rule)."""
    return new_numbered_folder(parent, "batch", stem, "batches")


def create_batch(
    base: Settings,
    contents: Sequence[str],
    styles: Sequence[str],
    output_dir: str | os.PathLike[str],
) -> Path:
    """Check the output folder, make the batch's folder and store its items; returns the
    folder (run it with BatchRun). ``base`` holds every other setting."""
    parent = check_output_dir(output_dir)
    texture = base.method == "texture"
    items = plan_items(contents, styles, texture)
    folder = new_batch_folder(parent, result_stem(None if texture else contents[0], styles[0]))
    with JobStore(folder / STORE_NAME) as store:
        for content, style in items:
            store.add(base.replace(content=content or base.content, style=style), batch="")
    return folder


def open_batch(folder: str | os.PathLike[str]) -> Path:
    """A batch folder to resume; BatchError when it holds no batch."""
    path = Path(os.path.abspath(os.path.expanduser(os.fspath(folder))))
    if not (path / STORE_NAME).is_file():
        raise BatchError(f"The folder '{folder}' holds no batch (no {STORE_NAME} in it).")
    check_output_dir(path)  # a folder that became read-only is refused before any work
    return path


class BatchRun:
    """The waiting items of the batch in ``folder``; ``stop`` may be called from any thread."""

    def __init__(self, folder: str | os.PathLike[str], *, weights: Any = None) -> None:
        self.folder = Path(folder)
        self.store = JobStore(self.folder / STORE_NAME)
        other = self.store.claim(BATCH_OWNER)
        if other is not None:
            # Two processes on one batch would run its items twice, and the second would
            # take the first's running item for one a killed process left.
            self.store.close()
            raise BatchError(
                f"The batch in '{self.folder}' is being run by process {other.pid} on this "
                "machine; wait for it to end, or stop it, and resume then."
            )
        # A job left running by a killed process is run again from the start.
        self.recovered = self.store.recover(batch="")
        self.weights = weights
        self._series = SessionSeries()
        self._unreadable: dict[str, str] = {}  # path -> the one sentence why
        self._thumbs: dict[int, np.ndarray] = {}
        self._times: list[float] = []

    @property
    def jobs(self) -> list[Job]:
        return self.store.jobs(batch="")

    @property
    def index_path(self) -> Path:
        return self.folder / INDEX_NAME

    @property
    def sheet_path(self) -> Path:
        return self.folder / SHEET_NAME

    def stop(self) -> None:
        self._series.stop()

    def close(self) -> None:
        self.store.release(BATCH_OWNER)
        self.store.close()

    def counts(self) -> tuple[int, int, int]:
        """(done, failed, all) items."""
        jobs = self.jobs
        return (sum(j.state == DONE for j in jobs), sum(j.state == FAILED for j in jobs), len(jobs))

    def _eta(self, left: int) -> float | None:
        return time_left(self._times, left)

    def events(self) -> Iterator[ItemStarted | ItemStep | ItemDone]:
        """Run every item that is not done (a failed one is tried again: the photo may have
        been fixed, the memory freed); batch.json and the sheet are written after each
        item and at the end, also when stopped or interrupted."""
        try:
            yield from self._items()
        finally:
            self.finish()

    def prepare(self) -> None:
        """Load the weights once for every item: missing weights end the batch before any
        item runs, rather than failing each one (nst.vgg.weights' WeightsError)."""
        if self.weights is None:
            from nst.vgg.weights import load_weights

            jobs = self.jobs
            if jobs:
                self.weights = load_weights(jobs[0].settings.weights)

    def _items(self) -> Iterator[ItemStarted | ItemStep | ItemDone]:
        self.prepare()
        jobs = self.jobs
        count = len(jobs)
        todo = [(i, j) for i, j in enumerate(jobs) if j.state != DONE]
        for n, (index, job) in enumerate(todo):
            if self._series.stopped:
                break
            yield ItemStarted(job, index, count, self._eta(len(todo) - n))
            self.store.start(job.id)
            started = time.perf_counter()
            try:
                result = None
                for event in self._run(job, index, count):
                    if isinstance(event, ItemStep):
                        yield event
                    else:
                        result = event
                state = STOPPED if self._series.stopped else DONE
                self.keep(job, result, state, time.perf_counter() - started)
            except NstError as exc:
                # A photo that cannot be read, a NaN: this item fails, the others run.
                self.fail(job, str(exc), time.perf_counter() - started)
            yield self.item_done(job, index, count, self._eta(len(todo) - n - 1))

    def keep(self, job: Job, result: Any, state: str, seconds: float) -> None:
        """Save a finished item's image and recipe and mark it ``state`` (done, or stopped
        with its best image so far)."""
        files, losses, image = self._save(job, result, state)
        self.store.finish(job.id, state, files, losses, seconds)
        self._thumbs[job.id] = image
        if state == DONE:
            self._times.append(seconds)

    def fail(self, job: Job, reason: str, seconds: float) -> None:
        log.info("item %s failed: %s", job.position + 1, reason)
        self.store.fail(job.id, reason, seconds)

    def item_done(self, job: Job, index: int, count: int, eta: float | None) -> ItemDone:
        """batch.json and the sheet rewritten after an item, and its event."""
        self.write_index()
        self.write_sheet()
        done, failed, _ = self.counts()
        return ItemDone(self.store.get(job.id), index, count, done, failed, eta)

    def images(self, settings: Settings) -> tuple[np.ndarray | None, np.ndarray]:
        """An item's photo (None for a texture) and style, read from its settings' paths."""
        return run_images(settings, self._image)

    def _image(self, path: str, role: str) -> np.ndarray:
        if path in self._unreadable:
            raise ImageError(self._unreadable[path])
        try:
            return load_image(path, role=role)
        except ImageError as exc:
            self._unreadable[path] = str(exc)  # its other items fail without reading it again
            raise

    def _run(self, job: Job, index: int, count: int) -> Iterator[Any]:
        content, style = self.images(job.settings)
        with closing(transfer_for(job.settings, content, style, weights=self.weights)) as session:
            for progress in self._series.steps(session):
                yield ItemStep(job, index, count, progress)
            yield session.result()

    def _save(self, job: Job, result: Any, state: str) -> tuple[list[str], dict[str, float], Any]:
        """Save the item's image and recipe; stopped part-way, its best image is kept too."""
        recipe = result.recipe()
        recipe["batch"] = {"index_file": INDEX_NAME, "item": job.position + 1, "state": state}
        saved = save_outcome(result.image, job.settings, self.folder, recipe, keep_elsewhere=False)
        assert saved.path is not None
        files = [saved.path.name, saved.path.with_suffix(".json").name]
        return files, dict(result.losses), result.image

    def finish(self) -> None:
        """Write batch.json and the sheet (after a stop or an interruption too)."""
        # An item interrupted before it could be marked goes back to waiting for a resume.
        for job in self.jobs:
            if job.state == RUNNING:
                self.store.reset(job.id)
        self.write_index()
        self.write_sheet()

    def write_index(self) -> None:
        """batch.json: an export of the store for people and scripts, written atomically."""
        items = []
        for job in self.jobs:
            items.append(
                {
                    "item": job.position + 1,
                    "content": job.content or None,
                    "style": job.style,
                    "state": job.state,
                    "files": job.files,
                    "final_losses": job.losses or None,
                    "seconds": job.seconds,
                    "reason": job.reason or None,
                }
            )
        done, failed, count = self.counts()
        data = {
            "items": items,
            "done": done,
            "failed": failed,
            "count": count,
            "contact_sheet": SHEET_NAME,
            "store": STORE_NAME,
        }
        write_text_atomic(self.index_path, json.dumps(data, indent=2) + "\n")

    def _thumb(self, job: Job) -> np.ndarray | None:
        if job.id in self._thumbs:
            return self._thumbs[job.id]
        if job.state not in (DONE, STOPPED) or not job.files:
            return None
        try:  # an item finished by an earlier process: its PNG is read back
            image = load_image(self.folder / job.files[0], role="result")
        except ImageError:
            return None
        self._thumbs[job.id] = image
        return image

    def write_sheet(self) -> None:
        """The contact sheet: styles across, photos down (a texture batch: one row)."""
        jobs = self.jobs
        rows = list(dict.fromkeys(j.content for j in jobs))
        columns = list(dict.fromkeys(j.style for j in jobs))
        pictures, notes = {}, {}
        for job in jobs:
            place = (rows.index(job.content), columns.index(job.style))
            picture = self._thumb(job)
            if picture is not None:
                pictures[place] = picture
            else:
                notes[place] = job.state
        texture = rows == [""]
        names = tuple(_name(c) for c in columns)
        if texture:
            headers = Headers("style", names)
        else:
            headers = Headers("style", names, "photo", tuple(_name(r) for r in rows))
        sheet = grid_sheet(headers, pictures, _cell_box(pictures.values()), notes, THUMB)
        write_atomic(self.sheet_path, lambda fh: sheet.save(fh, format="PNG"))


def _name(path: str) -> str:
    return Path(path).stem


def _cell_box(pictures: Iterable[np.ndarray]) -> tuple[int, int]:
    """The box each picture fits in at THUMB px on its longest side: landscape photos get
    landscape cells, not squares with wide gaps between the rows."""
    width = height = 0
    for picture in pictures:
        rows, columns = picture.shape[:2]
        scale = THUMB / max(rows, columns)
        width, height = max(width, round(columns * scale)), max(height, round(rows * scale))
    return (width, height) if width else (THUMB, THUMB)

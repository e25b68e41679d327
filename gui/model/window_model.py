"""The window's state in plain Python: the Settings, the chosen images, the output folder,
the run's state and the jobs of a queue. No Qt here: the panels bind to this model (they
show what it holds and write what the user edits into it), and a test drives it alone.

One value, one place: each Settings field lives here once and every control showing it
is a view of it (the style strength slider and the style weight box both show
``style_weight``). An edit that makes the Settings invalid is kept as the user typed it,
with its problem, and no other field is rewritten to make it fit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from gui.model.events import (
    Change,
    FolderChanged,
    ImagesChanged,
    JobsChanged,
    JobStep,
    RunStateChanged,
    SettingsChanged,
    SweepChanged,
)
from gui.model.jobs import OUTPUT_FOLDER, ChosenImage, NotReady, RunRequest
from gui.model.run_state import RunState
from nst.batch.store import Job
from nst.settings import Settings, SettingsError, ratio_to_strength, strength_to_ratio

FIELDS = tuple(f.name for f in dataclasses.fields(Settings))
IMAGE_ROLES = ("content", "style")

Listener = Callable[[Change], None]


class WindowModel:
    def __init__(self, settings: Settings | None = None, folder: str = "") -> None:
        self._settings = settings if settings is not None else Settings()
        self._edits: dict[str, Any] = {}  # shown values the Settings do not hold (invalid)
        self._problems: dict[str, SettingsError] = {}
        # Regions set aside while a method other than Gatys is chosen (they come back
        # with it): the other methods take no masks, and the user's must not be lost.
        self._masks_aside: tuple[str, ...] = ()
        self._folder = folder
        self._loading: frozenset[str] = frozenset()
        self._images: dict[str, ChosenImage] = {}
        self._run_state = RunState()
        self._sweep_running = False
        self._jobs: tuple[Job, ...] = ()
        self._queue_running = False
        self._current_job: int | None = None
        self._listeners: list[Listener] = []

    # ------------------------------------------------------------------ listening

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every change from now on; returns the unsubscriber."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    # ------------------------------------------------------------------ settings

    @property
    def settings(self) -> Settings:
        """The last valid Settings (see ``problems`` for an edit not yet valid)."""
        return self._settings

    @property
    def problems(self) -> Mapping[str, SettingsError]:
        """field -> why the value shown is not allowed (empty when the Settings are valid)."""
        return dict(self._problems)

    def value(self, name: str) -> Any:
        """The value shown for field ``name``: the user's edit, valid or not."""
        if name in self._edits:
            return self._edits[name]
        return getattr(self._settings, name)

    def values(self) -> dict[str, Any]:
        return {name: self.value(name) for name in FIELDS}

    def set_field(self, name: str, value: Any) -> None:
        self.set_fields(**{name: value})

    def set_fields(self, **values: Any) -> None:
        """The user's edit of one or more fields, checked together: one change."""
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise KeyError(f"not a setting: {', '.join(sorted(unknown))}")
        changed = frozenset(n for n, v in values.items() if not _same(self.value(n), v))
        if not changed:
            return
        candidate = {**self.values(), **values}
        changed |= self._regions(candidate, changed)
        self._check(candidate)
        self._emit(SettingsChanged(changed))

    def load_settings(self, settings: Settings) -> None:
        """Replace the Settings whole (a recipe, History): one check, one change."""
        self._settings = settings
        self._edits, self._problems, self._masks_aside = {}, {}, ()
        self._emit(SettingsChanged(frozenset(FIELDS), loaded=True))

    def _check(self, candidate: dict[str, Any]) -> None:
        try:
            settings = Settings(**candidate)
        except SettingsError as exc:
            self._edits = {
                n: v for n, v in candidate.items() if not _same(getattr(self._settings, n), v)
            }
            self._problems = {exc.field.split(".")[0]: exc}
        else:
            self._settings, self._edits, self._problems = settings, {}, {}

    def _regions(self, candidate: dict[str, Any], changed: frozenset[str]) -> set[str]:
        """Regions follow the styles and the method; returns the fields this changed."""
        masks = tuple(candidate["style_masks"])
        if "style" in changed and not candidate["style"] and masks and masks[0]:
            masks = ("", *masks[1:])  # the main style removed: its region goes with it
            if not any(masks):
                masks = ()
        if candidate["method"] != "gatys" and masks:
            self._masks_aside, masks = masks, ()
        elif candidate["method"] == "gatys" and "method" in changed and self._masks_aside:
            if len(self._masks_aside) == 1 + len(candidate["extra_styles"]):
                masks = self._masks_aside
            self._masks_aside = ()
        if masks == tuple(candidate["style_masks"]):
            return set()
        candidate["style_masks"] = masks
        return {"style_masks"}

    # ------------------------------------------------------------------ style images

    def shown_masks(self) -> tuple[str, ...]:
        """Each style image's region, the main style's first ("" for the whole picture or
        the rest), those set aside by another method included."""
        count = 1 + len(self.value("extra_styles"))
        masks = tuple(self.value("style_masks")) or self._masks_aside
        return masks if len(masks) == count else ("",) * count

    def add_style(self, path: str, weight: float = 1.0) -> None:
        """Another style image, with no region of its own yet."""
        extra = tuple(self.value("extra_styles"))
        if any(p == path for p, _ in extra):
            return
        self._set_styles((*extra, (path, weight)), (*self.shown_masks(), ""))

    def remove_style(self, path: str) -> None:
        """An extra style image removed, its region with it."""
        extra = tuple(self.value("extra_styles"))
        kept = [i for i, (p, _) in enumerate(extra) if p != path]
        masks = self.shown_masks()
        self._set_styles(tuple(extra[i] for i in kept), (masks[0], *(masks[1 + i] for i in kept)))

    def set_style_weight(self, index: int, weight: float) -> None:
        """Style image ``index``'s weight (0: the main one, the Style picker's)."""
        if index == 0:
            self.set_field("style_image_weight", weight)
            return
        extra = list(self.value("extra_styles"))
        extra[index - 1] = (extra[index - 1][0], weight)
        self.set_field("extra_styles", tuple(extra))

    def set_region(self, index: int, mask: str) -> None:
        """Style image ``index``'s region: a mask image, or "" for the whole picture."""
        masks = list(self.shown_masks())
        masks[index] = mask
        self._set_styles(tuple(self.value("extra_styles")), tuple(masks))

    def _set_styles(self, extra: tuple[tuple[str, float], ...], masks: tuple[str, ...]) -> None:
        if not any(masks):
            masks = ()
        if self.value("method") != "gatys":  # kept for Gatys, not used by this method
            self._masks_aside, masks = masks, ()
        self.set_fields(extra_styles=extra, style_masks=masks)

    @property
    def masks_aside(self) -> tuple[str, ...]:
        """The regions kept for the Gatys method while another is chosen."""
        return self._masks_aside

    @property
    def rate_chosen(self) -> bool:
        """The user chose the learning rate; else (None) it is the optimizer's default."""
        return self.value("learning_rate") is not None

    # ------------------------------------------------------------------ style strength

    @property
    def strength_position(self) -> float | None:
        """The style strength slider's position for the optimization: a view of the style
        weight against the content weight; None when the content weight is 0 (no ratio)."""
        content, style = self.value("content_weight"), self.value("style_weight")
        if not _number(content) or not _number(style) or content <= 0:
            return None
        return ratio_to_strength(style / content)

    def set_strength_position(self, position: float) -> None:
        """The slider moved: the style weight follows; the content weight stays as it is."""
        content = self.value("content_weight")
        if _number(content) and content > 0:
            self.set_field("style_weight", strength_to_ratio(position) * content)

    @property
    def preview_strength(self) -> float:
        """The strength the instant preview shows: the visible slider's, whichever method."""
        if self.value("method") == "gatys":
            position = self.strength_position
            return 1.0 if position is None else position
        return self.value("style_strength")

    # ------------------------------------------------------------------ images, folder

    @property
    def loading(self) -> frozenset[str]:
        """The images ("content", "style") still loading."""
        return self._loading

    def set_loading(self, role: str, loading: bool) -> None:
        now = self._loading | {role} if loading else self._loading - {role}
        if now != self._loading:
            self._loading = now
            self._emit(ImagesChanged(now))

    def image(self, role: str) -> ChosenImage | None:
        """The loaded image of ``role`` ("content", "style"), with its size."""
        return self._images.get(role)

    def set_image(self, role: str, image: ChosenImage | None) -> None:
        before = self._images.get(role)
        if image is before:
            return
        if image is None:
            self._images.pop(role, None)
        else:
            self._images[role] = image
        again = before is not None and image is not None and before.path == image.path
        roles = frozenset({role})
        self._emit(ImagesChanged(self._loading, roles, roles if again else frozenset()))

    @property
    def folder(self) -> str:
        return self._folder

    def set_folder(self, folder: str) -> None:
        folder = folder.strip()
        if folder != self._folder:
            self._folder = folder
            self._emit(FolderChanged(folder))

    # ------------------------------------------------------------------ runs

    @property
    def run_state(self) -> RunState:
        return self._run_state

    def set_run_state(self, state: RunState) -> None:
        if state != self._run_state:
            self._run_state = state
            self._emit(RunStateChanged(state))

    def update_run(self, **changes: Any) -> None:
        """Change some of the run state's values (``phase``, ``step``, ``engine``...)."""
        self.set_run_state(dataclasses.replace(self._run_state, **changes))

    @property
    def sweep_running(self) -> bool:
        return self._sweep_running

    def set_sweep_running(self, running: bool) -> None:
        if running != self._sweep_running:
            self._sweep_running = running
            self._emit(SweepChanged(running))

    @property
    def jobs(self) -> tuple[Job, ...]:
        """The queue's jobs in order (gui/model/queue.py keeps them in the job store)."""
        return self._jobs

    @property
    def queue_running(self) -> bool:
        """The queue runs its jobs one after another: Run waits for it."""
        return self._queue_running

    @property
    def current_job(self) -> int | None:
        """The id of the queue's job running now."""
        return self._current_job

    def set_jobs(
        self, jobs: tuple[Job, ...], running: bool = False, current: int | None = None
    ) -> None:
        self._jobs, self._queue_running, self._current_job = tuple(jobs), running, current
        self._emit(JobsChanged(self._jobs, running, current))

    def job_step(self, job_id: int, step: int, total: int, where: str = "") -> None:
        self._emit(JobStep(job_id, step, total, where))

    def readiness(self, *, busy: bool = True) -> NotReady | None:
        """Why Run cannot start now (None: it can). A run going on is not a reason: Run
        is then the Stop button. ``busy`` off: a sweep or the queue going on is not a
        reason either (a job added to the queue waits for its turn)."""
        missing: list[str] = []
        if not self._problems:
            missing = list(self._settings.missing_inputs())
            if not self._folder:
                missing.append(OUTPUT_FOLDER)
        loading = tuple(role for role in IMAGE_ROLES if role in self._loading)
        sweep, queue = busy and self._sweep_running, busy and self._queue_running
        if not (sweep or queue or self._problems or loading or missing):
            return None
        return NotReady(sweep, queue, self.problems, loading, tuple(missing))

    def request_run(self, *, busy: bool = True) -> RunRequest | NotReady:
        """The run the model describes, or why it cannot start (``busy``: readiness's)."""
        not_ready = self.readiness(busy=busy)
        if not_ready is not None:
            return not_ready
        return RunRequest(self._settings, self._folder)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return dict(a) == dict(b)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b or (_number(a) and _number(b) and a == b)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)

"""The model's changes, as small typed values: a panel reacts to what changed, never to
the words of a message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gui.model.run_state import RunState
    from nst.batch.store import Job


@dataclass(frozen=True)
class SettingsChanged:
    """Settings fields changed (their shown values, valid or not). ``loaded``: the whole
    Settings was replaced at once (a recipe, History, the last session)."""

    fields: frozenset[str]
    loaded: bool = False


@dataclass(frozen=True)
class ImagesChanged:
    """Which images ("content", "style") are still loading; ``chosen``: those whose loaded
    image (WindowModel.image) changed; ``reloaded``: of those, the ones loaded again from
    the same path (the file may hold another picture now)."""

    loading: frozenset[str]
    chosen: frozenset[str] = frozenset()
    reloaded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FolderChanged:
    folder: str


@dataclass(frozen=True)
class RunStateChanged:
    state: RunState


@dataclass(frozen=True)
class SweepChanged:
    """A sweep started or ended: Run waits for it."""

    running: bool


@dataclass(frozen=True)
class JobsChanged:
    """The queue's jobs (their order, states, results) or whether it runs changed.
    ``running``: the queue runs its jobs one after another (Run waits); ``current``: the
    id of the job running now (None between jobs)."""

    jobs: tuple[Job, ...]
    running: bool = False
    current: int | None = None


@dataclass(frozen=True)
class JobStep:
    """The running queue job made a step: its row alone is redrawn."""

    job_id: int
    step: int
    total: int
    where: str = ""  # the stage and its tiles (nst.run.result.Progress.stage_words)


Change = (
    SettingsChanged
    | ImagesChanged
    | FolderChanged
    | RunStateChanged
    | SweepChanged
    | JobsChanged
    | JobStep
)

"""What Run asks for, and the room for a queue of them (the queue itself comes later)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from nst.settings import Settings, SettingsError


@dataclass(frozen=True)
class RunRequest:
    """A run the model found ready: its settings and where its results go."""

    settings: Settings
    folder: str


@dataclass(frozen=True)
class NotReady:
    """Why Run cannot start, as facts; the window words them (gui/labels.py).

    In the order the window reports them: a sweep going on, a value not allowed, an image
    still loading, then what is still missing."""

    sweep_running: bool = False
    problems: Mapping[str, SettingsError] = field(default_factory=dict)
    loading: tuple[str, ...] = ()  # "content", "style"
    missing: tuple[str, ...] = ()  # in words: "choose a content image", ...


@dataclass(frozen=True)
class Job:
    """One entry of the queue: a request waiting for its turn."""

    request: RunRequest

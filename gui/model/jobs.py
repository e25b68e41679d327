"""What Run works on and asks for: the chosen images, a RunRequest or why not (NotReady).
A queue's jobs are the job store's (nst.batch.store.Job); gui/model/queue.py keeps them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from nst.settings import Settings, SettingsError


class ChosenImage(Protocol):
    """An image as loaded for the window (gui/widgets/picker.py's LoadedImage, with its display
    copy): the model keeps it whole and reads only its path and size."""

    @property
    def path(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def display(self) -> object: ...  # a copy to show (a QImage): the model never reads it


@dataclass(frozen=True)
class RunRequest:
    """A run the model found ready: its settings and where its results go."""

    settings: Settings
    folder: str


# What NotReady.missing names when no output folder is chosen (not a Settings field).
OUTPUT_FOLDER = "output_folder"


@dataclass(frozen=True)
class NotReady:
    """Why Run cannot start, as facts; the window words them (gui/labels.py).

    In the order the window reports them: a sweep or the queue going on, a value not
    allowed, an image still loading, then what is still missing."""

    sweep_running: bool = False
    queue_running: bool = False
    problems: Mapping[str, SettingsError] = field(default_factory=dict)
    loading: tuple[str, ...] = ()  # "content", "style"
    missing: tuple[str, ...] = ()  # "content", "style" (Settings' fields), OUTPUT_FOLDER

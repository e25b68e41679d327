"""What the Sweep tab uses of the window's model (gui.model.WindowModel): the base
settings and their problems, the output folder, the run going on (which blocks a sweep),
and where it writes back whether a sweep renders and where the engine runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from gui.model import Change
from nst.settings import Settings, SettingsError


class SweepModel(Protocol):
    @property
    def settings(self) -> Settings: ...
    @property
    def problems(self) -> Mapping[str, SettingsError]: ...
    @property
    def folder(self) -> str: ...
    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]: ...
    def set_sweep_running(self, running: bool) -> None: ...
    def update_run(self, **changes: Any) -> None: ...

"""The objects pool threads announce their results on: one of each kind, for as long as
the process lives.

A task on a pool thread that emitted on a widget's own QObject could do so while the GUI
thread deleted that widget (a closed window), which Qt does not allow: the suite crashed
in such an emit (a History thumbnail). So a task emits on an object that is never
deleted, and each widget connects to it and takes the results it asked for; PyQt breaks a
deleted widget's connection, so it is simply not called (gui/history/thumbnails.py, the
image pickers' loads).
"""

from __future__ import annotations

from typing import TypeVar

from PyQt5.QtCore import QObject

Signals = TypeVar("Signals", bound=QObject)

_made: dict[type, QObject] = {}


def pool_signals(kind: type[Signals]) -> Signals:
    """The one ``kind`` of the process, made on first use (by a widget: the GUI thread)."""
    if kind not in _made:
        _made[kind] = kind()
    made = _made[kind]
    assert isinstance(made, kind)
    return made

"""Why Run cannot start, in the window's words: the model says it as facts (NotReady)."""

from __future__ import annotations

from gui.labels import FIELD_LABELS, describe_missing, describe_settings_error
from gui.model import NotReady


def describe_not_ready(not_ready: NotReady | None) -> str:
    """Why Run cannot start, in one sentence ("" when it can)."""
    if not_ready is None:
        return ""
    if not_ready.sweep_running:
        return "A sweep is rendering; stop it on the Sweep tab or wait for it to end."
    if not_ready.queue_running:
        return "The queue is running its jobs; stop it on the Queue tab or wait for it to end."
    for problem in not_ready.problems.values():
        return describe_settings_error(problem)
    if not_ready.loading:
        names = " and the ".join(FIELD_LABELS[role].lower() for role in not_ready.loading)
        return f"Loading the {names}…"
    return describe_missing(list(not_ready.missing))

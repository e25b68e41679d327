"""The History tab's words: a result's details, its settings in the window's labels."""

from __future__ import annotations

import html
import time
from collections.abc import Mapping
from typing import Any

from gui.labels import AUTOMATIC_WORDS, OPTIMIZER_LABELS, choice_label
from nst import history
from nst.history import Entry
from nst.settings import FIELDS, Settings

# --------------------------------------------------------------------------- words


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s"


def losses_text(losses: Mapping[str, float]) -> str:
    """ "0.75 (content 0.3, style 0.4, tv 0.05)"; "" without losses."""
    if "total" not in losses:
        return ""
    parts = [f"{name} {value:.3g}" for name, value in losses.items() if name != "total"]
    return f"{losses['total']:.3g}" + (f" ({', '.join(parts)})" if parts else "")


def summary(entry: Entry, *, with_size: bool = True) -> str:
    """One line: "Adam, 300 steps, 512 px, loss 0.75"; "No recipe" without one.
    ``with_size`` False: short enough for a thumbnail's caption."""
    settings = entry.settings
    if settings is None:
        return "No recipe"
    size = [f"{settings.size} px"] if with_size else []
    if settings.method == "instant":
        seconds = [f"{entry.duration:.2f} s"] if entry.duration is not None else []
        return ", ".join(["Instant", *size, *seconds])
    steps = entry.steps if entry.steps is not None else settings.iterations
    parts = [
        OPTIMIZER_LABELS.get(settings.optimizer, settings.optimizer),
        f"{steps} step{'s' if steps != 1 else ''}",
        *size,
    ]
    if "total" in entry.losses:
        parts.append(f"loss {entry.losses['total']:.3g}")
    if entry.stopped:
        parts.append("stopped")
    return ", ".join(parts)


def setting_rows(settings: Settings, labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, value) for each setting that matters to this method, in field order."""
    data = settings.to_dict()
    rows = []
    for spec in FIELDS:  # what changes the picture of a run of this method (the table says)
        if spec.compared and settings.method in spec.methods:
            rows.append(
                (labels.get(spec.name, spec.name), display_value(spec.name, data[spec.name]))
            )
    return rows


def details_html(entry: Entry, labels: Mapping[str, str]) -> str:
    """The details pane's text for one result: what it is, how it went, its settings."""
    esc = html.escape
    lines = [f"<b>{esc(entry.name)}</b>", esc(summary(entry))]
    if entry.problem:
        lines.append(f"<span style='color:#b35900'>{esc(entry.problem)}</span>")
    rows: list[tuple[str, str]] = []
    recipe = entry.recipe or {}
    if entry.losses:
        rows.append(("Loss", losses_text(entry.losses)))
    if entry.steps is not None and entry.settings is not None:
        stopped = " (stopped)" if entry.stopped else ""
        rows.append(("Steps", f"{entry.steps} of {entry.settings.iterations}{stopped}"))
    if entry.duration is not None:
        rows.append(("Time", duration_text(entry.duration)))
    if isinstance(recipe.get("device"), str):
        rows.append(("Device", recipe["device"]))
    rows.append(("Saved", time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.modified))))
    if entry.settings is not None:
        rows += setting_rows(entry.settings, labels)
    table = "".join(
        f"<tr><td style='padding-right:10px'>{esc(label)}</td><td>{esc(value)}</td></tr>"
        for label, value in rows
    )
    return "<br>".join(lines) + f"<table style='margin-top:6px'>{table}</table>"


def display_value(name: str, value: Any) -> str:
    """A setting's value in the window's words: its choice label, the form's words for a
    value chosen for you, else the engine's text."""
    if value is None and name in AUTOMATIC_WORDS:
        return AUTOMATIC_WORDS[name]
    return choice_label(name, value) or history.format_value(name, value)

"""Which fields a part of the window edits, from the settings table's groups: a panel
names the groups it shows, never a list of fields (nst/settings/fields.py)."""

from __future__ import annotations

from nst.settings import FIELDS

# The fields no control edits: the window sets them for each run (group "run").
WINDOW_GROUPS: tuple[str, ...] = ("run",)


def fields_in(*groups: str) -> tuple[str, ...]:
    """The fields of ``groups``, in the table's order."""
    return tuple(spec.name for spec in FIELDS if spec.group in groups)


def window_fields() -> tuple[str, ...]:
    return fields_in(*WINDOW_GROUPS)

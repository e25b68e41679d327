"""Every face's list of fields is derived from the settings table: a field added to a copy
of the table (and to the dataclass) shows up in each of them with no other change.

The copy is made of the source tree in a temporary folder, edited as a developer adding a
setting would edit it, and checked in a child process so that this process's imports are
untouched."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# What a developer adds: the dataclass field and the table entry.
DATACLASS_ANCHOR = "    colour_strength: float = 0.0\n"
NEW_FIELD = "    grain: float = 0.25  # added by tests/test_table_faces.py\n"
TABLE_ANCHOR = ")  # fmt: skip\n\n_BY_NAME"
NEW_SPEC = (
    '    FieldSpec("grain", "float", "colours", OPTIMIZED, "Film grain", low=0.0, high=1.0),\n'
)

CHECKS = r"""
import json, sys
from nst.settings import Settings, field_names, read_recipe
from nst.settings.fields import automatic_fields, compared_fields, fields_in_groups
from nst.sweep.axes import sweepable_names, axis_label, cell_settings
from nst.history import recipe_differences
from nst_cli.options import build_parser
from nst_cli.arguments import settings_from_args
from gui.labels import FIELD_LABELS
from gui.history.details import setting_rows

assert "grain" in field_names()
assert any(spec.name == "grain" for spec in fields_in_groups())
help_text = build_parser().format_help()
assert "--grain" in help_text and "film grain" in help_text, help_text
args = build_parser().parse_args(["--content", "/a.png", "--style", "/b.png", "--grain", "0.5"])
settings, _ = settings_from_args(args)
assert settings.grain == 0.5
assert "grain" in sweepable_names() and axis_label("grain") == "film grain"
assert cell_settings(settings, [("grain", 0.75)]).grain == 0.75
assert "grain" in compared_fields()
rows = dict(setting_rows(settings, FIELD_LABELS))
assert rows["Film grain"] == "0.5", rows
other = settings.replace(grain=0.75)
assert [d[0] for d in recipe_differences({"settings": settings.to_dict()},
                                          {"settings": other.to_dict()})] == ["grain"]
print("every face has the new field")
"""


@pytest.fixture(scope="module")
def tree_with_a_new_field(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    for package in ("nst", "nst_cli", "gui"):
        shutil.copytree(
            ROOT / package,
            root / package,
            ignore=shutil.ignore_patterns("__pycache__", "samples", "models"),
        )
    model = root / "nst/settings/model.py"
    text = model.read_text()
    assert DATACLASS_ANCHOR in text
    model.write_text(text.replace(DATACLASS_ANCHOR, DATACLASS_ANCHOR + NEW_FIELD))
    fields = root / "nst/settings/fields.py"
    text = fields.read_text()
    assert TABLE_ANCHOR in text
    fields.write_text(text.replace(TABLE_ANCHOR, NEW_SPEC + TABLE_ANCHOR))
    return root


def test_every_face_picks_up_a_field_added_to_the_table(tree_with_a_new_field):
    result = subprocess.run(
        [sys.executable, "-c", CHECKS],
        cwd=tree_with_a_new_field,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree_with_a_new_field), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "every face has the new field" in result.stdout

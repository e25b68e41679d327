"""The command line and the engine under bad input and injected faults (issue 5).

Each fault is injected where it would happen (the compiled loss, os.link in the saver,
the folder under a running session) and the test checks what the user sees: exit status,
one line on stderr, and no partial or stray file anywhere.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

import nst_cli.main as cli
from nst.imaging.save import read_recipe_from_png
from nst_cli.exits import EXIT_BAD_INPUT, EXIT_SAVED_ELSEWHERE
from tests.bad_inputs import (
    KINDS,
    all_files,
    deny_reading,
    fake_loss,
    link_fails_in,
    make_bad_inputs,
)

pytestmark = pytest.mark.slow

FAST = ["--size", "40", "--iterations", "3", "--quiet"]  # quiet: stderr holds only errors


def one_error_line(code: int, out: str, err: str, *words: str) -> str:
    assert code == EXIT_BAD_INPUT, (code, err)
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)
    return err


# --------------------------------------------------------------------------- inputs


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ["content", "style"])
def test_every_bad_image_is_one_line(
    run_cli, tmp_path, monkeypatch, content_path, style_path, kind, role
) -> None:
    path, words = make_bad_inputs(tmp_path / "in", content_path)[kind]
    if kind == "unreadable":
        deny_reading(monkeypatch, path)
    out_dir = tmp_path / "out"
    pair = {"content": content_path, "style": style_path, role: path}
    result = run_cli("--content", pair["content"], "--style", pair["style"],
                     "--output-dir", str(out_dir), *FAST)  # fmt: skip
    one_error_line(*result, words, f"{role} image", os.path.basename(path))
    assert all_files(out_dir) == []


# --------------------------------------------------------------------------- recipes


def write_recipe(tmp_path: Path, data: object, name: str = "recipe.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"content": 5}, ["content", "file path"]),
        ({"style_layers": ["block1_conv1"]}, ["style_layers", "must map"]),
        ({"style_layers": {"block1_conv1": "heavy"}}, ["style_layers", "'heavy'"]),
        ({"content_layers": {"conv9_9": 1}}, ["content_layers", "conv9_9"]),
        ({"seed": 2.5}, ["seed", "whole number"]),
        ({"learning_rate": 10**400}, ["learning_rate", "huge integer"]),
        ({"iterations": None}, ["iterations", "None"]),
        ({"size": "x" * 500}, ["size", "..."]),
    ],
)
def test_hand_edited_recipe_names_the_wrong_field(run_cli, tmp_path, content_path,
                                                  style_path, settings, words) -> None:  # fmt: skip
    base = {"content": content_path, "style": style_path, "size": 40, "iterations": 2}
    recipe = write_recipe(tmp_path, {"settings": {**base, **settings}})
    result = run_cli("--config", recipe, "--output-dir", str(tmp_path / "out"))
    err = one_error_line(*result, "recipe.json", *words)
    assert len(err) < 600  # a 500-character value is cut, not echoed


def test_recipe_from_a_newer_and_an_older_version(run_cli, tmp_path, content_path,
                                                  style_path) -> None:  # fmt: skip
    newer = write_recipe(
        tmp_path,
        {
            "version": "9.0",
            "settings": {"iterations": 2, "size": 40, "brush": "round", "colour_space": "lab"},
        },
        "newer.json",
    )
    code, out, err = run_cli("--config", newer, "--content", content_path, "--style",
                             style_path, "--output-dir", str(tmp_path / "a"))  # fmt: skip
    assert code == 0, err
    assert "'brush' is not a setting; ignored" in err and "'colour_space'" in err
    older = write_recipe(tmp_path, {"content_weight": 2, "iterations": 2, "size": 40},
                         "older.json")  # fmt: skip
    code, out, err = run_cli("--config", older, "--content", content_path, "--style",
                             style_path, "--output-dir", str(tmp_path / "b"))  # fmt: skip
    assert code == 0, err
    saved = json.loads(Path(out.strip()).with_suffix(".json").read_text())["settings"]
    assert saved["content_weight"] == 2 and saved["optimizer"] == "lbfgs"  # default kept


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 100_000 + "]" * 100_000, "can read"),  # RecursionError in json
        ("1" * 5000, "can read"),  # past Python's int-digits limit: ValueError
        ("\xff\xfe not utf-8", "cannot be read"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_recipes_that_are_no_recipe(run_cli, tmp_path, text, words) -> None:
    path = tmp_path / "odd.json"
    path.write_bytes(text.encode("latin-1"))
    one_error_line(*run_cli("--config", str(path), "--output-dir", str(tmp_path)), "odd.json",
                   words)  # fmt: skip


# --------------------------------------------------------------------------- run faults


@pytest.mark.parametrize(("fault", "words"), [("oom", "Out of memory at 40x30 px"),
                                              ("nan", "The loss became nan")])  # fmt: skip
def test_run_faults_end_with_one_line_and_no_file(
    run_cli, tmp_path, monkeypatch, content_path, style_path, fault, words
) -> None:
    fake_loss(monkeypatch, fault)
    out_dir = tmp_path / "out"
    result = run_cli("--content", content_path, "--style", style_path, "--output-dir",
                     str(out_dir), "--optimizer", "adam", *FAST)  # fmt: skip
    one_error_line(*result, words)
    assert all_files(out_dir) == []


def disk_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A full output folder (``out``: os.link fails there with ENOSPC) and the temporary
    folder (``tmp``) where the saver keeps a result it could not save there."""
    out_dir, spare = tmp_path / "out", tmp_path / "tmp"
    spare.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spare))
    link_fails_in(monkeypatch, out_dir, errno.ENOSPC)
    return out_dir, spare


def test_disk_full_while_saving_keeps_the_result_elsewhere(
    run_cli, tmp_path, monkeypatch, content_path, style_path
) -> None:
    out_dir, spare = disk_full(tmp_path, monkeypatch)
    code, out, err = run_cli("--content", content_path, "--style", style_path,
                             "--output-dir", str(out_dir), *FAST)  # fmt: skip
    assert code == EXIT_SAVED_ELSEWHERE
    assert err.count("\n") == 1 and "No space left on device" in err
    kept = Path(out.strip())
    assert kept.parent == spare / "nst-unsaved" and str(kept) in err
    assert read_recipe_from_png(kept)["steps"] == 3
    assert all_files(out_dir) == []  # no temporary or half-written file left


def test_disk_full_everywhere_loses_nothing_on_disk(
    run_cli, tmp_path, monkeypatch, content_path, style_path
) -> None:
    out_dir, spare = disk_full(tmp_path, monkeypatch)
    link_fails_in(monkeypatch, spare / "nst-unsaved", errno.ENOSPC)
    result = run_cli("--content", content_path, "--style", style_path,
                     "--output-dir", str(out_dir), *FAST)  # fmt: skip
    one_error_line(*result, "could not be saved", "No space left")
    assert all_files(out_dir) == [] and all_files(spare) == []


def test_output_folder_deleted_during_the_run_is_made_again(
    run_cli, tmp_path, monkeypatch, content_path, style_path
) -> None:
    out_dir = tmp_path / "deep" / "out"
    real_call = cli.ProgressPrinter.__call__

    def delete_on_step_two(self, progress):
        if progress.step == 2:
            shutil.rmtree(tmp_path / "deep")
        real_call(self, progress)

    monkeypatch.setattr(cli.ProgressPrinter, "__call__", delete_on_step_two)
    code, out, err = run_cli("--content", content_path, "--style", style_path,
                             "--output-dir", str(out_dir), *FAST)  # fmt: skip
    assert code == 0, err
    assert all_files(out_dir) == ["tubingen_starry_night_001.json",
                                  "tubingen_starry_night_001.png"]  # fmt: skip

"""Steering a run (issue 22): the weights changed while it runs (nst/settings/changes.py,
nst/run/steering.py), recorded in its settings, and replayed by its recipe."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nst.run.session import Transfer, run
from nst.run.stage import Stepper
from nst.settings import Settings, SettingsError
from nst.settings.changes import change_text, parse_change, settings_after
from nst.tf_runtime import tf
from tests.cli_helpers import tiny_run

# --------------------------------------------------------------------------- the settings


def test_a_change_reads_as_the_command_line_writes_it() -> None:
    assert parse_change("100:style_weight=1e5") == (100, "style_weight", 100000.0)
    assert parse_change(" 0 : style_layers.block4_conv1 = 0 ") == (
        0,
        "style_layers.block4_conv1",
        0.0,
    )
    assert change_text((100, "style_weight", 100000.0)) == "100:style_weight=100000"
    for bad in ("style_weight=1", "x:style_weight=1", "1.5:tv_weight=1", "3:tv_weight=big"):
        with pytest.raises(ValueError, match="STEP:NAME=VALUE|step number|not a number"):
            parse_change(bad)


def test_changes_round_trip_through_a_recipe_exactly() -> None:
    changes = [[7, "style_weight", 0.1 + 0.2], [2, "style_layers.block5_conv1", 0.0]]
    settings = Settings(changes=changes)
    assert settings.changes == (
        (2, "style_layers.block5_conv1", 0.0),
        (7, "style_weight", 0.1 + 0.2),
    )
    again = Settings.from_dict(json.loads(settings.to_json()))
    assert again == settings and again.changes[1][2] == 0.1 + 0.2


def test_the_settings_in_force_follow_the_steps() -> None:
    settings = Settings(
        changes=[
            [3, "style_weight", 100],
            [3, "content_layers.block3_conv1", 1],
            [5, "tv_weight", 0],
        ]
    )
    assert settings_after(settings, 2).style_weight == 10.0
    three = settings_after(settings, 3)
    assert three.style_weight == 100.0 and three.content_layers["block3_conv1"] == 1.0
    assert three.tv_weight == 1.0 and settings_after(settings, 5).tv_weight == 0.0
    assert three.changes == ()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ([1, "size", 64], "size cannot change during a run: the image being optimized"),
        ([1, "optimizer", 1], "optimizer cannot change during a run"),
        ([1, "content", 1], "content cannot change during a run"),
        ([1, "style_layers.pool1", 1], "give a VGG19 conv layer"),
        ([1, "extra_styles.1", 1], r"extra_styles.N from 1 \(the run has none\)"),
        ([1, "style_weight.x", 1], "style_weight has no parts"),
        ([1, "loudness", 1], "'loudness' is not a setting"),
        ([1, "style_weight", -1], "must be 0 or more"),
        ([-1, "style_weight", 1], "must be between 0 and"),
    ],
)
def test_a_change_the_run_cannot_make_is_refused_in_one_sentence(change, words) -> None:
    with pytest.raises(SettingsError, match=words):
        Settings(changes=[change])


def test_a_change_that_leaves_settings_not_allowed_is_refused() -> None:
    off = [[4, f"style_layers.{layer}", 0] for layer in Settings().style_layers]
    with pytest.raises(SettingsError, match="4:style_layers.block5_conv1=0: check at least one"):
        Settings(changes=off)


def test_an_extra_styles_weight_may_change(content_path, style_path) -> None:
    settings = Settings(extra_styles=[(style_path, 1.0)], changes=[[2, "extra_styles.1", 0.25]])
    assert settings_after(settings, 2).extra_styles == ((style_path, 0.25),)


# --------------------------------------------------------------------------- the optimizer


def test_restarting_forgets_lbfgs_pairs_and_evaluates_again() -> None:
    target = tf.constant(np.linspace(10.0, 200.0, 48, dtype=np.float32))
    evaluations = []

    def evaluate(flat):
        evaluations.append(flat)
        loss = tf.reduce_sum(tf.square(flat - target))
        return float(loss), np.array([float(loss), 0.0, 0.0]), 2.0 * (flat - target)

    stepper = Stepper("lbfgs", 1.0, evaluate, tf.zeros((1, 4, 4, 3)))
    for step in (1, 2, 3):
        stepper.step(step)
    assert stepper._lbfgs.pairs > 0
    before = len(evaluations)
    stepper.restart()
    assert stepper._lbfgs.pairs == 0 and len(evaluations) == before + 1


# --------------------------------------------------------------------------- runs


def tiny(content_path: str, style_path: str, **changes) -> Settings:
    return Settings(
        content=content_path,
        style=style_path,
        size=40,
        iterations=7,
        stages=1,
        preview_every=0,
        precision="float32",
        **changes,
    )


@pytest.mark.slow
def test_a_steered_run_and_its_replay_end_with_equal_losses(content_path, style_path, weights):
    session = Transfer(tiny(content_path, style_path), weights=weights)
    marks = {}
    for progress in session.steps():
        if progress.changes:
            marks[progress.step] = progress.changes
        if progress.step == 2:  # asked while the run runs: made before step 3
            session.steer("style_weight", 100.0)
            session.steer("style_layers.block5_conv1", 0.0)
        if progress.step == 4:  # a layer the run did not use until now
            session.steer("content_layers.block3_conv1", 1.0)
    steered = session.result()
    made = (
        (2, "style_weight", 100.0),
        (2, "style_layers.block5_conv1", 0.0),
        (4, "content_layers.block3_conv1", 1.0),
    )
    assert steered.settings.changes == made
    assert marks == {3: made[:2], 5: made[2:]}
    replay = run(steered.settings, weights=weights)
    assert replay.settings.changes == made
    assert replay.losses == steered.losses
    assert np.array_equal(replay.image, steered.image)
    unsteered = run(tiny(content_path, style_path), weights=weights)
    assert unsteered.losses != steered.losses


@pytest.mark.slow
def test_a_change_the_settings_do_not_allow_is_refused_while_running(
    content_path, style_path, weights
) -> None:
    session = Transfer(tiny(content_path, style_path), weights=weights)
    for _ in session.steps():
        with pytest.raises(SettingsError, match="size cannot change"):
            session.steer("size", 64)
        with pytest.raises(SettingsError, match="must be 0 or more"):
            session.steer("tv_weight", -1)
        session.stop()
    assert session.result().settings.changes == ()


@pytest.mark.slow
def test_the_command_line_takes_changes_and_its_recipe_replays_them(
    run_cli, content_path, style_path, tmp_path
) -> None:
    change = ["--change", "2:style_weight=100", "--change", "3:style_layers.block5_conv1=0"]
    code, _, err = run_cli(
        *tiny_run(content_path, style_path, tmp_path / "a", *change, iterations=5)
    )
    assert code == 0, err
    assert "changed: 2:style_weight=100\n" in err  # the progress says when it changed
    (recipe,) = (tmp_path / "a").glob("*.json")
    data = json.loads(recipe.read_text())
    saved = data.get("settings", data)["changes"]
    assert saved == [[2, "style_weight", 100.0], [3, "style_layers.block5_conv1", 0.0]]
    code, _, err = run_cli("--config", str(recipe), "--output-dir", str(tmp_path / "b"))
    assert code == 0, err
    (again,) = (tmp_path / "b").glob("*.json")
    first, second = (json.loads(p.read_text()) for p in (recipe, again))
    assert second.get("settings", second)["changes"] == saved
    assert second["final_losses"] == first["final_losses"]


def test_the_command_line_refuses_a_change_it_cannot_make(
    run_cli, content_path, style_path, tmp_path
):
    code, out, err = run_cli(
        *tiny_run(content_path, style_path, tmp_path, "--change", "3:iterations=9")
    )
    assert code != 0 and out == ""
    assert err.strip().splitlines() == [
        "error: --change: iterations cannot change during a run: the optimizer and its state "
        "are the run's own; start a new run"
    ]
    assert not list(tmp_path.iterdir())

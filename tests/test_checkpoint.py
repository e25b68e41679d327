"""Checkpoints of a long run (nst/run/checkpoint.py) and the runs that go on from them: in
the engine (Transfer's ``resume``) and on the command line (``--resume RECIPE``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nst.run import checkpoint as checkpoints
from nst.run.checkpoint import Checkpoint, CheckpointError, CheckpointFiles, read_checkpoint
from nst.run.clock import Clock, stage_costs
from nst.run.session import Transfer
from nst.settings import Settings
from tests.cli_helpers import tiny_run

# 32 px, then 64 px: coarse_each = 6 // 6 = 1 step at 32 px, the other 5 at 64 px
PLAN = ((32, 1), (64, 5))


def settings_for(content_path: str, style_path: str) -> Settings:
    settings = Settings(content=content_path, style=style_path, size=64, iterations=6, stages=2)
    assert settings.stage_plan == PLAN
    return settings


def run_until(session: Transfer, step: int) -> list:
    """The session's progress up to ``step``, where it is stopped."""
    seen = []
    for progress in session.steps():
        seen.append(progress)
        if progress.step == step:
            session.stop()
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("stop_at", [1, 3], ids=["in-the-coarse-stage", "in-the-last-stage"])
def test_a_run_goes_on_from_its_checkpoint_to_the_end(
    content_path, style_path, weights, tmp_path, stop_at, monkeypatch
) -> None:
    settings = settings_for(content_path, style_path)
    first = Transfer(settings, weights=weights)
    run_until(first, stop_at)
    state = first.checkpoint()
    assert state.step == stop_at
    assert (state.stage, state.stage_step) == ((0, 1) if stop_at == 1 else (1, stop_at - 1))
    files = CheckpointFiles.for_run(tmp_path, settings)
    recipe = files.write(settings, state)
    assert recipe.name == "tubingen_starry_night_unfinished_001.json"

    read_settings, read_state, read_files = read_checkpoint(recipe)
    assert read_settings == settings and read_files.recipe == recipe
    assert (read_state.stage, read_state.step, read_state.stage_step) == (
        state.stage,
        state.step,
        state.stage_step,
    )
    assert np.array_equal(read_state.image, state.image)  # float32, exact
    # The clock's rate goes with it once a step was timed (the first of a stage traces).
    assert read_state.unit_seconds == state.unit_seconds
    assert (state.unit_seconds is None) == (stop_at == 1)

    clock_steps = []  # (the stage's step, whether it traced) as the clock is told them
    real_eta = Clock.eta

    def eta(clock, elapsed, stage, stage_step, first):
        clock_steps.append((stage_step, first))
        return real_eta(clock, elapsed, stage, stage_step, first)

    monkeypatch.setattr(Clock, "eta", eta)
    second = Transfer(read_settings, weights=weights, resume=read_state)
    rest = list(second.steps())
    assert [p.step for p in rest] == list(range(stop_at + 1, 7))
    # The clock counts the last stage's steps from its start (step 2), those before the
    # checkpoint too, and takes the first resumed step for one that traced.
    assert clock_steps == [(p.step - 1, p is rest[0]) for p in rest]
    if state.unit_seconds is not None:  # the first guess is at the checkpoint's rate
        assert rest[0].eta == pytest.approx((6 - rest[0].step) * state.unit_seconds)
    assert [p.stage for p in rest] == [2] * len(rest)
    result = second.result()
    assert result.steps == 6 and not result.stopped
    assert result.image.shape == (48, 64, 3)
    read_files.remove()
    assert list(tmp_path.iterdir()) == []


def test_a_resumed_runs_clock_counts_the_steps_before_its_checkpoint() -> None:
    # Resumed after step 28 of a last stage of 60, 900 s in: its first step traced (20 s,
    # the guess from it alone: 31 more such), the next took 10 s; 30 steps are left.
    clock = Clock(0.0, stage_costs(((32, 4), (64, 60))), resumed=900.0)
    assert clock.eta(920.0, 1, 29, first=True) == pytest.approx(31 * 20.0)
    assert clock.eta(930.0, 1, 30, first=False) == pytest.approx(300.0)
    # With the rate measured before the checkpoint (12 s a step), that is the guess until
    # a step of this run is timed: 31 x 12 s after the traced one, not 31 x 470 s.
    clock = Clock(0.0, stage_costs(((32, 4), (64, 60))), resumed=900.0, unit_seconds=12.0)
    assert clock.unit_seconds() == 12.0
    assert clock.eta(1370.0, 1, 29, first=True) == pytest.approx(31 * 12.0)
    assert clock.eta(1380.0, 1, 30, first=False) == pytest.approx(300.0)
    assert clock.unit_seconds() == pytest.approx(10.0)


def test_a_checkpoints_clock_rate_is_kept_and_an_odd_one_left_out(tmp_path) -> None:
    settings = Settings(content="/photos/a.jpg", style="/art/b.jpg")
    state = Checkpoint(1, 3, 2, 12.5, np.zeros((6, 8, 3), np.float32), 2.75)
    recipe = CheckpointFiles.for_run(tmp_path, settings).write(settings, state)
    assert read_checkpoint(recipe)[1].unit_seconds == 2.75
    data = json.loads(recipe.read_text())
    for odd in (None, "fast", -1.0, 0, True):  # an older checkpoint has none
        data["checkpoint"]["unit_s"] = odd
        recipe.write_text(json.dumps(data))
        assert read_checkpoint(recipe)[1].unit_seconds is None


def test_files_are_named_by_the_results_rule_and_never_taken_twice(tmp_path) -> None:
    settings = Settings(content="/photos/tubingen.jpg", style="/art/starry_night.jpg")
    state = Checkpoint(1, 3, 2, 12.5, np.zeros((6, 8, 3), np.float32))
    one = CheckpointFiles.for_run(tmp_path, settings).write(settings, state)
    two = CheckpointFiles.for_run(tmp_path, settings).write(settings, state)
    assert (one.name, two.name) == (
        "tubingen_starry_night_unfinished_001.json",
        "tubingen_starry_night_unfinished_002.json",
    )
    assert one.with_suffix(".npz").exists() and two.with_suffix(".npz").exists()
    data = json.loads(one.read_text())
    assert data["checkpoint"]["step"] == 3 and data["checkpoint"]["elapsed_s"] == 12.5
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_what_is_not_a_checkpoint_is_refused_in_one_sentence(tmp_path) -> None:
    plain = tmp_path / "result_001.json"
    plain.write_text(json.dumps({"settings": {"size": 64}}))
    with pytest.raises(CheckpointError, match="not an unfinished run's recipe"):
        read_checkpoint(plain)
    settings = Settings(content="/photos/a.jpg", style="/art/b.jpg")
    state = Checkpoint(0, 1, 1, 1.0, np.zeros((6, 8, 3), np.float32))
    recipe = CheckpointFiles.for_run(tmp_path, settings).write(settings, state)
    recipe.with_suffix(".npz").write_bytes(b"not an array")
    with pytest.raises(CheckpointError, match="missing or damaged"):
        read_checkpoint(recipe)
    with pytest.raises(CheckpointError, match="another run"):
        state.image_at(64, 48)


def test_a_folder_that_cannot_take_a_checkpoint_says_so(read_only_folder) -> None:
    settings = Settings(content="/photos/a.jpg", style="/art/b.jpg")
    state = Checkpoint(0, 1, 1, 1.0, np.zeros((6, 8, 3), np.float32))
    with pytest.raises(CheckpointError, match="Cannot write a checkpoint in"):
        CheckpointFiles.for_run(read_only_folder, settings).write(settings, state)


@pytest.mark.slow
def test_the_command_line_keeps_a_stopped_long_run_and_resumes_it(
    run_cli, content_path, style_path, tmp_path, monkeypatch
) -> None:
    from nst_cli import progress as progress_module

    monkeypatch.setattr(checkpoints, "CHECKPOINT_SECONDS", 0.0)  # every step is "long"
    shown = progress_module.ProgressPrinter.__call__

    def ctrl_c_at_step_3(self, p) -> None:
        shown(self, p)
        if p.step == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(progress_module.ProgressPrinter, "__call__", ctrl_c_at_step_3)
    args = tiny_run(content_path, style_path, tmp_path, "--stages", "2", size=64, iterations=6)
    code, out, err = run_cli(*args)
    assert code == 130, err
    recipe = tmp_path / "tubingen_starry_night_unfinished_001.json"
    assert f"--resume {recipe}" in err
    assert json.loads(recipe.read_text())["checkpoint"]["step"] == 3

    monkeypatch.setattr(progress_module.ProgressPrinter, "__call__", shown)
    code, _, err = run_cli("--resume", str(recipe), "--size", "100")
    assert code == 2 and "leave out --size" in err
    code, out, err = run_cli("--resume", str(recipe))
    assert code == 0, err
    saved = out.strip().splitlines()[-1]
    assert json.loads(open(saved.replace(".png", ".json")).read())["steps"] == 6
    assert not recipe.exists() and not recipe.with_suffix(".npz").exists()

"""Speed features: bfloat16 convolutions, coarse-to-fine stages, their CLI options and
controls, and the benchmark's FLOP count. Speed itself is measured by bench/, not here."""

from __future__ import annotations

import numpy as np
import pytest

from bench.efficiency import step_flops
from nst import memory_model
from nst.hardware import cpu_flags, cpu_has_fast_bfloat16
from nst.run import inputs, stage
from nst.run import session as transfer
from nst.settings import Settings, SettingsError
from nst.tf_runtime import tf
from nst.vgg.extractor import FeatureExtractor
from nst_cli.main import main
from tests.cli_helpers import tiny_run

pytestmark = pytest.mark.slow


def test_bfloat16_features_are_float32_and_close(weights) -> None:
    rng = np.random.default_rng(1)
    image = tf.constant(rng.uniform(0, 255, (1, 40, 48, 3)).astype(np.float32))
    extractor = FeatureExtractor(weights)
    layers = ("block1_conv1", "block3_conv1", "block5_conv1")
    exact = extractor(image, layers)
    fast = extractor(image, layers, "bfloat16")
    for name in layers:
        assert fast[name].dtype == tf.float32
        error = np.linalg.norm(fast[name] - exact[name]) / np.linalg.norm(exact[name])
        # bfloat16 keeps 8 bits of mantissa (relative rounding 2^-9 ~ 0.2% per value);
        # measured here: under 1% by block5.
        assert error < 0.03, name


def float32_loss(settings: Settings, image: tf.Tensor, weights) -> float:
    exact = settings.replace(precision="float32", stages=1)
    session = transfer.Transfer(exact, weights=weights)
    session.prepare()
    return session.evaluate(image)[0]


def test_bfloat16_run_reaches_a_float32_loss_close_to_float32s(
    content_path, style_path, weights
) -> None:
    base = Settings(content=content_path, style=style_path, size=48, iterations=8, stages=1)
    losses = {}
    for precision in ("float32", "bfloat16"):
        session = transfer.Transfer(base.replace(precision=precision), weights=weights)
        steps = list(session.steps())
        assert steps[-1].total_loss < steps[0].total_loss
        losses[precision] = float32_loss(base, session.best_image(), weights)
    assert losses["bfloat16"] == pytest.approx(losses["float32"], rel=0.05)


def test_coarse_to_fine_runs_each_size_in_turn(content_path, style_path, weights) -> None:
    settings = Settings(
        content=content_path, style=style_path, size=64, iterations=12, stages=2, preview_every=1
    )
    assert settings.stage_plan == ((32, 2), (64, 10))
    session = transfer.Transfer(settings, weights=weights)
    steps = list(session.steps())
    assert [p.step for p in steps] == list(range(1, 13))
    assert [p.stage for p in steps] == [1] * 2 + [2] * 10
    assert steps[0].image.shape == (24, 32, 3) and steps[-1].image.shape == (48, 64, 3)
    assert all(p.eta is not None and p.eta >= 0 for p in steps)
    result = session.result()
    assert result.image.shape == (48, 64, 3)
    assert not result.stopped
    # the second stage starts from the upsampled first one, not from the photo again
    assert steps[2].total_loss < float32_loss(settings, session.content_image, weights)


def test_stopping_in_a_coarse_stage_gives_an_output_sized_result(
    content_path, style_path, weights
) -> None:
    settings = Settings(content=content_path, style=style_path, size=64, iterations=8, stages=2)
    session = transfer.Transfer(settings, weights=weights)
    for p in session.steps():
        if p.step == 2:
            session.stop()
    result = session.result()
    assert result.stopped and result.steps == 2
    assert result.image.shape == (48, 64, 3)


@pytest.mark.parametrize(
    ("changes", "plan"),
    [
        ({}, ((256, 50), (512, 250))),
        ({"size": 1024}, ((256, 50), (512, 50), (1024, 200))),
        ({"method": "texture", "size": 256}, ((32, 50), (64, 50), (128, 50), (256, 150))),
        ({"size": 256}, ((256, 300),)),
        ({"size": 2048, "iterations": 400}, ((256, 66), (512, 66), (1024, 66), (2048, 202))),
        ({"size": 1024, "stages": 1}, ((1024, 300),)),
        ({"size": 2048, "work_size": 300}, ((300, 300),)),
        ({"size": 40, "stages": 3, "iterations": 2}, ((40, 2),)),
        # print sizes: at most 60 steps above 2048 px, the rest at 2048 px or below
        ({"size": 4096}, ((512, 50), (1024, 50), (2048, 140), (4096, 60))),
        ({"size": 8192}, ((1024, 50), (2048, 140), (4096, 50), (8192, 60))),
        ({"size": 3000, "iterations": 100}, ((375, 16), (750, 16), (1500, 16), (3000, 52))),
        ({"size": 4096, "stages": 1}, ((4096, 300),)),  # one stage: the steps asked
    ],
)
def test_stage_plan(changes, plan) -> None:
    assert Settings(**changes).stage_plan == plan


@pytest.mark.parametrize(
    ("changes", "words"),
    [({"precision": "float16"}, "precision"), ({"stages": 0}, "stages"), ({"stages": 9}, "stages")],
)
def test_bad_speed_settings_name_the_field(changes, words) -> None:
    with pytest.raises(SettingsError, match=words):
        Settings(**changes)


def test_speed_settings_round_trip_through_json() -> None:
    settings = Settings(precision="bfloat16", stages=3)
    assert Settings.from_dict(settings.to_dict()) == settings


def test_cli_takes_precision_and_stages(capsys, tmp_path, content_path, style_path) -> None:
    options = ("--stages", "2", "--precision", "bfloat16", "-q")
    code = main(tiny_run(content_path, style_path, tmp_path, *options, size=40, iterations=2))
    out, err = capsys.readouterr()
    assert code == 0, err
    recipe = (tmp_path / out.strip().splitlines()[-1]).with_suffix(".json").read_text()
    assert '"precision": "bfloat16"' in recipe and '"stages": 2' in recipe


def test_coarse_stages_too_small_for_vgg19_are_skipped() -> None:
    # 4:3 at 20 px is 20x15: block5 would have no rows; its steps go to the next stage.
    plan = ((20, 1), (40, 1))
    assert inputs.feasible_plan(plan, (480, 640)) == ((40, 2),)
    assert inputs.feasible_plan(plan, (640, 640)) == plan


def test_cpu_flags_are_read_without_tensorflow() -> None:
    assert cpu_has_fast_bfloat16() == bool(cpu_flags() & {"avx512_bf16", "amx_bf16"})


def test_step_flops_match_the_published_vgg19_count() -> None:
    # VGG19's 16 convs at 224x224 cost 19.6 GFLOPs as multiply-adds (Simonyan & Zisserman;
    # the usual figure), i.e. 39.0 GFLOP; a step doubles that (input gradient).
    forward = step_flops(224, 224, "block5_conv4") / 2
    assert forward == pytest.approx(39.0e9, rel=0.01)


def test_lbfgs_solves_a_quadratic_whose_minimum_is_on_the_lower_bound() -> None:
    from nst.optim.lbfgs import LBFGS

    matrix = tf.constant(np.diag(np.linspace(1, 50, 20)).astype(np.float32))

    def evaluate(x):
        g = tf.linalg.matvec(matrix, x)
        return float(0.5 * tf.tensordot(x, g, 1)), g

    x, optimizer = tf.ones(20), LBFGS()
    loss, grad = evaluate(x)
    for _ in range(40):
        outcome = optimizer.step(x, loss, grad, evaluate)
        x, loss, grad = outcome.x, outcome.loss, outcome.gradient
        if outcome.converged:
            break
    assert loss < 1e-8  # from 318 at x = 1
    assert 0 <= float(tf.reduce_min(x))  # the minimum x = 0 is on the bound, never past it
    assert optimizer.pairs <= optimizer.history == LBFGS.HISTORY


def test_lbfgs_keeps_as_many_pairs_as_its_memory_budget_holds() -> None:
    from nst import memory_model

    assert memory_model.lbfgs_history(512 * 384 * 3) == memory_model.LBFGS_MAX_HISTORY
    assert memory_model.lbfgs_history(2048 * 1536 * 3) == memory_model.LBFGS_MIN_HISTORY
    sides = [32, 256, 512, 768, 1024, 2048, 4096]
    pairs = [memory_model.lbfgs_history(side * side * 3) for side in sides]
    assert pairs == sorted(pairs, reverse=True)
    for side, kept in zip(sides, pairs):
        pair_bytes = 2 * side * side * 3 * 4
        assert (
            kept == memory_model.LBFGS_MIN_HISTORY
            or kept * pair_bytes <= memory_model.LBFGS_HISTORY_BYTES
        )


def test_a_run_gives_lbfgs_the_history_for_its_size(
    content_path, style_path, weights, monkeypatch
) -> None:

    made = []

    class Recording(stage.LBFGS):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(stage, "LBFGS", Recording)
    monkeypatch.setattr(memory_model, "LBFGS_HISTORY_BYTES", 2 * 48 * 36 * 3 * 4 * 12)  # 12 pairs
    settings = Settings(
        content=content_path, style=style_path, size=48, iterations=3, stages=1, preview_every=0
    )
    transfer.run(settings, weights=weights)
    assert [optimizer.history for optimizer in made] == [12]


def test_the_bench_runs_the_default_coarse_stages_then_the_last_size_until_the_target() -> None:
    from bench.quality import until_target_plan

    settings = Settings(size=512, iterations=100_000)
    assert until_target_plan(settings) == ((256, 50), (512, 100_000))
    assert until_target_plan(settings.replace(stages=1)) == ((512, 100_000),)


def test_a_cached_reference_counts_as_the_same_run_only_with_the_same_plan() -> None:
    from bench.quality import _same_run
    from bench.reference import reference_settings

    def record(settings: Settings) -> dict:
        return {"settings": settings.to_dict()}

    one_size = reference_settings(512, 1000)
    assert one_size.stage_plan == ((512, 1000),)
    # The automatic plan (256 px, then 512 px) is another run: its records do not count.
    assert _same_run(record(one_size.replace(stages=None))) != _same_run(record(one_size))
    small = reference_settings(128, 200)  # under 512 px the automatic plan is one size too
    assert _same_run(record(small.replace(stages=None))) == _same_run(record(small))


def test_memory_runs_take_two_steps_more_than_the_history_at_the_size(content_path) -> None:
    from nst import memory_model

    assert (
        memory_model.steps_to_fill_history(content_path, 32) == memory_model.LBFGS_MAX_HISTORY + 2
    )
    assert (
        memory_model.steps_to_fill_history(content_path, 4096) == memory_model.LBFGS_MIN_HISTORY + 2
    )

"""A run whose stage evaluates its loss in tiles (Transfer's ``tiles``) against the same
run on the whole image: the tiled objective is the same loss (tests/test_tiled.py), so
L-BFGS takes the same steps, to float32's rounding."""

from __future__ import annotations

import numpy as np
import pytest

from nst.objective.tiled import TiledLoss
from nst.run.session import Transfer
from nst.settings import Settings

pytestmark = pytest.mark.slow

SIZE, TILE = 64, 32  # 64x48 px in 2x2 tiles (their halo, 160 px, reaches every border)


def run(settings: Settings, weights, tiles=None) -> tuple[list[float], np.ndarray, Transfer]:
    session = Transfer(settings, weights=weights, tiles=tiles)
    losses = [p.total_loss for p in session.steps()]
    return losses, session.result().image, session


def test_a_stage_in_tiles_takes_the_same_steps_as_on_the_whole_image(
    content_path, style_path, weights
) -> None:
    settings = Settings(
        content=content_path, style=style_path, size=SIZE, iterations=5, init="noise", seed=3
    )
    whole, whole_image, _ = run(settings, weights)
    tiled, tiled_image, session = run(settings, weights, {SIZE: TILE})
    assert isinstance(session._loss, TiledLoss) and len(session._loss.plan(48, 64)) == 4
    assert len(tiled) == len(whole) == 5
    # The first losses agree to 1e-7; L-BFGS's steps amplify that rounding (the targets,
    # summed in tiles too, agree to 3e-7) to some 1e-3 at the fifth step in bfloat16
    # (measured 9e-4), and the images' 8-bit values by up to 5 (mean 0.6, measured).
    assert tiled == pytest.approx(whole, rel=2e-3)
    assert whole[-1] < 0.6 * whole[0]  # the steps went somewhere
    difference = np.abs(whole_image.astype(int) - tiled_image)
    assert difference.max() <= 10 and difference.mean() < 1.5


def test_the_memory_plan_sets_each_stages_tiles_and_lbfgs_pairs(
    content_path, style_path, weights, monkeypatch
) -> None:
    # Which stages go in tiles is the memory plan's (nst.tiled_memory, tested on sizes
    # alone); the session follows it: the tiles, the pairs L-BFGS keeps, the progress.
    from nst.run import session as session_module
    from nst.run import stage
    from nst.tiled_memory import StageMemory

    plans = {32: StageMemory(32, 24, None, 40, 0), SIZE: StageMemory(64, 48, TILE, 5, 0)}
    monkeypatch.setattr(session_module, "stage_memory_here", lambda *_: plans)
    made = []

    class Recording(stage.LBFGS):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            made.append(self.history)

    monkeypatch.setattr(stage, "LBFGS", Recording)
    settings = Settings(content=content_path, style=style_path, size=SIZE, iterations=4, stages=2)
    session = Transfer(settings, weights=weights)
    progress = list(session.steps())
    assert [(p.stage, p.tiles) for p in progress] == [(1, 1), (2, 4), (2, 4), (2, 4)]
    assert made == [40, 5]
    assert isinstance(session._loss, TiledLoss)


def test_a_tiled_runs_result_is_scored_without_a_second_pass(
    content_path, style_path, weights
) -> None:
    # The result's float32 losses (Transfer.saved_losses) take the tiles' first pass and
    # the head alone: the same loss as a whole evaluation of the saved picture, with no
    # back-propagation through the tiles (at 4096 px that was most of the result's time).
    from nst.tf_runtime import tf

    settings = Settings(
        content=content_path, style=style_path, size=SIZE, iterations=2, precision="float32"
    )
    session = Transfer(settings, weights=weights, tiles={SIZE: TILE})
    list(session.steps())
    loss = session._loss
    second_passes = []
    traced = loss._tile_gradient
    loss._tile_gradient = lambda *args: second_passes.append(1) or traced(*args)
    result = session.result()
    assert second_passes == []
    saved = tf.constant(result.image[np.newaxis].astype(np.float32))
    assert result.losses["total"] == pytest.approx(session.evaluate(saved)[0], rel=1e-4)
    assert second_passes  # the evaluation with a gradient does take them

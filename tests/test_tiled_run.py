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
    # The first losses agree to 1e-7; L-BFGS's steps amplify that rounding, to some 3e-4
    # at the fifth step (measured), and the images' 8-bit values differ by 1 at most.
    assert tiled == pytest.approx(whole, rel=1e-3)
    assert whole[-1] < 0.6 * whole[0]  # the steps went somewhere
    assert np.abs(whole_image.astype(int) - tiled_image).max() <= 2

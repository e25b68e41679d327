"""Recipes as the engine writes them beside a result (nst.run.result.Result.recipe), for
tests that read recipes back: made by the engine itself, not copied by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nst.imaging.save import save_result
from nst.run.result import Result
from nst.settings import Settings
from nst.vgg.weights import VGGWeights

WEIGHTS = VGGWeights(layers={}, source="file", path="/weights.h5", sha256="0" * 64)
IMAGE = np.zeros((4, 6, 3), np.uint8)


def recipe_of(settings: Settings, *, stopped: bool = False) -> dict[str, Any]:
    """The recipe the engine writes beside a result of these settings."""
    result = Result(
        image=IMAGE,
        settings=settings,
        steps=7,
        stopped=stopped,
        converged=False,
        losses={"total": 0.5},
        duration=1.0,
        device="CPU",
        weights=WEIGHTS,
    )
    return result.recipe()


def saved(settings: Settings, folder: Path, *, stopped: bool = False) -> Path:
    """A result PNG with its recipe JSON beside it, as every face saves one."""
    return save_result(IMAGE, folder, "result", recipe_of(settings, stopped=stopped))

"""Helpers for the history tests: results saved as the app saves them, with recipes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from nst.imaging.save import save_result
from nst.settings import Settings

SAMPLES = Path(__file__).resolve().parent.parent / "gui" / "samples"
CONTENT = str(SAMPLES / "tubingen.jpg")
STYLE = str(SAMPLES / "starry_night.jpg")


def recipe_for(
    settings: Settings, *, steps: int | None = None, loss: float = 0.75, duration: float = 12.5
) -> dict[str, Any]:
    """A recipe shaped as nst.run.result.Result.recipe() writes it."""
    return {
        "settings": settings.to_dict(),
        "learning_rate_used": settings.resolved_learning_rate,
        "weights": {"source": "test", "path": None, "sha256": "0" * 64},
        "versions": {"nst": "test"},
        "device": "CPU",
        "duration_s": duration,
        "steps": settings.iterations if steps is None else steps,
        "stopped": False,
        "converged": False,
        "final_losses": {"total": loss, "content": loss / 2, "style": loss / 2, "tv": 0.0},
        "output_size": [32, 24],
        "created": "2024-01-01T00:00:00+0000",
    }


def pixels(seed: int = 0, height: int = 24, width: int = 32) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def save(
    folder: Path,
    settings: Settings,
    *,
    at: float | None = None,
    seed: int = 0,
    stem: str = "tubingen_starry_night",
    **recipe: Any,
) -> Path:
    """Save a tiny result as the app does; ``at`` sets its modification time."""
    path = save_result(pixels(seed), folder, stem, recipe_for(settings, **recipe))
    if at is not None:
        os.utime(path, (at, at))
    return path


ADAM = Settings(content=CONTENT, style=STYLE, optimizer="adam", iterations=300, size=512)
LBFGS = Settings(content=CONTENT, style=STYLE, iterations=20, size=64)

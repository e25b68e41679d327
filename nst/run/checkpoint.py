"""Checkpoints of a long run: its state written every few minutes, so that stopping it or
a crash loses at most those minutes, and the run that goes on from one (issue 21).

A checkpoint is two files in the run's output folder, named by the result's rule
(outcome.stem_for) with "_unfinished_NNN": a recipe, ``.json`` (the settings with their
paths made absolute, and a "checkpoint" entry: the stage, the steps done, the seconds so
far) and ``.npz``, the stage's best image so far in float32, exact. Each is written under
a temporary name and renamed, the image first, so a kill mid-write leaves the last
checkpoint whole. A resumed run writes to the same files and removes them once its result
is saved, as a run that ends does.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nst.errors import NstError
from nst.run.outcome import stem_for
from nst.settings import Settings, read_recipe
from nst.settings.recipe import read_recipe_data, resolve_paths

log = logging.getLogger(__name__)

# A run writes its state this often: what a kill loses at most ("the last few minutes").
CHECKPOINT_SECONDS = 300.0
UNFINISHED = "_unfinished_"
# How many "_unfinished_NNN" names are tried in one folder before giving up.
MAX_UNFINISHED = 1000


class CheckpointError(NstError):
    """A checkpoint that cannot be read or written: one sentence, naming the file."""


@dataclass(frozen=True)
class Checkpoint:
    """Where a run was: the stage it was in (an index into its plan), the steps done in
    the whole run and in that stage, its seconds so far, and the stage's best image."""

    stage: int
    step: int
    stage_step: int
    elapsed: float
    image: np.ndarray  # (H, W, 3) float32 in 0..255 at the stage's working size
    unit_seconds: float | None = None  # the run's clock's rate then (Clock.unit_seconds)

    def image_at(self, width: int, height: int) -> np.ndarray:
        """The image, float32, if it is ``width`` x ``height`` px (its stage's size in the
        run resumed); CheckpointError if it is another run's."""
        if self.image.shape != (height, width, 3):
            shown = "x".join(str(n) for n in self.image.shape[1::-1])
            raise CheckpointError(
                f"The checkpoint's image is {shown} px, not the {width}x{height} px of its "
                "stage: it belongs to another run; start this one afresh."
            )
        return self.image.astype(np.float32)


class CheckpointFiles:
    """The two files of one run's checkpoint; the name is chosen at the first write."""

    def __init__(self, folder: str | os.PathLike[str], stem: str, recipe: Path | None = None):
        self.folder = Path(folder)
        self.stem = stem
        self.recipe = recipe  # the .json; None until the first write reserves a name
        self._last = time.monotonic()

    @classmethod
    def for_run(cls, folder: str | os.PathLike[str], settings: Settings) -> CheckpointFiles:
        return cls(folder, stem_for(settings))

    @property
    def image_path(self) -> Path | None:
        return None if self.recipe is None else self.recipe.with_suffix(".npz")

    def due(self) -> bool:
        """Whether CHECKPOINT_SECONDS have passed since the last write (or the start)."""
        return time.monotonic() - self._last >= CHECKPOINT_SECONDS

    def write(self, settings: Settings, checkpoint: Checkpoint) -> Path:
        """Write ``checkpoint`` over the run's last one; the recipe's path. A failure is
        not tried again before CHECKPOINT_SECONDS more."""
        self._last = time.monotonic()
        if self.recipe is None:
            self.recipe = self._reserve()
        image_path = self.image_path
        assert image_path is not None
        data = {
            "settings": resolve_paths(settings.to_dict(), os.getcwd()),
            "checkpoint": {
                "stage": checkpoint.stage,
                "step": checkpoint.step,
                "stage_step": checkpoint.stage_step,
                "elapsed_s": round(checkpoint.elapsed, 3),
                "unit_s": checkpoint.unit_seconds,
                "image": image_path.name,
                "saved": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            },
        }
        try:
            _replace(image_path, lambda fh: np.save(fh, checkpoint.image.astype(np.float32)))
            _replace(self.recipe, lambda fh: fh.write(json.dumps(data, indent=2).encode()))
        except OSError as exc:
            raise CheckpointError(
                f"Cannot write the checkpoint {self.recipe} ({exc.strerror or exc}); the "
                "run goes on, but stopping it now would lose its steps."
            ) from None
        log.info("checkpoint at step %d: %s", checkpoint.step, self.recipe)
        return self.recipe

    def remove(self) -> None:
        """Remove the checkpoint's files (the run's result is saved)."""
        for path in (self.recipe, self.image_path):
            if path is not None:
                try:
                    path.unlink()
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    log.warning("could not remove the checkpoint %s: %s", path, exc)

    def _reserve(self) -> Path:
        for number in range(1, MAX_UNFINISHED + 1):
            path = self.folder / f"{self.stem}{UNFINISHED}{number:03d}.json"
            if path.with_suffix(".npz").exists():
                continue
            try:
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            except FileExistsError:
                continue
            except OSError as exc:
                raise CheckpointError(
                    f"Cannot write a checkpoint in {self.folder} ({exc.strerror or exc}); "
                    "the run goes on without one."
                ) from None
            return path
        raise CheckpointError(
            f"{self.folder} already holds {MAX_UNFINISHED} unfinished runs of "
            f"'{self.stem}'; resume or remove some."
        )


def _replace(path: Path, write: Any) -> None:
    """Write ``path`` through a temporary file in its folder, renamed over it."""
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temporary, path)


def read_checkpoint(path: str | os.PathLike[str]) -> tuple[Settings, Checkpoint, CheckpointFiles]:
    """The settings, the state and the files of the checkpoint whose recipe is ``path``;
    CheckpointError with one sentence when it is not one or cannot be read."""
    recipe = Path(path)
    name = recipe.name
    data = read_recipe_data(os.fspath(recipe))  # RecipeError: missing, unreadable, not JSON
    entry = data.get("checkpoint") if isinstance(data, dict) else None
    if not isinstance(entry, dict):
        raise CheckpointError(
            f"'{name}' is not an unfinished run's recipe; choose a file named "
            f"'..{UNFINISHED}NNN.json' that a stopped print-size run left."
        )
    settings = read_recipe(recipe).load().settings
    image_path = recipe.with_name(str(entry.get("image", "")))
    try:
        image = np.load(image_path, allow_pickle=False)
        stage, step = int(entry["stage"]), int(entry["step"])
        stage_step, elapsed = int(entry.get("stage_step", 0)), float(entry.get("elapsed_s", 0))
    except (OSError, ValueError, KeyError, TypeError):
        raise CheckpointError(
            f"The image of the unfinished run '{name}' ({image_path.name}) is missing or "
            "damaged; it cannot be resumed."
        ) from None
    if image.ndim != 3 or image.shape[2] != 3:
        raise CheckpointError(f"The image of the unfinished run '{name}' is damaged.")
    files = CheckpointFiles(recipe.parent, recipe.name.split(UNFINISHED)[0], recipe)
    state = Checkpoint(stage, step, stage_step, elapsed, image, _rate(entry.get("unit_s")))
    return settings, state, files


def _rate(value: Any) -> float | None:
    """A checkpoint's clock rate, if it is a positive number: only a guess at the time
    left, so a missing or odd one (an older checkpoint's) is left out, not refused."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if value > 0 and math.isfinite(value) else None
    return None

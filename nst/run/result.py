"""What a run reports: a frozen Progress record per step, and the Result with its
provenance (the recipe: settings, weights, library versions, device, losses).
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nst import __version__
from nst.settings import Settings
from nst.tf_runtime import gpu_devices, tf
from nst.vgg.weights import VGGWeights


@dataclass(frozen=True)
class Progress:
    """One step's report. Losses are the weighted parts; they add up to ``total_loss``."""

    step: int
    total: int
    total_loss: float
    content_loss: float
    style_loss: float
    tv_loss: float
    elapsed: float  # seconds since the first step started
    eta: float | None  # seconds left, estimated from the mean step time so far
    evaluations: int  # forward + backward passes so far (L-BFGS may do several a step)
    image: np.ndarray | None = None  # uint8 (H, W, 3) every `preview_every` steps, else None
    stage: int = 1  # coarse-to-fine stage of this step (Settings.stage_plan), from 1
    stages: int = 1
    # the stage ends here: the gradient vanished, or no step within 0..255 lowered the loss
    converged: bool = False
    tiles: int = 1  # tiles each evaluation of this stage passes through VGG19 (1: whole)
    size: int = 0  # the stage's working size, longest side in px
    # the objective's changes made before this step (nst.settings.changes): (step, name, value)
    changes: tuple[tuple[int, str, float], ...] = ()

    def stage_words(self) -> str:
        """'stage 4 of 4, 4096 px in 6 tiles': where a run of several stages or in tiles
        is ("" for one stage on the whole image), the same words on every face."""
        if self.stages <= 1 and self.tiles <= 1:
            return ""
        words = f"stage {self.stage} of {self.stages}, {self.size} px"
        return words + (f" in {self.tiles} tiles" if self.tiles > 1 else "")

    @property
    def losses(self) -> dict[str, float]:
        return {
            "total": self.total_loss,
            "content": self.content_loss,
            "style": self.style_loss,
            "tv": self.tv_loss,
        }


@dataclass(frozen=True)
class Result:
    """The outcome of a run: the best image seen, at the output size, and how it was made."""

    image: np.ndarray
    settings: Settings
    steps: int
    stopped: bool  # the caller stopped it before the last iteration
    converged: bool  # the last stage ended early: its gradient vanished or no lower loss
    # the losses of the saved image (Transfer.result: 8-bit, evaluated in float32)
    losses: dict[str, float]
    duration: float
    device: str
    weights: VGGWeights = field(repr=False)
    # the precision the convolutions used and why (nst.precision); None: not a Gatys run
    precision: Any = None

    def recipe(self) -> dict[str, Any]:
        """Everything needed to reproduce or compare this result, as plain JSON data."""
        return {
            # As chosen: a rate left to the optimizer stays None, so that loading the
            # recipe and changing the optimizer gives that optimizer's own rate.
            "settings": self.settings.to_dict(),
            "learning_rate_used": self.settings.resolved_learning_rate,
            "weights": {
                "source": self.weights.source,
                "path": self.weights.path,
                "sha256": self.weights.sha256,
            },
            **provenance(self.image, self.duration, self.device),
            "steps": self.steps,
            "stopped": self.stopped,
            "converged": self.converged,
            "final_losses": self.losses,
            **(self.precision.recipe() if self.precision is not None else {}),
        }


def provenance(image: np.ndarray, duration: float, device: str) -> dict[str, Any]:
    """What every recipe records beside its settings, whatever the method: the library
    versions, the device, the seconds it took, the output's size and the date."""
    return {
        "versions": library_versions(),
        "device": device,
        "duration_s": round(duration, 3),
        "output_size": [int(image.shape[1]), int(image.shape[0])],
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def library_versions() -> dict[str, str]:
    """The versions of the app and the libraries that shape a result."""
    import PIL

    return {
        "nst": __version__,
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "numpy": np.__version__,
        "pillow": PIL.__version__,
    }


def device_description() -> str:
    """'GPU: <name>' when TensorFlow sees a GPU (it then places the work there), else CPU."""
    gpus = gpu_devices()
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return f"GPU: {details.get('device_name', gpus[0].name)}"
    return f"CPU ({os.cpu_count()} cores)"

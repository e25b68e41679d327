"""One item (a batch's photo in a style, a sweep's cell) from its settings and image
arrays, on the one run path: the checks, then Transfer with the process's weights.

The in-process batch builds its session here (``transfer_for``) and steps it itself, for
its progress; a Ray worker runs the whole item (``run_item``) and sends back what the
driver needs to write the files: nothing here touches a folder.
"""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nst.cluster.files import files_here
from nst.errors import NstError
from nst.memory import require_fit
from nst.run.child import plan_for_run
from nst.run.inputs import texture_canvas
from nst.settings import Settings


@dataclass(frozen=True)
class ItemOutcome:
    """What a run sent back: its image and how it was made, or ``error``, the one
    sentence why it failed. It reads like a nst.run.result.Result where a runner saves
    one (``image``, ``losses``, ``steps``, ``duration``, ``recipe()``)."""

    image: np.ndarray | None
    losses: dict[str, float]
    steps: int
    duration: float  # seconds the steps took (Result.duration)
    seconds: float  # the whole item where it ran: weights, targets and steps
    recipe_data: dict[str, Any] = field(repr=False)
    node: str = ""  # the Ray node it ran on ("" in-process)
    error: str = ""

    def recipe(self) -> dict[str, Any]:
        """The run's recipe (a copy: a runner adds its own entries), with the Ray node
        that made it: of several machines, which one a result came from."""
        data = dict(self.recipe_data)
        if self.node:
            data["ray_node"] = self.node
        return data

    @classmethod
    def failed(cls, error: str, seconds: float = 0.0, node: str = "") -> ItemOutcome:
        return cls(None, {}, 0, 0.0, seconds, {}, node, error)


def transfer_for(
    settings: Settings,
    content: np.ndarray | None,
    style: np.ndarray,
    *,
    weights: Any = None,
    preview_interval: float = 0.0,
    own_process: bool = True,
) -> Any:
    """A Transfer of ``content`` (None for a texture) in ``style`` by ``settings``; the
    caller closes it. A run with a stage in tiles goes in a process of its own
    (nst.run.child.ChildTransfer, which reads like a Transfer; ``own_process`` False:
    here all the same), where the tiles get the system's allocator.

    A run too big for the free memory fails now (memory.NotEnoughMemory) with the size
    that fits, instead of being killed by the system minutes later; one in its own
    process, at its first step. ``weights`` None: the process's own (nst.vgg.weights
    reads them once per process).
    """
    texture = settings.method == "texture"
    canvas = texture_canvas(style, settings.texture_aspect) if texture else content
    assert canvas is not None
    dims = canvas.shape[1::-1], style.shape[1::-1]
    images = {"content_image": None if texture else content, "style_image": style}
    if own_process and plan_for_run(settings, *dims)[1]:
        from nst.run.child import ChildTransfer

        return ChildTransfer(settings, dims, preview_interval=preview_interval, **images)
    from nst.run.session import Transfer  # TensorFlow: only now, on the caller's thread
    from nst.vgg.weights import load_weights

    require_fit(settings, *dims)
    if weights is None:
        weights = load_weights(settings.weights)
    return Transfer(settings, weights=weights, preview_interval=preview_interval, **images)


def run_item(
    settings: dict[str, Any],
    content: np.ndarray | None,
    style: np.ndarray,
    files: dict[str, bytes] | None = None,
) -> ItemOutcome:
    """Run one item to its end. ``settings`` is Settings.to_dict(): plain data, the same
    whichever version of the class a worker has; ``files``: its extra style and mask
    images by path (nst.cluster.files). A bad input (NstError) is an outcome, not an
    exception: trying it again would fail the same way."""
    started = time.perf_counter()
    try:
        with files_here(Settings.from_dict(settings), files or {}) as (here, paths):
            try:
                # In this worker's process: Ray gave it one of its own already.
                with closing(transfer_for(here, content, style, own_process=False)) as session:
                    for _ in session.steps():
                        pass
                    result = session.result()
            except NstError as exc:
                text = str(exc)
                for copy, path in paths.items():
                    text = text.replace(copy, path)
                return ItemOutcome.failed(text, time.perf_counter() - started)
    except NstError as exc:  # settings this version refuses
        return ItemOutcome.failed(str(exc), time.perf_counter() - started)
    recipe = result.recipe()
    recipe["settings"] = dict(settings)  # the paths as the driver named them
    return ItemOutcome(
        image=result.image,
        losses=dict(result.losses),
        steps=result.steps,
        duration=result.duration,
        seconds=time.perf_counter() - started,
        recipe_data=recipe,
    )

"""Save a run's outcome with its recipe, or keep it somewhere when it cannot be saved.

The one step after every run, shared by the command line, the window and the sweep:
the file name comes from the settings (``imaging.save.result_stem``), the PNG and its
JSON recipe are written together and never over an earlier result. When the output
folder fails (a full disk, a folder gone read-only), the image is kept in the system's
temporary folder instead, so that minutes of work are never lost to a message.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nst.errors import NstError
from nst.imaging.save import result_stem, save_result
from nst.settings import Settings

log = logging.getLogger(__name__)

# Where a result goes when its own folder cannot take it: the temporary folder survives
# until the next reboot on most systems, long enough to copy the image somewhere safe.
FALLBACK_FOLDER_NAME = "nst-unsaved"


@dataclass(frozen=True)
class Saved:
    """Where an outcome went. ``error`` says why the output folder failed, if it did."""

    path: Path | None  # the PNG; None when not even the fallback could take it
    error: str | None = None  # one sentence: why it is not in the chosen folder

    @property
    def in_chosen_folder(self) -> bool:
        return self.path is not None and self.error is None

    def message(self) -> str:
        """One sentence for the user when the result is not where they asked."""
        if self.error is None:
            return ""
        if self.path is None:
            return f"{self.error} The result could not be kept anywhere else either."
        return f"{self.error} The result was kept as {self.path} instead."


def fallback_folder() -> Path:
    return Path(tempfile.gettempdir()) / FALLBACK_FOLDER_NAME


def stem_for(settings: Settings) -> str:
    """The file-name stem of a run's result: "{content}_{style}" ("texture_..." without a
    photo)."""
    content = None if settings.method == "texture" else settings.content
    return result_stem(content, settings.style)


def save_outcome(
    image: np.ndarray,
    settings: Settings,
    folder: str | os.PathLike[str],
    recipe: dict[str, Any],
    *,
    stem: str | None = None,
    keep_elsewhere: bool = True,
) -> Saved:
    """Save ``image`` and ``recipe`` in ``folder`` as the next free ``{stem}_NNN.png``.

    ``stem`` defaults to :func:`stem_for` the settings (a sweep names its cells). When
    the folder fails and ``keep_elsewhere`` is set, the result is saved in
    :func:`fallback_folder` and :attr:`Saved.error` says what went wrong; without it the
    error is raised (a caller that keeps the image itself, as the window does on screen).
    """
    stem = stem or stem_for(settings)
    try:
        return Saved(save_result(image, folder, stem, recipe))
    except NstError as exc:
        if not keep_elsewhere:
            raise
        log.warning("saving in %s failed: %s", folder, exc)
        try:
            path = save_result(image, fallback_folder(), stem, recipe)
        except NstError:
            return Saved(None, str(exc))
        return Saved(path, str(exc))

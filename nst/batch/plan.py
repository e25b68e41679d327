"""The paths a user named -> the items of a batch: every photo in every style, or, for
textures, every style alone."""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from pathlib import Path

from nst.errors import NstError

# What a folder's images are: the formats nst.imaging.load reads.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


class BatchError(NstError):
    """A batch cannot be planned or resumed. ``role`` is "content" or "style" when one of
    those paths is at fault (a face names its own option), "" otherwise."""

    def __init__(self, message: str, role: str = "", path: str = "") -> None:
        super().__init__(message)
        self.role = role
        self.path = path


def expand(paths: Sequence[str], role: str) -> list[str]:
    """Each path a file, a folder (its images, sorted by name) or a glob (its matches,
    sorted); duplicates once. A path that gives no image is a BatchError."""
    found: list[str] = []
    for path in paths:
        matches = _one(path)
        if not matches:
            raise BatchError(f"No {role} image is at '{path}'.", role, path)
        found.extend(m for m in matches if m not in found)
    return found


def _one(path: str) -> list[str]:
    expanded = os.path.expanduser(path)
    if os.path.isdir(expanded):
        return [
            os.path.abspath(p)
            for p in sorted(Path(expanded).iterdir())
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
        ]
    if os.path.isfile(expanded):
        return [os.path.abspath(expanded)]
    if glob.has_magic(expanded):
        return [os.path.abspath(p) for p in sorted(glob.glob(expanded)) if os.path.isfile(p)]
    return []


def plan_items(
    contents: Sequence[str], styles: Sequence[str], texture: bool
) -> list[tuple[str, str]]:
    """(content, style) pairs, photo by photo, each in every style; content "" for textures."""
    if texture:
        return [("", style) for style in styles]
    return [(content, style) for content in contents for style in styles]

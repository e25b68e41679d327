"""Recipe files (a run's settings as JSON) and "Save As" for results, for the window.

Reading a recipe is the engine's (nst.settings.recipe, one rule for relative paths:
they are relative to the recipe's folder); these are the window's entry points to it.
Errors are the engine's RecipeError, one sentence naming the file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from nst.errors import ImageError
from nst.imaging.resize import to_uint8
from nst.imaging.save import RECIPE_KEY
from nst.settings.recipe import LoadedRecipe, read_recipe, recipe_settings

# Formats "Save As" offers: file-dialog filter -> (Pillow format, suffix).
SAVE_FORMATS: dict[str, tuple[str, str]] = {
    "PNG image (*.png)": ("PNG", ".png"),
    "JPEG image (*.jpg *.jpeg)": ("JPEG", ".jpg"),
    "WebP image (*.webp)": ("WEBP", ".webp"),
    "TIFF image (*.tif *.tiff)": ("TIFF", ".tif"),
    "BMP image (*.bmp)": ("BMP", ".bmp"),
}
_SUFFIX_FORMATS = {
    ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP",
    ".tif": "TIFF", ".tiff": "TIFF", ".bmp": "BMP",
}  # fmt: skip


def settings_from_recipe(data: Mapping[str, Any], folder: str = "") -> LoadedRecipe:
    """Settings from a recipe dict of any version, read as File > Load recipe reads a file
    (nst.settings.recipe): relative paths from ``folder``, the recipe's folder; unknown
    fields ignored and bad values replaced by the defaults, both named in the result."""
    return recipe_settings(data, folder or os.getcwd()).load()


def load_recipe(path: str) -> LoadedRecipe:
    """A recipe file's (.json or result PNG's) settings; RecipeError in one sentence."""
    return read_recipe(path).load()


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write a text file so that it is either complete or absent, never half-written."""
    _write_atomic(Path(path), lambda fh: fh.write(text.encode("utf-8")))


def _write_atomic(path: Path, write: Any) -> None:
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}_", suffix=path.suffix + ".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def format_for(path: str, fallback: str = "PNG") -> str:
    return _SUFFIX_FORMATS.get(Path(path).suffix.lower(), fallback)


def save_image_as(image: np.ndarray, path: str, recipe: dict[str, Any]) -> list[Path]:
    """Save ``image`` to exactly ``path`` (the user confirmed any overwrite in the dialog)
    and its recipe beside it as ``<stem>.json``; returns the files written.

    The JSON is written only where it is free, or where it pairs with the image being
    replaced: an unrelated file of that name is never overwritten behind the user's back.
    A PNG also carries the recipe in a text chunk, as save_result writes it.
    """
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    target = Path(path)
    image_existed = target.exists()
    fmt = format_for(path)
    pixels = to_uint8(image)
    text = json.dumps(recipe, indent=2, default=str)
    options: dict[str, Any] = {}
    if fmt == "PNG":
        info = PngInfo()
        info.add_itxt(RECIPE_KEY, text)
        options["pnginfo"] = info
    elif fmt in ("JPEG", "WEBP"):
        options["quality"] = 95  # visually lossless for paintings' fine texture
    try:
        _write_atomic(target, lambda fh: Image.fromarray(pixels).save(fh, format=fmt, **options))
        written = [target]
        recipe_path = target.with_suffix(".json")
        if recipe and recipe_path != target and (image_existed or not recipe_path.exists()):
            write_text_atomic(recipe_path, text + "\n")
            written.append(recipe_path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ImageError(
            f"The result could not be saved as '{target.name}' ({reason}); "
            "choose another folder or name."
        ) from None
    return written

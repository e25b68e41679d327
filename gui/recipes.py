"""Recipe files (a run's settings as JSON) and "Save As" for results, for the window.

A recipe is either a bare Settings dict (File > Save recipe) or the ``.json`` written
beside each result, which holds the settings under "settings" (Settings.from_dict takes
both). A result PNG carries the same recipe in a text chunk, so it can be loaded too.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nst.errors import ImageError, NstError
from nst.imaging import images
from nst.settings import Settings, SettingsError

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


class RecipeError(NstError):
    """A recipe file cannot be used; the message is one sentence naming the file."""


@dataclass(frozen=True)
class LoadedRecipe:
    settings: Settings
    unknown_fields: tuple[str, ...]  # fields this version does not know, ignored
    # known fields whose value is not allowed -> why; dropped, their defaults used
    wrong_fields: tuple[tuple[str, str], ...] = ()

    def warning(self, name: str) -> str:
        """One sentence naming what was ignored, or "" when everything was used."""
        parts = []
        if self.unknown_fields:
            parts.append(
                f"fields this version does not know, ignored ({', '.join(self.unknown_fields)})"
            )
        if self.wrong_fields:
            bad = "; ".join(f"{field} {why}" for field, why in self.wrong_fields)
            parts.append(f"values that are not allowed, replaced by the defaults ({bad})")
        if not parts:
            return ""
        return f"The recipe '{name}' has {' and '.join(parts)}; the rest was loaded."


def read_recipe_file(path: str) -> dict[str, Any]:
    """The JSON object in a recipe file, or in a result PNG's recipe chunk."""
    name = os.path.basename(path)
    if Path(path).suffix.lower() == ".png":
        recipe = images.read_recipe_from_png(path)
        if recipe is None:
            raise RecipeError(
                f"The image '{name}' holds no recipe; choose a result saved by "
                "this app, or its .json file."
            )
        return recipe
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecipeError(f"The recipe '{name}' does not exist; check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise RecipeError(f"The recipe '{name}' cannot be read ({reason}).") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecipeError(
            f"The recipe '{name}' is not valid JSON (line {exc.lineno}: "
            f"{exc.msg}); choose a .json file written beside a result."
        ) from None
    except (ValueError, RecursionError):  # a 5000-digit number; arrays nested 10^5 deep
        raise RecipeError(
            f"The recipe '{name}' is not a recipe this app can read; choose a "
            ".json file written beside a result."
        ) from None
    if not isinstance(data, dict):
        raise RecipeError(f"The recipe '{name}' does not hold a JSON object of settings.")
    return data


def _resolve_image_paths(data: dict[str, Any], folder: str) -> dict[str, Any]:
    """Relative image paths are taken relative to the recipe's folder when they exist
    there, so a recipe and its images can be moved together."""

    def resolve(value: Any) -> Any:
        if isinstance(value, str) and value and not os.path.isabs(value):
            beside = os.path.join(folder, value)
            if os.path.exists(beside) or not os.path.exists(value):
                return os.path.normpath(beside)
        return value

    data = dict(data)
    for key in ("content", "style", "weights"):
        if key in data:
            data[key] = resolve(data[key])
    if isinstance(data.get("style_masks"), list):  # "" (the rest) stays ""
        data["style_masks"] = [resolve(m) for m in data["style_masks"]]
    if isinstance(data.get("extra_styles"), list):
        data["extra_styles"] = [
            [resolve(item[0]), *item[1:]] if isinstance(item, list) and item else item
            for item in data["extra_styles"]
        ]
    return data


def settings_from_recipe(data: Mapping[str, Any], folder: str = "") -> LoadedRecipe:
    """Settings from a recipe dict of any version, never failing over one field: unknown
    fields (a newer version's) are ignored, bad values (a hand edit's) replaced by the
    defaults, and both named in the result, for the window to say so.
    """
    inner = data.get("settings") if isinstance(data.get("settings"), Mapping) else data
    inner = _resolve_image_paths(dict(inner), folder) if folder else dict(inner)
    try:
        settings, unknown, wrong = Settings.from_recipe(inner)
    except SettingsError as exc:  # not a JSON object at all
        raise RecipeError(f"The recipe has a bad value: {exc}.") from None
    return LoadedRecipe(settings, tuple(unknown), tuple(wrong.items()))


def load_recipe(path: str) -> LoadedRecipe:
    return settings_from_recipe(read_recipe_file(path), os.path.dirname(os.path.abspath(path)))


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
    A PNG also carries the recipe in a text chunk, as images.save_result writes it.
    """
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    target = Path(path)
    image_existed = target.exists()
    fmt = format_for(path)
    pixels = images.to_uint8(image)
    text = json.dumps(recipe, indent=2, default=str)
    options: dict[str, Any] = {}
    if fmt == "PNG":
        info = PngInfo()
        info.add_itxt(images.RECIPE_KEY, text)
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

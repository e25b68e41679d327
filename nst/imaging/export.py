"""Writing to one exact path: complete or absent, never half-written.

Results in an output folder get the next free name (save.py). These are for files whose
name is already decided: a sweep's sweep.json and contact sheet (rewritten after every
cell), a recipe the user saves, and "Save As" to the path the user picked.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from nst.errors import ImageError, reason
from nst.imaging.resize import to_uint8
from nst.imaging.save import RECIPE_KEY, recipe_json

# Pillow's format for each suffix "Save As" accepts.
SUFFIX_FORMATS: dict[str, str] = {
    ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP",
    ".tif": "TIFF", ".tiff": "TIFF", ".bmp": "BMP",
}  # fmt: skip
LOSSY_QUALITY = 95  # JPEG/WebP: visually lossless for a painting's fine texture


def write_atomic(path: str | os.PathLike[str], write: Callable[[IO[bytes]], Any]) -> None:
    """Write ``path`` through a temporary file beside it and a rename; ImageError in one
    sentence (and no temporary file left) if that fails."""
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # the folder is gone or read-only: nothing was made
        raise _not_written(target, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a result is an ordinary file
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _not_written(target, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _not_written(target: Path, exc: OSError) -> ImageError:
    return ImageError(
        f"'{target}' could not be written ({reason(exc)}); free some disk space "
        "or choose another folder."
    )


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    write_atomic(path, lambda fh: fh.write(text.encode("utf-8")))


def format_for(path: str | os.PathLike[str], fallback: str = "PNG") -> str:
    return SUFFIX_FORMATS.get(Path(path).suffix.lower(), fallback)


def save_image_as(image: np.ndarray, path: str, recipe: dict[str, Any]) -> list[Path]:
    """Save ``image`` to exactly ``path`` (the user confirmed any overwrite) and its recipe
    beside it as ``<stem>.json``; returns the files written.

    The JSON is written only where it is free, or where it pairs with the image being
    replaced: an unrelated file of that name is never overwritten behind the user's back.
    A PNG also carries the recipe in a text chunk, as save_result writes it.
    """
    target = Path(path)
    image_existed = target.exists()
    fmt = format_for(path)
    pixels = to_uint8(image)
    text = recipe_json(recipe)
    options: dict[str, Any] = {}
    if fmt == "PNG":
        info = PngInfo()
        info.add_itxt(RECIPE_KEY, text)
        options["pnginfo"] = info
    elif fmt in ("JPEG", "WEBP"):
        options["quality"] = LOSSY_QUALITY
    write_atomic(target, lambda fh: Image.fromarray(pixels).save(fh, format=fmt, **options))
    written = [target]
    recipe_path = target.with_suffix(".json")
    if recipe and recipe_path != target and (image_existed or not recipe_path.exists()):
        write_text_atomic(recipe_path, text + "\n")
        written.append(recipe_path)
    return written


# Numbered folders of one kind per output folder (sweep_..._001 ... _999): past that, the
# user is asked to tidy up rather than handed an ever longer name.
MAX_NUMBERED_FOLDERS = 999


def new_numbered_folder(parent: Path, kind: str, stem: str, plural: str) -> Path:
    """A new folder ``<kind>_<stem>_NNN`` in ``parent``, never one that exists already:
    os.mkdir fails on an existing name, so two runs cannot take the same one. ``plural``
    names the kind in the message when all numbers are taken ("sweeps")."""
    for counter in range(1, MAX_NUMBERED_FOLDERS + 1):
        folder = parent / f"{kind}_{stem}_{counter:03d}"
        try:
            os.mkdir(folder)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ImageError(
                f"The {kind} folder '{folder}' cannot be created ({reason(exc)}); "
                "choose an output folder you can write to."
            ) from exc
        return folder
    raise ImageError(
        f"The output folder '{parent}' already holds {MAX_NUMBERED_FOLDERS} {plural} named "
        f"'{kind}_{stem}_NNN'; move some away or choose another output folder."
    )

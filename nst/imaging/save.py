"""Save results atomically, name them, and read back the recipe a result carries.

Saving never overwrites and never leaves a half-written file under a final name: each
file is written to a hidden temporary file in the same folder, synced, then hard-linked
to the first free name (a link fails if the name is taken, so two processes cannot
pick the same one), and the temporary file removed.

This module is part of the engine: NumPy and Pillow only, never Qt.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from nst.errors import ImageError, reason
from nst.imaging.resize import to_uint8

log = logging.getLogger(__name__)

#: The PNG text-chunk key under which :func:`save_result` stores the run's recipe.
RECIPE_KEY = "nst-recipe"

# How many "_NNN" counters save_result tries before giving up (a folder with a thousand
# results of the same pair is plausible; a hundred thousand means something is wrong).
_MAX_COUNTER = 100_000

# Each part of a result stem is cut to this many characters, so that the final
# "{content}_{style}_NNN.json" stays far below the 255-byte file-name limit.
_STEM_PART_MAX = 40

# os.link errors that mean "this file system cannot hard-link" (FAT/exFAT, some network
# and FUSE file systems, sandboxes) rather than a real failure such as a full disk.
_LINK_UNSUPPORTED = frozenset(
    code
    for code in (
        errno.EPERM,
        getattr(errno, "ENOTSUP", None),
        getattr(errno, "EOPNOTSUPP", None),
        getattr(errno, "ENOSYS", None),
        errno.EXDEV,
        errno.EMLINK,
    )
    if code is not None
)


def check_output_dir(folder: str | os.PathLike[str]) -> Path:
    """Make sure ``folder`` exists (creating it and its parents) and can be written to.

    Call it before a run, so a bad folder is reported before minutes of work, not after.
    Writability is tested by creating and removing a file: permission bits do not tell
    the whole story (read-only mounts, ACLs, network shares). Returns the absolute path.
    """
    path = Path(os.path.abspath(os.path.expanduser(os.fspath(folder))))
    shown = os.fspath(folder)
    if os.path.exists(path) and not os.path.isdir(path):  # neither raises
        raise ImageError(
            f"The output folder '{shown}' is a file, not a folder; "
            "choose a folder, or another name."
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as exc:  # FileExistsError here: a parent is a file
        raise ImageError(
            f"The output folder '{shown}' cannot be created ({reason(exc)}); "
            "choose a folder you can write to."
        ) from exc
    try:
        fd, probe = tempfile.mkstemp(prefix=".nst-write-test-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ImageError(
            f"The output folder '{shown}' is not writable ({reason(exc)}); "
            "choose a folder you can write to."
        ) from exc
    return path


def _sanitize_part(text: str, limit: int = _STEM_PART_MAX) -> str:
    """Reduce text to [A-Za-z0-9_-]: accents dropped (é -> e), others become "_"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_text)
    cleaned = re.sub(r"_{2,}", "_", cleaned)
    # No leading "-" (a name that looks like a command-line option) or edge "_".
    return cleaned[:limit].strip("_-")


def _file_stem(path: str | os.PathLike[str] | None) -> str:
    """The name of a file without folder or extension; Windows separators count too."""
    if not path:
        return ""
    base = re.split(r"[\\/]", os.fspath(path).rstrip("\\/"))[-1]
    return os.path.splitext(base)[0]


def result_stem(content_path: str | None, style_path: str) -> str:
    """The file-name stem of a result, ``"{content}_{style}"`` from the two file names.

    ``tubingen.jpg`` + ``starry_night.jpg`` -> ``"tubingen_starry_night"``. Without a
    content image (texture synthesis) the content part is ``"texture"``. Each part is
    reduced to ``[A-Za-z0-9_-]`` and cut to 40 characters.
    """
    content = _sanitize_part(_file_stem(content_path)) or ("content" if content_path else "texture")
    style = _sanitize_part(_file_stem(style_path)) or "style"
    return f"{content}_{style}"


def save_result(
    image: np.ndarray, folder: str | os.PathLike[str], stem: str, recipe: dict[str, Any]
) -> Path:
    """Save ``image`` as ``{stem}_{NNN}.png`` with ``{stem}_{NNN}.json`` beside it.

    NNN is the first counter, from 001, for which neither file exists. The PNG also
    carries the recipe in an iTXt chunk (key :data:`RECIPE_KEY`), so an image that
    loses its JSON still says how it was made (:func:`read_recipe_from_png`).

    Never overwrites, and a file appears under its final name only when complete; on
    any failure nothing this call made is left behind and :class:`ImageError` names the
    folder. The folder is created if it has gone missing since the run began: losing
    a long run's result to a deleted folder would be worse. Returns the PNG's path.
    """
    pixels = _as_rgb(image)
    safe_stem = _sanitize_part(stem, limit=2 * _STEM_PART_MAX + 1) or "result"
    if safe_stem != stem:
        log.debug("result stem %r sanitized to %r", stem, safe_stem)
    # default=: a recipe value JSON does not know (a Path, a NumPy number) is written as
    # its string or Python value rather than losing the result over it.
    text = recipe_json(recipe)
    info = PngInfo()
    info.add_itxt(RECIPE_KEY, text)

    target = Path(os.path.abspath(os.path.expanduser(os.fspath(folder))))
    temps: list[str] = []
    created: list[Path] = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        png_tmp = _write_temp(
            target,
            safe_stem,
            ".png",
            temps,
            lambda fh: Image.fromarray(pixels).save(fh, format="PNG", pnginfo=info),
        )
        json_tmp = _write_temp(
            target,
            safe_stem,
            ".json",
            temps,
            lambda fh: fh.write((text + "\n").encode("utf-8")),
        )
        png_path = _publish(target, safe_stem, png_tmp, json_tmp, created)
        _fsync_dir(target)
    except BaseException as exc:
        # Also on KeyboardInterrupt: never leave a half-made result behind.
        for path in reversed(created):
            _remove(path)
        if isinstance(exc, ImageError):
            raise
        if not isinstance(exc, Exception):
            raise
        raise ImageError(
            f"The result could not be saved in the folder '{os.fspath(folder)}' "
            f"({reason(exc)}); free some disk space or choose another output folder."
        ) from exc
    finally:
        for tmp in temps:
            _remove(Path(tmp))
    log.info("saved %s", png_path)
    return png_path


def _as_rgb(image: np.ndarray) -> np.ndarray:
    """The image to save as a contiguous H x W x 3 uint8 (float input rounded)."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = to_uint8(array)
    if array.ndim == 2:
        array = np.repeat(array[:, :, np.newaxis], 3, axis=2)
    if array.ndim != 3 or array.shape[2] != 3 or array.shape[0] < 1 or array.shape[1] < 1:
        raise ValueError(f"expected an H x W x 3 image, not shape {array.shape}")
    return np.ascontiguousarray(array)


def recipe_json(recipe: dict[str, Any]) -> str:
    """A recipe as the text every save writes (Save and Save As alike): NumPy numbers as
    numbers, paths as text."""
    return json.dumps(recipe, indent=2, default=_json_default)


def _json_default(value: Any) -> Any:
    """JSON for what json.dumps does not know: NumPy values, paths, anything else."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return os.fspath(value) if isinstance(value, os.PathLike) else str(value)


def _umask() -> int:
    """The process umask, read without changing it (os.umask would race other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def _write_temp(
    folder: Path, stem: str, suffix: str, temps: list[str], write: Callable[[IO[bytes]], Any]
) -> str:
    """Write a hidden temporary file in ``folder`` and sync it to disk; return its path.

    The path is appended to ``temps`` as soon as the file exists, so the caller removes
    it whatever happens next.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}_", suffix=suffix + ".tmp", dir=folder)
    temps.append(tmp)
    with os.fdopen(fd, "wb") as fh:
        if hasattr(os, "fchmod"):
            # mkstemp makes files 0600; a result should get the permissions any new
            # file of this user gets (0644 with the usual umask).
            os.fchmod(fh.fileno(), 0o666 & ~_umask())
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    return tmp


def _publish(folder: Path, stem: str, png_tmp: str, json_tmp: str, created: list[Path]) -> Path:
    """Give the two finished temporary files the first free pair of final names.

    Hard links are atomic and fail when the name is taken, which makes them the one
    portable "create if absent, with this content" primitive. Where the file system has
    no hard links, each name is reserved with O_CREAT | O_EXCL and the temporary file
    then renamed over the (empty) reservation: still never overwriting another file's
    content, though the empty reservation is visible for an instant.
    Every final name made is appended to ``created``, for the caller's clean-up.
    """
    try:
        taken = set(os.listdir(folder))  # only a shortcut: the link decides, not this
    except OSError:
        taken = set()
    use_link = hasattr(os, "link")
    for counter in range(1, _MAX_COUNTER + 1):
        base = f"{stem}_{counter:03d}"
        png, jsn = folder / f"{base}.png", folder / f"{base}.json"
        if png.name in taken or jsn.name in taken:
            continue
        if use_link:
            try:
                if not _link(png_tmp, png):
                    continue
                created.append(png)
                if not _link(json_tmp, jsn):
                    # Someone took the JSON name: give the PNG name back, try the next.
                    created.remove(png)
                    _remove(png)
                    continue
                created.append(jsn)
                return png
            except _LinkUnsupported as exc:
                log.info("hard links unsupported in %s (%s); reserving names instead", folder, exc)
                use_link = False
                if png in created:  # the PNG linked, then the JSON could not be
                    created.remove(png)
                    _remove(png)
        # Fallback: reserve both names first, then move the finished files onto them.
        if not _reserve(png):
            continue
        created.append(png)
        if not _reserve(jsn):
            created.remove(png)
            _remove(png)
            continue
        created.append(jsn)
        os.replace(png_tmp, png)
        os.replace(json_tmp, jsn)
        return png
    raise ImageError(
        f"The output folder '{folder}' already holds {_MAX_COUNTER} results named "
        f"'{stem}_NNN'; move some away or choose another output folder."
    )


class _LinkUnsupported(Exception):
    """This file system cannot hard-link: use the reservation fallback."""


def _link(tmp: str, final: Path) -> bool:
    """Hard-link ``tmp`` to ``final``; False if the name is taken."""
    try:
        os.link(tmp, final)
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno in _LINK_UNSUPPORTED:
            raise _LinkUnsupported(reason(exc)) from exc
        raise
    return True


def _reserve(final: Path) -> bool:
    """Create ``final`` empty, only if absent; False if the name is taken."""
    try:
        fd = os.open(final, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def _fsync_dir(folder: Path) -> None:
    """Sync the folder so the new names survive a crash; not possible everywhere."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    """Remove a file if it is there; clean-up must not raise over the real error."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc)


def read_recipe_from_png(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The recipe :func:`save_result` stored in a PNG, or None if it has none.

    None also for a file that is not a PNG, is damaged, or whose chunk is not a JSON
    object: a history view can then list it without a recipe. Raises
    :class:`ImageError` only when the file itself cannot be opened (missing, a folder,
    permission denied). Only the header is read, never the pixels.
    """
    fspath = os.fsdecode(path)
    name = os.path.basename(fspath) or fspath
    try:
        with warnings.catch_warnings():
            # Nothing is decoded here, so a huge claimed size is no danger.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(fspath, formats=["PNG"]) as im:
                # Text chunks before the pixel data are read on open; Pillow writes
                # ours there (PngInfo chunks go before IDAT).
                text = im.info.get(RECIPE_KEY)
    except OSError as exc:
        if exc.errno is None:  # Pillow's own OSErrors (not a PNG, damaged): no recipe
            log.debug("no recipe in %s: %s", name, reason(exc))
            return None
        raise ImageError(
            f"The image '{name}' cannot be opened to read its recipe ({reason(exc)}); "
            "check that the file is still there and readable."
        ) from exc
    except Exception as exc:  # SyntaxError, ValueError, DecompressionBombError, ...
        log.debug("no recipe in %s: %s", name, reason(exc))
        return None
    if not isinstance(text, str):
        return None
    try:
        recipe = json.loads(text)
    except ValueError:
        log.warning("the %s chunk of %s is not valid JSON", RECIPE_KEY, name)
        return None
    return recipe if isinstance(recipe, dict) else None

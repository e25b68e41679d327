"""Image files in and out: load any photo safely, resize it, save results atomically.

Loading turns whatever Pillow can decode (every mode, EXIF-rotated, animated) into one
shape the engine understands, an H x W x 3 uint8 RGB array, and turns every way a file
can be bad into an :class:`~nst.errors.ImageError` whose message is one sentence naming
the file, what is wrong and what to do. No raw Pillow or OS traceback reaches the user.

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
import stat
import tempfile
import unicodedata
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from PIL.PngImagePlugin import PngInfo

from nst.errors import ImageError

log = logging.getLogger(__name__)

#: File name endings offered in file dialogs and accepted by drag and drop. Loading does
#: not trust the ending: the file's content decides (a PNG named .jpg loads fine).
SUPPORTED_SUFFIXES: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")

#: The most pixels (width x height) an image may have: a decompression-bomb limit.
#: 89,478,485 is Pillow's own warning threshold, ``Image.MAX_IMAGE_PIXELS`` =
#: 1 GiB // 4 // 3 (Pillow's source), i.e. a quarter gigabyte of 3-byte RGB pixels.
#: A tiny, valid PNG or GIF can claim 100000 x 100000 pixels and make a decoder allocate
#: 30 GB; we check the size the header claims before decoding anything. Style transfer
#: works at a few hundred to a few thousand pixels a side, so this refuses almost no real
#: photo: up to about 89 megapixels (11 600 x 7 700) loads; 100-megapixel medium-format
#: frames must be scaled down first.
MAX_PIXELS: int = 89_478_485

#: The PNG text-chunk key under which :func:`save_result` stores the run's recipe.
RECIPE_KEY = "nst-recipe"

# Pillow plugins tried when opening. Restricting them keeps Pillow from handing a file to
# plugins we never meant to support (EPS, for one, runs Ghostscript on the file). GIF is
# decoded, though not offered in dialogs, because people drop animated GIFs. The
# multi-picture JPEGs (MPO) many cameras write open through the JPEG plugin.
_DECODE_FORMATS = ("JPEG", "PNG", "BMP", "DIB", "TIFF", "WEBP", "GIF")
_FORMATS_IN_WORDS = "a JPEG, PNG, BMP, TIFF or WebP file"

# Transparent pixels are composited on white, not black: transparent regions of logos,
# scans and cut-outs are meant to be seen on a page, and a white ground is what viewers
# and browsers show; black would bring dark blocks into the style statistics.
_BACKGROUND = (255, 255, 255)

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


# --------------------------------------------------------------------------- loading


def load_image(path: str | os.PathLike[str], *, role: str = "image") -> np.ndarray:
    """Read an image file as an H x W x 3 uint8 RGB array, upright.

    ``role`` names the image in messages ("content image", "style image").

    - The EXIF orientation is applied, so phone photos come out as they are shown.
    - Every Pillow mode is converted: grey and palette images to RGB, alpha composited on
      white (see ``_BACKGROUND``), CMYK to RGB, 16-bit scaled (not clipped) to 8-bit,
      32-bit integer and float images mapped to 0..255 (see ``_int_to_uint8``).
    - Animated images give their first frame.

    Raises :class:`ImageError` when the file is missing, a folder, unreadable, empty,
    truncated or damaged, not an image, zero-sized, or larger than :data:`MAX_PIXELS`.
    """
    try:
        fspath = os.fsdecode(path)
    except TypeError:
        raise ImageError(
            f"The {role} path {path!r} is not a file path; choose an image file."
        ) from None
    name = os.path.basename(fspath.rstrip("/\\")) or fspath

    _check_file(fspath, name, role)
    try:
        fh = open(fspath, "rb")  # closed in the finally below
    except PermissionError as exc:
        raise ImageError(
            f"The {role} '{name}' cannot be read (permission denied); "
            "check its permissions or copy it to a folder you can read."
        ) from exc
    except OSError as exc:
        raise ImageError(
            f"The {role} '{name}' cannot be opened ({_reason(exc)}); "
            "check that the file is still there and readable."
        ) from exc
    try:
        return _decode(fh, name, role)
    finally:
        fh.close()


def _check_file(fspath: str, name: str, role: str) -> None:
    """Refuse, before Pillow sees it, a path that is missing, a folder or empty."""
    try:
        info = os.stat(fspath)
    except FileNotFoundError as exc:
        folder = os.path.dirname(os.path.abspath(fspath))
        raise ImageError(
            f"The {role} '{name}' was not found in '{folder}'; "
            "check the path or choose another file."
        ) from exc
    except PermissionError as exc:
        raise ImageError(
            f"The {role} '{name}' cannot be read (permission denied); "
            "check its permissions or copy it to a folder you can read."
        ) from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise ImageError(
            f"The {role} '{name}' cannot be opened ({_reason(exc)}); "
            "check the path or choose another file."
        ) from exc
    if stat.S_ISDIR(info.st_mode):
        raise ImageError(
            f"The {role} '{name}' is a folder, not a file; choose an image file inside it."
        )
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or device would block or stream forever when read.
        raise ImageError(f"The {role} '{name}' is not a regular file; choose an image file.")
    if info.st_size == 0:
        raise ImageError(
            f"The {role} '{name}' is empty (0 bytes); "
            "copy or download it again, or choose another file."
        )


def _decode(fh: IO[bytes], name: str, role: str) -> np.ndarray:
    """Open, size-check, fully decode and convert; map every failure to ImageError."""
    not_image = (
        f"The {role} '{name}' is not a readable image (cannot identify image file); "
        f"choose {_FORMATS_IN_WORDS}."
    )
    caught: list[warnings.WarningMessage] = []
    try:
        # Pillow warns (DecompressionBombWarning) above MAX_IMAGE_PIXELS and only raises
        # above twice that; we want a refusal either way, so that warning becomes an
        # error. Its other warnings (corrupt EXIF, odd TIFF tags) are recorded and
        # logged below, not printed: the engine never writes to stderr. Note that
        # catch_warnings is process-wide: a warning another thread raises during these
        # few milliseconds is logged here too.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fh, formats=_DECODE_FORMATS) as im:
                width, height = im.size
                _check_size(width, height, name, role)
                # Pillow decodes lazily: load() forces the whole decode now, so that a
                # truncated or corrupt file fails here and not later in the engine. We
                # rely on ImageFile.LOAD_TRUNCATED_IMAGES being False (its default).
                im.load()
                upright = _upright(im, name)
                _check_size(upright.width, upright.height, name, role)
                array = _to_rgb_uint8(upright, name, role)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(
            f"The {role} '{name}' is too large to load safely (over "
            f"{MAX_PIXELS:,} pixels, a possible decompression bomb); "
            "scale it down in an image editor first."
        ) from exc
    except UnidentifiedImageError as exc:
        width, height = _header_size(fh)
        if width == 0 or height == 0:  # Pillow's plugins refuse these as unidentified
            raise ImageError(
                f"The {role} '{name}' has no pixels ({width} x {height}); choose another file."
            ) from exc
        raise ImageError(not_image) from exc
    except MemoryError as exc:
        raise ImageError(
            f"The {role} '{name}' is too large to fit in memory; "
            "scale it down in an image editor first."
        ) from exc
    except Exception as exc:  # Pillow's decoders raise many types
        # OSError, ValueError, SyntaxError, EOFError, struct.error, zlib.error, ...
        # KeyboardInterrupt is not an Exception, so Ctrl+C still stops a load.
        reason = _reason(exc)
        if "truncated" in reason.lower() or isinstance(exc, EOFError):
            raise ImageError(
                f"The {role} '{name}' is incomplete (the file is truncated); "
                "copy or download it again."
            ) from exc
        raise ImageError(
            f"The {role} '{name}' is damaged and cannot be decoded ({reason}); "
            "open and re-save it in an image editor, or choose another file."
        ) from exc
    finally:
        for warning in caught:
            log.warning("%s: %s", name, warning.message)
    log.debug("loaded %s as %dx%d RGB", name, array.shape[1], array.shape[0])
    return array


def _header_size(fh: IO[bytes]) -> tuple[int | None, int | None]:
    """The (width, height) a PNG or GIF header claims, read from its first bytes; (None,
    None) for other files. Only used to say "no pixels" instead of "not an image"."""
    try:
        fh.seek(0)
        head = fh.read(24)
    except (OSError, ValueError):
        return None, None
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":  # PNG spec 11.2.2
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if head[:6] in (b"GIF87a", b"GIF89a"):  # GIF89a spec, logical screen descriptor
        return int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
    return None, None


def _check_size(width: int, height: int, name: str, role: str) -> None:
    """Refuse zero-sized images and those over MAX_PIXELS, from the header alone."""
    if width <= 0 or height <= 0:
        raise ImageError(
            f"The {role} '{name}' has no pixels ({width} x {height}); choose another file."
        )
    if width * height > MAX_PIXELS:
        raise ImageError(
            f"The {role} '{name}' is too large to load safely ({width} x {height} pixels, "
            f"over the {MAX_PIXELS:,}-pixel limit); scale it down in an image editor first."
        )


def _upright(im: Image.Image, name: str) -> Image.Image:
    """Apply the EXIF orientation; a damaged EXIF block is ignored, not fatal.

    The pixels decoded fine, so a bad orientation tag is no reason to refuse a photo.
    """
    try:
        upright = ImageOps.exif_transpose(im)
    except Exception as exc:  # any EXIF parse error
        log.warning("ignoring the unreadable EXIF data of %s: %s", name, _reason(exc))
        return im
    return upright if upright is not None else im


def _to_rgb_uint8(im: Image.Image, name: str, role: str) -> np.ndarray:
    """Convert a decoded image of any mode to a contiguous, writable H x W x 3 uint8."""
    mode = im.mode
    if mode.startswith("I;16"):
        # 16-bit grey (I;16, I;16B, I;16L, I;16N): map 0..65535 onto 0..255 linearly.
        # Pillow's own convert("L") clips at 255, which turns most 16-bit images white.
        grey = _scale(np.asarray(im).astype(np.float64), 65535.0)
    elif mode == "I":
        grey = _int_to_uint8(np.asarray(im).astype(np.int64))
    elif mode == "F":
        grey = _float_to_uint8(np.asarray(im).astype(np.float64))
    else:
        try:
            if im.has_transparency_data:
                # RGBA, LA, PA, RGBa, palette or grey with a transparent colour.
                rgba = im.convert("RGBA")
                ground = Image.new("RGBA", rgba.size, (*_BACKGROUND, 255))
                rgb = Image.alpha_composite(ground, rgba).convert("RGB")
            else:
                rgb = im.convert("RGB")  # 1, L, P, CMYK, YCbCr, LAB, HSV, RGBX, RGB
        except ValueError as exc:
            raise ImageError(
                f"The {role} '{name}' uses a colour mode ({mode}) that cannot be converted "
                f"to RGB; re-save it as an ordinary RGB {_FORMATS_IN_WORDS[2:]}."
            ) from exc
        return np.ascontiguousarray(np.array(rgb, dtype=np.uint8).reshape(im.height, im.width, 3))
    return np.ascontiguousarray(np.repeat(grey[:, :, np.newaxis], 3, axis=2))


def _scale(values: np.ndarray, full: float) -> np.ndarray:
    """Map 0..full linearly onto 0..255 (rounded)."""
    return np.clip(np.rint(values * (255.0 / full)), 0, 255).astype(np.uint8)


def _stretch(values: np.ndarray) -> np.ndarray:
    """Map min..max linearly onto 0..255; a constant image becomes mid-grey."""
    lo, hi = float(values.min()), float(values.max())
    if hi <= lo:
        return np.full(values.shape, 128, dtype=np.uint8)
    return _scale(values - lo, hi - lo)


def _int_to_uint8(values: np.ndarray) -> np.ndarray:
    """Mode "I" (32-bit signed) carries no bit depth, so infer it from the values.

    0..255 is taken as 8-bit data as is; up to 65535 as 16-bit (scaled, as I;16 is);
    anything else (negative, or beyond 16 bits: scientific TIFFs) is stretched min..max.
    """
    lo, hi = int(values.min()), int(values.max())
    if lo >= 0 and hi <= 255:
        return values.astype(np.uint8)
    if lo >= 0 and hi <= 65535:
        return _scale(values.astype(np.float64), 65535.0)
    return _stretch(values.astype(np.float64))


def _float_to_uint8(values: np.ndarray) -> np.ndarray:
    """Mode "F" (32-bit float) likewise: 0..1 (the usual convention) is scaled by 255,
    0..255 kept, anything else stretched. NaN and infinities become 0."""
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = float(values.min()), float(values.max())
    if lo >= 0.0 and hi <= 1.0:
        return _scale(values, 1.0)
    if lo >= 0.0 and hi <= 255.0:
        return _scale(values, 255.0)
    return _stretch(values)


def _reason(exc: BaseException) -> str:
    """A short, one-line reason from an exception, for the parentheses of a message."""
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join(text.split())  # one line
    text = re.sub(r"<[^>]*>", "", text).strip()  # Pillow appends "<_io.BufferedReader ...>"
    text = text.rstrip(". ;")
    # Keep the message one sentence: a period followed by a space would start a second.
    text = text.replace(". ", ", ").replace("; ", ", ")
    return (text[:117] + "...") if len(text) > 120 else (text or type(exc).__name__)


# --------------------------------------------------------------------------- arrays


def resize_longest(image: np.ndarray, size: int) -> np.ndarray:
    """Scale ``image`` so its longest side is ``size`` pixels, keeping its aspect ratio.

    Each side stays at least 1 pixel. Lanczos (Pillow) is used both ways: it is the
    sharpest of Pillow's filters and, downscaling, antialiases properly. uint8 input
    gives uint8 output; float input (0..255) gives float output of the same dtype,
    clipped to 0..255 (Lanczos rings slightly past the input's range at edges).
    Accepts H x W, or H x W x C. The result is always a new array.
    """
    if isinstance(size, bool) or int(size) != size or size < 1:
        raise ValueError(f"size must be a positive integer, not {size!r}")
    size = int(size)
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.shape[0] < 1 or image.shape[1] < 1:
        raise ValueError(f"expected an H x W or H x W x C image, not shape {image.shape}")
    height, width = image.shape[:2]
    scale = size / max(height, width)
    # round() on the longest side gives exactly `size`; the other keeps the aspect.
    new_w = max(1, round(width * scale))
    new_h = max(1, round(height * scale))
    if (new_w, new_h) == (width, height):
        return image.copy()

    if image.dtype == np.uint8:
        if image.ndim == 3 and image.shape[2] == 3:
            return _resize_plane(image, new_w, new_h)
        if image.ndim == 2:
            return _resize_plane(image, new_w, new_h)
        planes = [_resize_plane(image[:, :, c], new_w, new_h) for c in range(image.shape[2])]
        return np.stack(planes, axis=2)
    if np.issubdtype(image.dtype, np.floating):
        work = image.astype(np.float32, copy=False)
        if work.ndim == 2:
            out = _resize_plane(work, new_w, new_h)
        else:
            # Pillow resizes float images only as single-channel "F" planes.
            out = np.stack(
                [_resize_plane(work[:, :, c], new_w, new_h) for c in range(work.shape[2])],
                axis=2,
            )
        return np.clip(out, 0.0, 255.0).astype(image.dtype, copy=False)
    raise TypeError(f"expected a uint8 or float image, not {image.dtype}")


def _resize_plane(plane: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize one Pillow-compatible array (RGB or L uint8, or F float32) with Lanczos."""
    src = Image.fromarray(np.ascontiguousarray(plane))
    # reducing_gap=3.0: a big downscale first shrinks by an integer factor with a box
    # filter, then Lanczos-filters the rest. Pillow's docs: with a gap of 3 or more the
    # result is "indistinguishable from fair resampling in most cases", and much faster.
    out = src.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return np.array(out)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Float (0..255) to uint8: round to nearest, clip to 0..255. NaN becomes 0."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image.copy()
    values = np.nan_to_num(image.astype(np.float64), nan=0.0, posinf=255.0, neginf=0.0)
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- saving


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
            f"The output folder '{shown}' cannot be created ({_reason(exc)}); "
            "choose a folder you can write to."
        ) from exc
    try:
        fd, probe = tempfile.mkstemp(prefix=".nst-write-test-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ImageError(
            f"The output folder '{shown}' is not writable ({_reason(exc)}); "
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
    text = json.dumps(recipe, indent=2, default=_json_default)
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
            f"({_reason(exc)}); free some disk space or choose another output folder."
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
            raise _LinkUnsupported(_reason(exc)) from exc
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
            log.debug("no recipe in %s: %s", name, _reason(exc))
            return None
        raise ImageError(
            f"The image '{name}' cannot be opened to read its recipe ({_reason(exc)}); "
            "check that the file is still there and readable."
        ) from exc
    except Exception as exc:  # SyntaxError, ValueError, DecompressionBombError, ...
        log.debug("no recipe in %s: %s", name, _reason(exc))
        return None
    if not isinstance(text, str):
        return None
    try:
        recipe = json.loads(text)
    except ValueError:
        log.warning("the %s chunk of %s is not valid JSON", RECIPE_KEY, name)
        return None
    return recipe if isinstance(recipe, dict) else None

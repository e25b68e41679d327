"""Load any photo safely as one H x W x 3 uint8 RGB array, upright.

Loading turns whatever Pillow can decode (every mode, EXIF-rotated, animated) into one
shape the engine understands, an H x W x 3 uint8 RGB array, and turns every way a file
can be bad into an :class:`~nst.errors.ImageError` whose message is one sentence naming
the file, what is wrong and what to do. No raw Pillow or OS traceback reaches the user.

This module is part of the engine: NumPy and Pillow only, never Qt.
"""

from __future__ import annotations

import logging
import os
import stat
import warnings
from typing import IO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from nst.errors import ImageError, reason

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
        raise _permission_denied(role, name) from exc
    except OSError as exc:
        raise ImageError(
            f"The {role} '{name}' cannot be opened ({reason(exc)}); "
            "check that the file is still there and readable."
        ) from exc
    try:
        return _decode(fh, name, role)
    finally:
        fh.close()


def _permission_denied(role: str, name: str) -> ImageError:
    return ImageError(
        f"The {role} '{name}' cannot be read (permission denied); "
        "check its permissions or copy it to a folder you can read."
    )


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
        raise _permission_denied(role, name) from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise ImageError(
            f"The {role} '{name}' cannot be opened ({reason(exc)}); "
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
        why = reason(exc)
        if "truncated" in why.lower() or isinstance(exc, EOFError):
            raise ImageError(
                f"The {role} '{name}' is incomplete (the file is truncated); "
                "copy or download it again."
            ) from exc
        raise ImageError(
            f"The {role} '{name}' is damaged and cannot be decoded ({why}); "
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
        log.warning("ignoring the unreadable EXIF data of %s: %s", name, reason(exc))
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

"""The project's own errors: each message is one sentence a user can act on."""

import re


class NstError(Exception):
    """Base of every error the engine raises on purpose (bad input, bad settings, ...)."""


class ImageError(NstError):
    """An image file cannot be read or written; the message names the file."""


class WeightsError(NstError):
    """VGG19 weights cannot be found or read; the message says how to get them."""


class RunError(NstError):
    """A run cannot go on (NaN loss, out of memory, ...)."""


def reason(exc: BaseException) -> str:
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


class TooNarrowError(ImageError):
    """An image (or a texture's shape) too narrow for VGG19 at the size asked for.

    Besides the one-sentence message, the parts a face may word in its own terms:
    ``role`` ("content image", "style image", "texture"), ``name`` (the file's name, ""
    when none), its ``width`` x ``height`` in px, the ``size`` (longest side, px) it was
    to be scaled to, the ``short_side`` it would have there, and ``needed``: the least
    such size at which it would do, or None when no size up to the largest does.
    """

    def __init__(
        self,
        message: str,
        *,
        role: str,
        name: str,
        width: int,
        height: int,
        size: int,
        short_side: int,
        needed: int | None,
    ) -> None:
        super().__init__(message)
        self.role, self.name, self.width, self.height = role, name, width, height
        self.size, self.short_side, self.needed = size, short_side, needed

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

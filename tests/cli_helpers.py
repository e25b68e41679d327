"""The command lines of tiny runs and sweeps, as the tests of `python -m nst` write them."""

from __future__ import annotations

import os


def tiny_run(
    content: str,
    style: str,
    out: str | os.PathLike[str],
    *extra: str,
    size: int = 32,
    iterations: int = 1,
) -> list[str]:
    """The options of a run of ``content`` in ``style`` into ``out``, at ``size`` px for
    ``iterations`` steps, then ``extra``."""
    run = ["--content", content, "--style", style, "--output-dir", str(out)]
    return [*run, "--size", str(size), "--iterations", str(iterations), *extra]


def sweep_run(content: str, style: str, out: str | os.PathLike[str], *extra: str) -> list[str]:
    """The command line of a sweep of ``content`` in ``style`` into ``out``, then ``extra``."""
    return ["sweep", "--content", content, "--style", style, "--output-dir", str(out), *extra]

"""The weights' structured error, apart so that every reader of a weights file can raise it."""

from __future__ import annotations

import os

from nst.errors import WeightsError


class WeightsProblem(WeightsError):
    """Weights that cannot be used, as fields each face words in its own terms (how to get
    others: the command line's option, the window's recipe). ``file``: the file at fault,
    None when no source had usable weights; ``reason``: what is wrong with it; ``looked``:
    where weights were looked for; ``problems``: why each file found there was skipped."""

    def __init__(
        self,
        file: str | os.PathLike[str] | None,
        reason: str,
        *,
        looked: tuple[str, ...] = (),
        problems: tuple[str, ...] = (),
    ) -> None:
        self.file = None if file is None else str(file)
        self.reason = reason
        self.looked = looked
        self.problems = problems
        if self.file is not None:
            text = f"The weights file '{self.file}' {reason}."
        else:
            found = f" ({' '.join(problems)})" if problems else ""
            text = f"No usable VGG19 weights were found in {', '.join(looked)}{found}."
        super().__init__(text)

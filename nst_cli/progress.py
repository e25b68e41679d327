"""Progress on stderr: a bar redrawn in place on a terminal, plain lines when piped."""

from __future__ import annotations

from typing import Any, TextIO

from nst.run.clock import clock_text
from nst.settings.changes import change_text


class ProgressPrinter:
    """A bar redrawn in place on a terminal; a plain line every 5% otherwise."""

    def __init__(self, stream: TextIO, quiet: bool) -> None:
        self.stream = stream
        self.quiet = quiet
        self.tty = stream.isatty()

    def status(self, text: str, keep: bool = False) -> None:
        """A line about what is happening: on a terminal only, so that piped stderr holds
        nothing but progress and, if something is wrong, the one error line."""
        if self.quiet or not self.tty:
            return
        self.stream.write(f"\r{text}\x1b[K" + ("\n" if keep else ""))
        self.stream.flush()

    def __call__(self, p: Any) -> None:
        if self.quiet:
            return
        rate = p.step / p.elapsed if p.elapsed > 0 else 0.0
        eta = clock_text(p.eta) if p.eta is not None else "?"
        info = (
            f"{p.step}/{p.total}  loss {p.total_loss:.4g} (content {p.content_loss:.3g}, "
            f"style {p.style_loss:.3g}, tv {p.tv_loss:.3g})  {rate:.2f} it/s  ETA {eta}"
        )
        if p.stage_words():
            info += f"  ({p.stage_words()})"
        if p.changes:  # the objective changed before this step (--change, a recipe's)
            made = ", ".join(change_text(change) for change in p.changes)
            self.stream.write(("\r\x1b[K" if self.tty else "") + f"changed: {made}\n")
        if self.tty:
            width = 24
            filled = round(width * p.step / p.total)
            bar = "#" * filled + "." * (width - filled)
            self.stream.write(f"\r[{bar}] {info}\x1b[K")
            if p.step == p.total:
                self.stream.write("\n")
        elif p.step == 1 or p.step == p.total or p.step % max(1, p.total // 20) == 0:
            self.stream.write(f"step {info}\n")
        self.stream.flush()

    def end(self) -> None:
        if self.tty and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()

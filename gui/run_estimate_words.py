"""The window's words for a run's estimate: the question before a long run and what it
rests on. The figures (seconds, how rough, peak bytes) are the engine's
(nst/run/estimate.py, nst/memory.py); the sentences are the window's. Qt-free.
"""

from __future__ import annotations

from nst.memory import gib
from nst.run.estimate import TimeEstimate


def duration_words(seconds: float) -> str:
    """'about 40 s', 'about 14 min', 'about 2 h 5 min': rounded as a clock is read."""
    return f"about {_clock(seconds)}"


def _clock(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def time_words(predicted: TimeEstimate) -> str:
    """'about 14 min'; a rough figure as its range: 'roughly 5 to 14 min'."""
    if not predicted.rough:
        return duration_words(predicted.seconds)
    low, high = _clock(predicted.low), _clock(predicted.seconds)
    number, _, unit = low.partition(" ")
    if " " not in unit and high.count(" ") == 1 and high.endswith(f" {unit}"):
        low = number  # 'roughly 5 to 14 min', not '5 min to 14 min'
    return f"roughly {low} to {high}"


def question(predicted: TimeEstimate | None, peak: int | None) -> str:
    """The sentence that asks before a long run."""
    memory = f"use about {gib(peak)} of memory" if peak else ""
    if predicted is None:
        head = "How long this run will take is unknown until its first steps on this computer"
        return f"{head}{'; it will ' + memory if memory else ''}. Run it?"
    also = " and " + memory if memory else ""
    return f"This run will take {time_words(predicted)}{also}. Run it?"


def advice(predicted: TimeEstimate | None) -> str:
    """What the question's time rests on, and what makes the run shorter."""
    if predicted is None:
        basis = "The time left shows beside the progress bar once the first steps have run"
    elif predicted.rough:
        basis = (
            "A rough figure: this computer has timed only small runs, whose steps cost "
            "more per pixel than a large run's, so it is more likely the longer end; the "
            "time left shows beside the progress bar once the first steps have run"
        )
    else:
        basis = "Estimated from the steps of this computer's last run at this precision"
    return f"{basis}. A smaller working size is much faster; Stop ends a run with its best so far."

"""The estimate of the seconds a run has left, across coarse-to-fine stages."""

from __future__ import annotations

from collections.abc import Mapping


def clock_text(seconds: float) -> str:
    """A duration as a clock reads it, the one rule for every face: "m:ss", or "h:mm:ss"
    from an hour on."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Clock:
    """Estimates the seconds left across stages whose steps cost differently.

    A step's cost is taken as proportional to its pixels (the convolutions dominate). The
    first step of each stage traces a new graph shape and is kept out of the rate.
    """

    def __init__(
        self,
        start: float,
        stages: list[tuple[int, float]],
        resumed: float = 0.0,
        unit_seconds: float | None = None,
    ) -> None:
        """``resumed``: the seconds the run had taken at the checkpoint it goes on from;
        ``unit_seconds``: the rate it had measured by then (unit_seconds()), the guess
        until this run times a step of its own (its first traces, and may take minutes)."""
        self.start = start
        self.stages = stages
        self._traced = resumed  # seconds spent in first steps, and before the checkpoint
        self._units = 0.0  # cost units of the steps timed, first steps excluded
        self._last = resumed
        self._resumed_rate = unit_seconds

    def unit_seconds(self) -> float | None:
        """The seconds a step of cost 1 (a step of the last stage) takes, first steps left
        out; before such a step, the rate resumed with (None if none)."""
        if self._units == 0:
            return self._resumed_rate
        return (self._last - self._traced) / self._units

    def eta(self, elapsed: float, stage: int, stage_step: int, first: bool) -> float:
        """Seconds left after step ``stage_step`` of ``stage`` (counting the steps done
        before a checkpoint the run resumed from). ``first``: whether this step traced a
        new graph shape (the stage's first step, or a resumed run's first)."""
        took = elapsed - self._last
        self._last = elapsed
        cost = self.stages[stage][1]
        if first:
            self._traced += took
        else:
            self._units += cost
        left = (self.stages[stage][0] - stage_step) * cost
        left += sum(n * c for n, c in self.stages[stage + 1 :])
        rate = self.unit_seconds()
        if rate is None:
            return took / cost * left  # only first steps so far: the best guess there is
        return rate * left


def stage_costs(
    plan: tuple[tuple[int, int], ...], per_pixel: Mapping[int, float] | None = None
) -> list[tuple[int, float]]:
    """(iterations, relative cost of a step) per stage of a plan of (size, iterations):
    cost grows with the pixels, relative to the last (full) stage's, and by stage size
    with ``per_pixel`` (a stage in tiles costs more a pixel: tiled_memory.StageMemory)."""
    last = plan[-1][0]
    per_pixel = per_pixel or {}
    return [(n, (size / last) ** 2 * per_pixel.get(size, 1.0)) for size, n in plan]

"""The bench's wall-time section: phases that add up, and a real (tiny) hero command."""

from __future__ import annotations

import pytest

from bench.wall_time import phases, stage_counts, wall_lines, wall_time


def test_phases_follow_the_run_and_add_up_to_the_total() -> None:
    steps = [(11.0, 1, 2, 2), (12.0, 1, 2, 3), (15.0, 2, 2, 5), (19.0, 2, 2, 6)]
    record = {"prepared": 10.0, "steps": steps, "result": 20.0, "saved": 20.5}
    got = phases(launched=7.0, record=record, ended=21.0)
    assert [name for name, _ in got] == [
        "start-up",
        "stage 1, first step (traces the loss)",
        "stage 1 of 2",
        "stage 2 of 2",
        "result (best image, its float32 losses)",
        "saving (image and recipe)",
        "exit",
    ]
    assert [s for _, s in got] == [3.0, 1.0, 1.0, 7.0, 1.0, 0.5, 0.5]
    assert sum(s for _, s in got) == 21.0 - 7.0
    assert stage_counts(steps) == [(2, 3), (2, 3)]


@pytest.mark.slow
def test_the_hero_command_is_timed_from_launch_to_exit() -> None:
    result = wall_time(size=48, iterations=30)
    assert result["precision"] in ("float32", "bfloat16")
    assert sum(s for _, s in result["phases"]) == pytest.approx(result["total_s"], abs=0.05)
    assert all(s >= 0 for _, s in result["phases"])
    assert result["steps"] == sum(n for n, _ in result["evaluations"])
    assert result["losses"]["total"] > 0
    text = "\n".join(wall_lines(result))
    assert "--size 48" in text and "from launch to exit" in text

"""nst.run.estimate: a run's predicted time from its stage plan and a measured rate (or a
rough one from small runs), the rates measured from progress records; and the window's
words for them (gui/run_estimate_words.py, Qt-free)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gui import run_estimate_words as words
from nst.run import estimate
from nst.settings import Settings

CONTENT_DIMS = (1024, 768)  # tubingen.jpg, the bundled sample


def record(step: int, stage: int, elapsed: float) -> SimpleNamespace:
    """The fields of nst.run.result.Progress that the meter reads."""
    return SimpleNamespace(step=step, stage=stage, elapsed=elapsed)


def test_stage_megapixels_follow_the_stage_plan_at_the_contents_aspect() -> None:
    settings = Settings(size=1024, iterations=300)  # automatic: 256, 512, 1024 px
    assert settings.stage_plan == ((256, 50), (512, 50), (1024, 200))
    assert estimate.stage_megapixels(settings, CONTENT_DIMS) == [
        (256 * 192 / 1e6, 50),
        (512 * 384 / 1e6, 50),
        (1024 * 768 / 1e6, 200),
    ]


def test_a_stage_in_tiles_counts_as_more_megapixels_by_its_cost() -> None:
    # Within 20 GiB, a 4096x3072 stage goes in 6 tiles of 1536 px, which see 1.28x its
    # pixels in two passes (pass 1 a third of a step): 1.70x the whole image's time a
    # pixel (nst.tiled_memory); the 2048 px stage stays whole.
    from nst.tiled_memory import run_memory

    settings = Settings(content="c.jpg", style="s.jpg", size=4096)
    plan = run_memory(settings, (4096, 3072), (4096, 3072), 20 * 2**30)
    costs = {size: stage.cost for size, stage in plan.items()}
    assert costs[2048] == 1.0 and costs[4096] == pytest.approx(1.70, abs=0.01)
    whole = estimate.stage_megapixels(settings, (4096, 3072))
    tiled = estimate.stage_megapixels(settings, (4096, 3072), costs)
    assert tiled[:3] == whole[:3] and tiled[3] == (whole[3][0] * costs[4096], 60)
    # the running clock weighs the stages the same way
    from nst.run.clock import stage_costs

    assert stage_costs(settings.stage_plan, costs)[3] == (60, costs[4096])
    assert stage_costs(settings.stage_plan, costs)[2] == (140, 0.25)


def test_run_seconds_is_the_rate_times_the_step_megapixels() -> None:
    settings = Settings(size=1024, iterations=300)
    # 50 x 0.049152 + 50 x 0.196608 + 200 x 0.786432 step-megapixels
    assert estimate.step_megapixels(settings, CONTENT_DIMS) == pytest.approx(169.5744)
    assert estimate.run_seconds(settings, CONTENT_DIMS, 20.0) == pytest.approx(3391.488)
    one_stage = settings.replace(stages=1)  # all 300 steps at full size: 4x the work
    assert estimate.run_seconds(one_stage, CONTENT_DIMS, 20.0) == pytest.approx(
        20.0 * 300 * 0.786432
    )


def test_the_model_agrees_with_a_measured_run() -> None:
    # AMD EPYC (AVX2): one float32 step at 512x384 took 3.85 s and a default 512 px run
    # (300 L-BFGS steps) about 16 min.
    rate = 3.85 / (512 * 384 / 1e6)
    minutes = estimate.run_seconds(Settings(size=512), CONTENT_DIMS, rate) / 60
    assert minutes == pytest.approx(16, rel=0.1)


@pytest.mark.parametrize(
    ("changes", "seconds", "asks"),
    [
        ({"size": 2000}, 121.0, True),
        ({"size": 2000}, 119.0, False),  # measured and short: no question, whatever the size
        ({"size": 1025}, None, True),  # unmeasured and large
        ({"size": 1024}, None, False),
        ({"size": 2000, "method": "instant"}, None, False),  # no steps: never long
        ({"size": 2000, "method": "texture"}, 500.0, True),
    ],
)
def test_should_ask_before_long_or_large_unmeasured_runs(
    changes: dict, seconds: float | None, asks: bool
) -> None:
    predicted = None if seconds is None else estimate.TimeEstimate(seconds, seconds)
    assert estimate.should_ask(Settings(**changes), predicted) is asks
    if seconds is not None:  # a rough figure asks by its likely most
        rough = estimate.TimeEstimate(seconds, seconds / estimate.ROUGH_FACTOR, rough=True)
        assert estimate.should_ask(Settings(**changes), rough) is asks


def test_a_rough_rate_gives_a_range_rather_than_no_figure() -> None:
    settings = Settings(size=1024, iterations=300)
    assert estimate.run_estimate(settings, CONTENT_DIMS, None, None) is None
    measured = estimate.run_estimate(settings, CONTENT_DIMS, 20.0, 60.0)
    assert measured is not None and not measured.rough  # a measured rate wins
    assert measured.seconds == pytest.approx(3391.488) == measured.low
    rough = estimate.run_estimate(settings, CONTENT_DIMS, None, 60.0)
    assert rough is not None and rough.rough
    assert rough.seconds == pytest.approx(3 * 3391.488)
    assert rough.low == pytest.approx(rough.seconds / estimate.ROUGH_FACTOR)
    assert words.time_words(rough) == "roughly 57 min to 2 h 50 min"
    assert words.question(rough, None) == (
        "This run will take roughly 57 min to 2 h 50 min. Run it?"
    )
    short = estimate.TimeEstimate(840, 280, rough=True)
    assert words.time_words(short) == "roughly 5 to 14 min"
    assert words.advice(rough).startswith("A rough figure: this computer has timed only small")


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0.2, "about 1 s"), (40, "about 40 s"), (840, "about 14 min"), (7200, "about 2 h"),
     (7500, "about 2 h 5 min")],
)  # fmt: skip
def test_duration_words(seconds: float, expected: str) -> None:
    assert words.duration_words(seconds) == expected


def test_the_question_gives_time_and_memory_or_says_the_time_is_unknown() -> None:
    peak = int(3.9 * 2**30)
    measured = estimate.TimeEstimate(840, 840)
    assert words.question(measured, peak) == (
        "This run will take about 14 min and use about 3.9 GB of memory. Run it?"
    )
    assert words.question(None, peak) == (
        "How long this run will take is unknown until its first steps on this computer; "
        "it will use about 3.9 GB of memory. Run it?"
    )
    assert words.question(measured, None) == "This run will take about 14 min. Run it?"
    assert words.advice(measured).startswith("Estimated from the steps of this computer's")
    assert words.advice(None).startswith("The time left shows beside the progress bar")
    rough = estimate.TimeEstimate(7200, 2400, rough=True)
    assert words.time_words(rough) == "roughly 40 min to 2 h"
    assert words.time_words(estimate.TimeEstimate(100, 33, rough=True)) == "roughly 33 s to 2 min"


def test_rate_meter_times_steps_but_not_first_steps_and_small_stages_apart() -> None:
    meter = estimate.RateMeter([(0.05, 2), (0.2, 3)])
    assert meter.rate is None and meter.rough_rate is None
    meter.add(record(1, 1, 1.0))
    meter.add(record(2, 1, 1.5))  # stage 1 is under MIN_MEASURED_MEGAPIXELS: rough only
    assert meter.rate is None
    assert meter.rough_rate == pytest.approx(0.5 / 0.05)
    meter.add(record(3, 2, 5.0))  # the stage's first step traces its graph: not timed
    assert meter.rate is None
    meter.add(record(4, 2, 9.0))
    meter.add(record(5, 2, 13.0))
    assert meter.rate == pytest.approx(8.0 / (2 * 0.2))  # 20 s per step per megapixel
    assert meter.rough_rate == pytest.approx(10.0)  # the small stage's, kept apart


def test_rate_meter_ignores_records_out_of_order_or_of_unknown_stages() -> None:
    meter = estimate.RateMeter([(1.0, 10)])
    meter.add(record(1, 1, 1.0))
    meter.add(record(1, 1, 2.0))  # the same step again
    meter.add(record(3, 2, 9.0))  # a stage the plan lacks
    meter.add(record(4, 2, 8.0))  # time running backwards
    assert meter.rate is None and meter.rough_rate is None

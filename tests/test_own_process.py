"""A run in tiles from a long-lived process goes in a process of its own (nst/run/child.py):
which runs do (sizes alone), and the run over there against the same run here: the same
steps, its stop, checkpoint, refusal and death reported here."""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

import pytest
from PIL import Image

from nst import memory
from nst.run.child import ChildTransfer, ProcessEnded, plan_for_run
from nst.settings import Settings
from nst.settings.checks import SettingsError

GIB = 2**30


def dims_of(settings: Settings) -> tuple[tuple[int, int], tuple[int, int]]:
    with Image.open(settings.content) as content, Image.open(settings.style) as style:
        return content.size, style.size


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """12 GiB free, and this process holding 2 GiB with TensorFlow's pool loaded."""
    monkeypatch.setattr(memory, "available_bytes", lambda *_: 12 * GIB)
    monkeypatch.setattr(memory, "resident_bytes", lambda *_: 2 * GIB)
    monkeypatch.setattr(memory, "allocator_for_tiles", lambda: "pool")


def test_a_run_in_tiles_is_planned_for_its_own_process_and_a_whole_one_for_this(
    machine: None,
) -> None:
    dims = ((4000, 3000), (1000, 800))
    small, whole_here = plan_for_run(Settings(size=512), *dims)
    assert not whole_here and not any(stage.tile for stage in small.values())

    settings = Settings(size=4096)
    plan, own = plan_for_run(settings, *dims)
    here = memory.stage_memory_here(settings, *dims, host_only=True)
    assert own and plan[4096].tile and here[4096].tile
    # Over there: none of this process's 2 GiB, and the system's allocator, whose tiles
    # are larger (fewer, cheaper evaluations) within the same free memory.
    assert max(stage.peak for stage in plan.values()) <= 12 * GIB * memory.HEADROOM
    assert plan[4096].tile > here[4096].tile and plan[4096].cost < here[4096].cost


@pytest.mark.slow
def test_a_run_in_its_own_process_takes_the_same_steps_as_here(
    content_path: str, style_path: str, weights: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from nst.run.session import Transfer

    settings = Settings(
        content=content_path, style=style_path, size=64, iterations=4, init="noise", seed=3
    )
    tiles = {64: 32}
    here = Transfer(settings, weights=weights, tiles=tiles)
    expected = [p.total_loss for p in here.steps()]

    caplog.set_level(logging.INFO)
    child = ChildTransfer(settings, dims_of(settings), tiles=tiles)
    try:
        child.admit()
        child.load()
        child.prepare()
        records = list(child.steps())
        result = child.result()
    finally:
        child.close()
    assert [p.step for p in records] == [1, 2, 3, 4] and {p.tiles for p in records} == {4}
    assert [p.total_loss for p in records] == pytest.approx(expected, rel=1e-4)
    assert result.steps == 4 and not result.stopped and result.image.shape == (48, 64, 3)
    assert result.losses == pytest.approx(here.result().losses, rel=1e-3)
    assert child.weights.describe() == weights.describe() and child.precision.used
    # its log, in this process's: the allocator it chose before TensorFlow loaded there
    assert "with the system's allocator" in caplog.text


@pytest.mark.slow
def test_a_stop_over_there_ends_the_steps_and_leaves_a_checkpoint(
    content_path: str, style_path: str
) -> None:
    settings = Settings(content=content_path, style=style_path, size=48, iterations=50)
    child = ChildTransfer(settings, dims_of(settings))
    try:
        child.admit()
        child.load()
        child.prepare()
        steps = []
        for progress in child.steps():
            steps.append(progress.step)
            if progress.step == 2:
                child.stop()
        state = child.checkpoint()
        result = child.result()
    finally:
        child.close()
    assert steps[:2] == [1, 2] and len(steps) < 50  # it went on at most to the step it was in
    assert result.stopped and result.steps == steps[-1] == state.step
    assert state.image.shape == (36, 48, 3) and child.settings == settings


def test_a_run_too_big_is_refused_here_before_a_process_starts(
    content_path: str, style_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(content=content_path, style=style_path, size=2048, max_memory=1)
    started = []
    monkeypatch.setattr("multiprocessing.context.SpawnProcess.start", started.append)
    with pytest.raises(memory.NotEnoughMemory) as refused:
        ChildTransfer(settings, dims_of(settings))
    assert not started
    assert refused.value.field == "size" and refused.value.fit.max_memory == 1


@pytest.mark.slow
def test_a_run_too_big_over_there_is_refused_here_with_its_facts(
    content_path: str, style_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the memory was free when asked here and taken before the run started there.
    monkeypatch.setattr("nst.run.child.require_fit", lambda *_, **__: None)
    settings = Settings(content=content_path, style=style_path, size=2048, max_memory=1)
    child = ChildTransfer(settings, dims_of(settings))
    try:
        with pytest.raises(memory.NotEnoughMemory) as refused:
            child.admit()
    finally:
        child.close()
    assert refused.value.field == "size" and refused.value.fit.max_memory == 1
    assert "memory limit of 1 GB" in str(refused.value)


@pytest.mark.slow
def test_a_process_killed_over_there_is_one_sentence_here(
    content_path: str, style_path: str
) -> None:
    settings = Settings(content=content_path, style=style_path, size=48, iterations=2)
    child = ChildTransfer(settings, dims_of(settings))
    try:
        child.admit()
        os.kill(child._process.pid, signal.SIGKILL)  # as the system does when memory runs out
        with pytest.raises(ProcessEnded) as gone:
            child.load()
    finally:
        child.close()
    words = str(gone.value)
    assert gone.value.killed and "was killed" in words and "memory" in words
    assert "\n" not in words


@pytest.mark.slow
def test_a_change_asked_here_is_made_over_there_and_a_bad_one_refused_here(
    content_path: str, style_path: str
) -> None:
    settings = Settings(content=content_path, style=style_path, size=48, iterations=3)
    child = ChildTransfer(settings, dims_of(settings))
    try:
        with pytest.raises(SettingsError):
            child.steer("size", 96.0)  # not a weight: the run may not change it
        child.steer("style_weight", 100.0)  # before its first step
        records = list(child.steps())
        result = child.result()
    finally:
        child.close()
    assert records[0].changes == ((0, "style_weight", 100.0),)
    assert result.settings.changes == ((0, "style_weight", 100.0),)
    assert result.settings.style_weight == settings.style_weight  # the recipe replays it

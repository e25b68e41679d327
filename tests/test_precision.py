"""Precision "automatic" (nst/precision.py): resolved from the CPU's flags and the GPU's
compute capability, else by a measured check kept per machine; the recipe and the start
line say which was used, and --precision still forces one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from nst import precision
from nst.settings import PRECISIONS, Settings
from tests.cli_helpers import tiny_run


@pytest.fixture
def machine(monkeypatch, tmp_path):
    """A machine to describe: its CPU flags, its GPU (name, capability) or None, and a
    cache folder in tmp_path; measure_convolutions counts its calls."""
    calls: list[int] = []
    state = {"flags": frozenset({"avx2"}), "gpu": None, "times": (1.0, 9.0)}
    monkeypatch.setattr(precision, "cpu_flags", lambda: state["flags"])
    monkeypatch.setattr(precision, "cpu_model", lambda: "Test CPU")
    monkeypatch.setattr(precision, "gpu_details", lambda: state["gpu"])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    def measure() -> tuple[float, float]:
        calls.append(1)
        return state["times"]

    monkeypatch.setattr(precision, "measure_convolutions", measure)
    state["calls"] = calls
    return state


def test_automatic_is_the_default_and_the_others_stay() -> None:
    assert Settings().precision == "automatic" and PRECISIONS[0] == "automatic"
    assert {"float32", "bfloat16"} <= set(PRECISIONS)  # old recipes keep working
    assert Settings.from_dict({"precision": "bfloat16"}).precision == "bfloat16"


@pytest.mark.parametrize(
    ("flags", "gpu", "used", "words"),
    [
        ({"avx2", "avx512f", "amx_bf16"}, None, "bfloat16", "CPU with AMX"),
        ({"avx512_bf16"}, None, "bfloat16", "CPU with AVX512_BF16"),
        ({"avx2"}, None, "float32", "CPU without AVX512_BF16/AMX"),
        ({"avx2"}, ("A100", (8, 0)), "bfloat16", "compute capability 8.0"),
        ({"amx_bf16"}, ("T4", (7, 5)), "float32", "compute capability 7.5"),  # the GPU runs it
    ],
)
def test_automatic_follows_the_flags(machine, flags, gpu, used, words) -> None:
    machine["flags"], machine["gpu"] = frozenset(flags), gpu
    chosen = precision.resolve("automatic")
    assert (chosen.setting, chosen.used) == ("automatic", used)
    assert words in chosen.reason and not machine["calls"]  # no measurement needed


def test_unknown_hardware_is_measured_once_and_kept(machine, tmp_path) -> None:
    machine["gpu"] = ("Mystery GPU", None)
    machine["times"] = (1.0, 0.3)  # bfloat16 clearly faster
    first = precision.resolve("automatic")
    assert first.used == "bfloat16" and "measured" in first.reason
    kept = json.loads((tmp_path / "nst" / "precision.json").read_text())
    assert list(kept) == ["Test CPU | Mystery GPU"]
    machine["times"] = (1.0, 9.0)  # not asked again: the cache answers
    assert precision.resolve("automatic").used == "bfloat16" and len(machine["calls"]) == 1
    machine["gpu"] = ("Other GPU", None)  # another machine: measured anew
    assert precision.resolve("automatic").used == "float32" and len(machine["calls"]) == 2


def test_an_unwritable_cache_never_fails(machine, monkeypatch, tmp_path) -> None:
    (tmp_path / "nst").write_text("a file where the folder should be")
    machine["flags"] = frozenset()  # flags unknown: measured
    assert precision.resolve("automatic").used == "float32"
    assert precision.resolve("automatic").used == "float32"
    assert len(machine["calls"]) == 2  # nothing kept, so measured again, without an error


def test_a_forced_precision_is_used_and_said(machine) -> None:
    for name in ("float32", "bfloat16"):
        chosen = precision.resolve(name)
        assert (chosen.setting, chosen.used) == (name, name)
        assert chosen.reason == "chosen in the settings"
        assert chosen.words().startswith(f"{name} (as set")


def test_the_measured_check_times_both() -> None:
    f32, bf16 = precision.measure_convolutions(size=16)
    assert f32 > 0 and bf16 > 0


def test_the_recipe_says_which_precision_was_used(
    machine, weights, content_path, style_path
) -> None:
    from nst.run.session import run

    settings = Settings(content=content_path, style=style_path, size=32, iterations=1)
    recipe = run(settings, weights=weights).recipe()
    assert recipe["settings"]["precision"] == "automatic"
    assert recipe["precision_used"] == "float32"
    assert recipe["precision_reason"] == "CPU without AVX512_BF16/AMX"


@pytest.mark.slow  # a real run through the command line
def test_the_cli_start_line_says_it_and_precision_forces_one(
    machine, monkeypatch, run_cli, tmp_path, content_path, style_path
) -> None:
    machine["flags"] = frozenset({"amx_bf16"})  # automatic would pick bfloat16
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # the start line: a terminal's
    code, out, err = run_cli(
        *tiny_run(content_path, style_path, tmp_path, "--precision", "float32")
    )
    assert code == 0, err
    assert "in float32 (as set: chosen in the settings)" in err
    recipe = json.loads(Path(out.strip().splitlines()[-1]).with_suffix(".json").read_text())
    assert recipe["settings"]["precision"] == "float32" and recipe["precision_used"] == "float32"

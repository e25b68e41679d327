"""nst.memory: the activation count by hand, the estimate against measured peaks, the
largest size that fits, and the command line's refusal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gui.error_words import error_words as window_words
from nst import memory, memory_model, tiled_memory
from nst.hardware import BF16_CPU_FLAGS
from nst.settings import Settings
from nst.tf_runtime import gpu_devices
from nst_cli.exits import error_words as cli_words
from nst_cli.main import main

ROOT = Path(__file__).resolve().parent.parent
PAPER_LAYERS = Settings().layers_in_use  # block1_conv1 ... block5_conv1
# On a GPU the check counts the GPU's memory: the host's figures below do not apply there.
HOST_ONLY = pytest.mark.skipif(bool(gpu_devices()), reason="a GPU: its memory is checked")

# Peak RSS (ru_maxrss) of a fresh process running L-BFGS on tubingen.jpg /
# starry_night.jpg with the paper's layers, TensorFlow 2.21 on the 2-core development
# machine (no GPU), each run in a fresh process; these sizes were not used to fit the
# constants in nst/memory.py. 256 and 512 px: `python -m tools.measure_memory 256 512`,
# 2026-12-02, one size, two steps more than L-BFGS keeps pairs (40 at both sizes), so the
# whole history is in the peak. 1024 px: 2026-11-25, 12 steps with 10 pairs (it now keeps
# 14, 4 x 19 MB more; not measured again: 16 steps at 1024 px take about 5 minutes).
# (width, height) -> measured bytes.
MEASURED_PEAKS = {
    (256, 192): 1178 * 2**20,  # estimate 1145 MiB (-2.9%)
    (512, 384): 2000 * 2**20,  # estimate 1936 MiB (-3.2%)
    (1024, 768): 4_337_606_656,  # 4137 MiB; estimate 4631 MiB (+11.9%)
}

# The same, with two styles in two regions (guided Grams; tubingen.jpg's left half in
# The Starry Night, the rest in The Scream): `python -m tools.measure_memory 256 512 1024
# --regions 2`, 2026-12-02, same machine.
MEASURED_REGION_PEAKS = {
    (256, 192): 1_231_028_224,  # 1174 MiB
    (512, 384): 1_982_857_216,  # 1891 MiB
    (1024, 768): 4_176_478_208,  # 3983 MiB
}


def test_activation_values_by_hand() -> None:
    # 32 x 32 to block1_conv2: two 64-channel maps at full size.
    assert memory_model.activation_values(32, 32, ("block1_conv2",)) == 2 * 64 * 32 * 32
    # To block2_conv1: plus the pooled 16 x 16 x 64 map and one 16 x 16 x 128 conv output.
    assert memory_model.activation_values(32, 32, ("block1_conv1", "block2_conv1")) == (
        2 * 64 * 32 * 32 + 64 * 16 * 16 + 128 * 16 * 16
    )
    # The paper's layers at 224 x 224: the well-known VGG19 sizes, through block5_conv1.
    expected = (
        2 * 64 * 224**2 + 64 * 112**2
        + 2 * 128 * 112**2 + 128 * 56**2
        + 4 * 256 * 56**2 + 256 * 28**2
        + 4 * 512 * 28**2 + 512 * 14**2
        + 512 * 14**2
    )  # fmt: skip
    assert memory_model.activation_values(224, 224, PAPER_LAYERS) == expected
    assert memory_model.activation_values(224, 224, ()) == 0


@pytest.mark.parametrize(("dims", "measured"), sorted(MEASURED_PEAKS.items()))
def test_estimate_is_within_25_percent_of_the_measured_peak(dims, measured) -> None:
    estimate = memory_model.peak_bytes(*dims, PAPER_LAYERS, "lbfgs")
    assert abs(estimate - measured) <= 0.25 * measured, (estimate, measured)


@pytest.mark.parametrize(("dims", "measured"), sorted(MEASURED_REGION_PEAKS.items()))
def test_estimate_with_regions_is_within_25_percent_of_the_measured_peak(dims, measured) -> None:
    estimate = memory_model.peak_bytes(*dims, PAPER_LAYERS, "lbfgs", regions=2)
    assert abs(estimate - measured) <= 0.25 * measured, (estimate, measured)
    assert estimate > memory_model.peak_bytes(*dims, PAPER_LAYERS, "lbfgs")


def test_layer_values_count_each_style_layer_once_at_its_own_size() -> None:
    # 32 x 32: block1_conv1 64 maps of 32 x 32; block3_conv1 after two poolings, 256 of 8 x 8.
    assert memory_model.layer_values(32, 32, ("block1_conv1",)) == 64 * 32 * 32
    assert memory_model.layer_values(32, 32, ("block1_conv1", "block3_conv1")) == (
        64 * 32 * 32 + 256 * 8 * 8
    )


def test_a_run_with_regions_is_checked_for_their_memory() -> None:
    regions = Settings(
        content="photo.jpg",
        style="a.jpg",
        extra_styles=(("b.jpg", 1.0),),
        style_masks=("sky.png", ""),
        size=1024,
    )
    plain = regions.replace(style_masks=())

    def needed(settings: Settings) -> int:
        return memory.check(settings, (1024, 768), (1024, 640), available=10**13, resident=0).needed

    assert needed(regions) > needed(plain)


def test_estimate_grows_with_size_depth_and_optimizer_state() -> None:
    small = memory_model.peak_bytes(256, 192, PAPER_LAYERS, "lbfgs")
    assert memory_model.peak_bytes(512, 384, PAPER_LAYERS, "lbfgs") > small
    assert memory_model.peak_bytes(256, 192, ("block1_conv1",), "lbfgs") < small
    assert memory_model.peak_bytes(256, 192, PAPER_LAYERS, "sgd") < small
    # A style image much larger than the working size is what sets the peak.
    assert memory_model.peak_bytes(256, 192, PAPER_LAYERS, "lbfgs", (2048, 1536)) > small


def test_largest_size_that_fits_is_the_largest() -> None:
    settings = Settings(size=4000)
    available = 3 * 2**30
    fit = memory.check(settings, (1024, 768), (1024, 640), available=available, resident=0)
    assert not fit.fits and fit.needed > available
    size = fit.largest_size
    assert size and 16 < size < 4000
    at = memory.check(
        settings.replace(size=size), (1024, 768), (1024, 640), available=available, resident=0
    )
    above = memory.check(
        settings.replace(size=size + 1), (1024, 768), (1024, 640), available=available, resident=0
    )
    assert at.fits and at.needed <= available * memory.HEADROOM
    assert above.needed > available * memory.HEADROOM
    refusal = memory.NotEnoughMemory(fit, settings)
    assert (refusal.field, refusal.value, refusal.fit) == ("size", 4000, fit)
    for text in (str(refusal), cli_words(refusal), window_words(refusal)):
        assert f" {size}" in text and "\n" not in text and text.endswith(".")
        assert "4000 px" in text
    # The engine states the numbers; only a face says which option or field to change.
    assert "--" not in str(refusal) and "Output size" not in str(refusal)
    assert f"choose --size {size} or less" in cli_words(refusal)
    assert f"set the Output size to at most {size} px" in window_words(refusal)


def test_memory_already_held_counts_and_unknown_free_memory_never_refuses(monkeypatch) -> None:
    settings = Settings(size=512)
    fresh = memory.check(settings, (1024, 768), (1024, 640), available=10**12, resident=0)
    warm = memory.check(settings, (1024, 768), (1024, 640), available=10**12, resident=2**30)
    assert warm.needed == fresh.needed - 2**30
    monkeypatch.setattr(memory, "available_bytes", lambda *_: None)  # not known here
    unknown = memory.check(settings.replace(size=8000), (1024, 768), (1024, 640), resident=0)
    assert unknown.fits  # no figure, no refusal: never block a run on a guess
    nothing = memory.check(settings, (1024, 768), (1024, 640), available=1, resident=0)
    assert not nothing.fits and nothing.largest_size == 0
    for words in (cli_words, window_words):
        assert "close other programs" in words(memory.NotEnoughMemory(nothing, settings))


def test_a_run_its_memory_limit_bounds_says_to_raise_the_limit_not_to_close_programs() -> None:
    limited = Settings(size=4000, max_memory=1.0)
    fit = memory.check(limited, (1024, 768), (1024, 640), available=10**12, resident=0)
    assert not fit.fits and fit.max_memory == 1.0 and fit.largest_size
    refusal = memory.NotEnoughMemory(fit, limited)
    assert cli_words(refusal).endswith(
        f"choose --size {fit.largest_size} or less, or raise --max-memory."
    )
    assert window_words(refusal).endswith(
        f"set the Output size to at most {fit.largest_size} px, or raise the Memory limit."
    )
    # the same limit known before the device is (the window's GUI thread): the same verdict
    alone = memory.check(limited, (1024, 768), (1024, 640), limit_only=True)
    assert (alone.fits, alone.largest_size, alone.max_memory) == (False, fit.largest_size, 1.0)
    assert memory.check(Settings(size=4000), (1024, 768), (1024, 640), limit_only=True).fits


def test_the_fit_carries_the_whole_peak_whatever_is_already_held() -> None:
    # The question before a long run shows the run's whole peak, not the part still to come.
    settings = Settings(size=512)
    peak = memory_model.peak_bytes(
        *memory_model.work_dims(1024, 768, 512),
        settings.layers_in_use,
        "lbfgs",
        memory_model.work_dims(1024, 640, 512),
    )
    for available, resident in ((10**12, 0), (10**12, 2**30), (None, 10**13)):
        fit = memory.check(
            settings, (1024, 768), (1024, 640), available=available, resident=resident
        )
        assert fit.peak == peak


def test_a_run_that_fits_nowhere_quotes_what_its_smallest_tiles_need() -> None:
    # Not the whole image's figure: the least a run at that size can do with.
    settings = Settings(size=8192)
    dims = (4096, 3072), (1024, 640)
    fit = memory.check(settings, *dims, available=8 * 2**30, resident=0)
    assert not fit.fits and fit.largest_size
    least = tiled_memory.run_memory(settings, *dims, 0, least=True)
    last = least[8192]
    assert (last.tile, last.history) == (tiled_memory.TILE_SIZES[-1], 3)
    assert fit.peak == max(stage.peak for stage in least.values())
    assert fit.peak < memory.run_peak(settings, *dims) / 4  # the whole image's


def test_working_size_is_what_is_offered_when_set() -> None:
    settings = Settings(size=4000, work_size=3000)
    fit = memory.check(settings, (1024, 768), (1024, 640), available=3 * 2**30, resident=0)
    refusal = memory.NotEnoughMemory(fit, settings)
    assert refusal.field == "work_size" and refusal.value == 3000
    assert "choose --work-size " in cli_words(refusal)
    assert "set the Working size to at most" in window_words(refusal)


def test_require_fit_raises_the_numbers_and_the_peak_needs_no_machine(monkeypatch) -> None:
    settings = Settings(size=4000)
    monkeypatch.setattr(memory, "available_bytes", lambda *_: 3 * 2**30)
    monkeypatch.setattr(memory, "resident_bytes", lambda *_: 0)
    with pytest.raises(memory.NotEnoughMemory) as info:
        memory.require_fit(settings, (1024, 768), (1024, 640))
    assert not info.value.fit.fits and info.value.cell is None
    # The window's question computes the peak on its GUI thread: sizes alone, the same
    # figure as the check's.
    plan = memory.stage_memory_here(settings, (1024, 768), (1024, 640), host_only=True)
    assert max(stage.peak for stage in plan.values()) == info.value.fit.peak
    assert memory.require_fit(settings.replace(size=64), (1024, 768), (1024, 640)).fits


@HOST_ONLY
def test_free_memory_is_read_from_proc_meminfo() -> None:
    free = memory.available_bytes()
    if Path("/proc/meminfo").exists():
        text = Path("/proc/meminfo").read_text()
        line = next(row for row in text.splitlines() if row.startswith("MemAvailable"))
        kb = int(line.split()[1])
        assert abs(free - kb * 1024) < 2**30  # read moments apart
    assert free is None or free > 0
    assert memory.resident_bytes() >= 0


@pytest.mark.slow  # a real run through the command line
def test_cli_refuses_a_run_that_does_not_fit(
    tmp_path, capsys, monkeypatch, content_path, style_path
) -> None:
    monkeypatch.setattr(memory, "available_bytes", lambda *_: 3 * 2**30)
    monkeypatch.setattr(memory, "resident_bytes", lambda *_: 0)
    out_dir = tmp_path / "out"
    code = main(
        [
            "--content",
            content_path,
            "--style",
            style_path,
            "--output-dir",
            str(out_dir),
            "--size",
            "4000",
            "--iterations",
            "2",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: A run at 4000 px needs about")
    assert "choose --size " in err and " or less" in err
    assert not any(out_dir.iterdir())


@HOST_ONLY
@pytest.mark.slow  # a real run in a subprocess
def test_the_estimate_holds_for_a_real_run_at_96_px() -> None:
    """One real measurement in the suite (the three large ones are in MEASURED_PEAKS)."""
    done = subprocess.run(
        [sys.executable, "-m", "tools.measure_memory", "--child", "96"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    m = json.loads(done.stdout.strip().splitlines()[-1])
    estimate = memory_model.peak_bytes(m["width"], m["height"], PAPER_LAYERS, "lbfgs")
    assert abs(estimate - m["peak"]) <= 0.25 * m["peak"], (estimate, m["peak"])


class _Device:
    def __init__(self, device_type: str, memory_limit: int) -> None:
        self.device_type, self.memory_limit = device_type, memory_limit


def test_on_a_gpu_the_gpu_memory_is_counted_and_unknown_skips_the_check(
    monkeypatch, tmp_path
) -> None:
    from tensorflow.python.client import device_lib

    import nst.tf_runtime
    from nst.tf_runtime import tf

    (tmp_path / "0000:01:00.0").mkdir()  # the driver's entry for one GPU
    monkeypatch.setattr(memory, "NVIDIA_GPUS", tmp_path)
    monkeypatch.setattr(nst.tf_runtime, "gpu_devices", lambda: ("GPU:0",))
    monkeypatch.setattr(
        tf.config.experimental, "get_memory_info", lambda device: {"current": 2**30, "peak": 2**30}
    )
    devices = [_Device("CPU", 0), _Device("GPU", 16 * 2**30)]
    monkeypatch.setattr(device_lib, "list_local_devices", lambda: devices)
    assert memory.available_bytes() == 15 * 2**30  # the GPU's, less what TensorFlow holds
    assert memory.resident_bytes() == 2**30
    fit = memory.check(Settings(size=512), (1024, 768), (1024, 640))
    assert fit.available == 15 * 2**30
    devices[1] = _Device("GPU", 0)  # TensorFlow cannot say: no check, never a refusal
    assert memory.available_bytes() is None
    assert memory.check(Settings(size=8000), (1024, 768), (1024, 640)).fits


def test_without_a_gpu_the_host_memory_is_counted(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(memory, "NVIDIA_GPUS", tmp_path / "absent")
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)  # the window before a run
    assert memory.gpu_memory() is None


def test_a_process_that_keeps_onednns_pool_plans_with_the_pools_figures(monkeypatch) -> None:
    # A window whose instant preview loaded TensorFlow first keeps the pool
    # (nst.allocator.allocator_for_tiles): its stages in tiles need more room, so they
    # take smaller tiles within the same memory.
    settings, dims = Settings(size=4096), ((4096, 3072), (4096, 3072))
    monkeypatch.setattr(memory, "available_bytes", lambda *_: 20 * 2**30)
    monkeypatch.setattr(memory, "resident_bytes", lambda *_: 0)
    plans = {}
    for allocator in ("system", "pool"):
        monkeypatch.setattr(memory, "allocator_for_tiles", lambda name=allocator: name)
        plans[allocator] = memory.stage_memory_here(settings, *dims)[4096]
        fit = memory.check(settings, *dims)
        assert fit.fits and fit.peak <= memory.HEADROOM * 20 * 2**30
    assert plans["pool"].tile < plans["system"].tile


@pytest.mark.parametrize(
    ("setting", "flags", "gpu", "expected", "whole", "tile"),
    [
        ("automatic", "avx512f avx512_bf16", False, "bfloat16", "float32-avx512", 1536),
        ("bfloat16", "avx512f amx_bf16", False, "bfloat16", "bfloat16", 1536),
        ("float32", "avx512f avx512_bf16", False, "float32-avx512", "float32-avx512", 1536),
        ("automatic", "avx512f", False, "float32-avx512", "float32-avx512", 1536),  # float32
        ("automatic", "avx2", False, "float32", "float32", 768),  # AVX2 alone: its own figures
        ("bfloat16", "avx2", False, "float32", "float32", 768),  # emulated: not measured
        ("automatic", "avx512f avx512_bf16", True, "float32", "float32", 768),  # a GPU runs it
    ],
)
def test_stages_are_estimated_by_the_figures_of_the_kernels_that_compute_them(
    monkeypatch, setting, flags, gpu, expected, whole, tile
) -> None:
    have = set(flags.split())
    monkeypatch.setattr(memory, "cpu_has_fast_bfloat16", lambda: bool(have & BF16_CPU_FLAGS.keys()))
    monkeypatch.setattr(memory, "cpu_has_avx512", lambda: "avx512f" in have)
    monkeypatch.setattr(memory, "_nvidia_gpu", lambda: gpu)
    settings = Settings(size=4096, precision=setting)
    assert memory.tile_kernels(settings) == expected
    assert memory.whole_kernels(settings) == whole
    # a whole stage counts its own: within 12 GiB a 2048 px stage goes whole on a CPU
    # with AVX-512, in tiles where only the figures of a machine not measured apply
    at_2048 = Settings(size=2048, precision=setting)
    budget = 12 * 2**30
    plan = memory._plan_or_least(at_2048, (4096, 3072), (1024, 640), budget, allocator="system")
    assert (plan[2048].tile is None) == (whole != "float32"), plan[2048]
    # and the plan counts those figures: within 11.5 GiB a 4096 px stage goes in tiles of
    # 1536 px where a tile takes bfloat16's or AVX-512's float32 figures, of 768 otherwise
    dims = (4096, 3072), (1024, 640)
    free = int(11.5 * 2**30 / memory.HEADROOM) + 1
    assert memory.check(settings, *dims, available=free, resident=0).fits
    plan = memory._plan_or_least(settings, *dims, memory.budget_bytes(settings, free, 0))
    assert plan[4096].tile == tile

"""Will a run fit in memory? Its peak from the sizes alone (memory_model.py, and
tiled_memory.py for the stages that must be evaluated in tiles), against what this machine
has free and what the run was given (the max_memory setting), before it starts.

NumPy-free and TensorFlow-free on purpose: the command line calls it before TensorFlow is
imported, and the window computes the peak (run_peak, sizes alone) on its GUI thread. On a
machine with an NVIDIA GPU (TensorFlow then runs there) the check counts the GPU's memory
instead of the host's and imports TensorFlow to ask it, so the window checks on the run's
own thread (gui/workers/run_worker.py). A run that would not fit even in tiles raises
NotEnoughMemory: numbers, which each face words in its own terms.
"""

from __future__ import annotations

import logging
import math
import os
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from nst.allocator import allocator_for_tiles, choose_allocator
from nst.errors import NstError
from nst.hardware import cpu_has_avx512, cpu_has_fast_bfloat16
from nst.settings import MIN_SIZE, Settings
from nst.tiled_memory import StageMemory, run_memory

log = logging.getLogger(__name__)


# Leave this much of the available memory free: the window, the desktop and the page cache
# need some, and the estimate is within 25% (tests/test_memory.py), not exact.
HEADROOM = 0.9


@dataclass(frozen=True)
class Fit:
    """The verdict for one run: bytes needed beyond what the process holds, bytes free."""

    needed: int
    available: int | None  # free now; None: unknown on this system
    largest_size: int | None  # the largest longest side that fits; None if it fits as asked
    peak: int = 0  # the run's whole estimated peak, bytes (shown before a long run)
    # what the run may add to the process: HEADROOM of the free memory, and no more than
    # the max_memory setting allows; None: neither is known (no check is made)
    limit: int | None = None
    max_memory: float | None = None  # the setting, GB, when it is what bounds the run

    @property
    def fits(self) -> bool:
        return self.limit is None or self.needed <= self.limit


# The NVIDIA driver lists each GPU here on Linux: a GPU machine is known without
# importing TensorFlow (which would cost seconds on every machine).
NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")


def gpu_memory() -> tuple[int | None, int] | None:
    """(bytes TensorFlow may allocate on its first GPU or None if it cannot say, bytes it
    holds there now) where TensorFlow sees a GPU; None where it runs on the CPU.

    Imports TensorFlow where a GPU driver is present, which takes seconds and starts CUDA:
    the window calls it on a worker's thread only."""
    if not _nvidia_gpu() and "tensorflow" not in sys.modules:
        return None  # no GPU driver and TensorFlow not loaded: the host's memory it is
    return tensorflow_gpu_memory()


def tensorflow_gpu_memory() -> tuple[int | None, int] | None:
    """What TensorFlow says of its first GPU, as gpu_memory returns it (TensorFlow is
    imported here: the GPU branch only)."""
    from nst.tf_runtime import gpu_devices, tf

    if not gpu_devices():
        return None
    try:
        held = int(tf.config.experimental.get_memory_info("GPU:0")["current"])
    except (ValueError, RuntimeError, KeyError):
        held = 0
    try:
        # The limit TensorFlow's allocator took for the GPU when it started (about the
        # memory free then); the public API reports only what is in use.
        from tensorflow.python.client import device_lib

        limits = [d.memory_limit for d in device_lib.list_local_devices() if d.device_type == "GPU"]
        if limits and limits[0]:
            return int(limits[0]), held
        reason = "TensorFlow reports no limit"
    except Exception as exc:  # noqa: BLE001 (a private API: any failure means "unknown")
        reason = str(exc)
    log.info("the GPU's memory is unknown (%s): no memory check", reason)
    return None, held


def available_bytes(host_only: bool = False) -> int | None:
    """Memory a new allocation can get without swapping: on a GPU what TensorFlow's
    allocator has left there (None: unknown, no check); else MemAvailable on Linux;
    elsewhere the free physical pages where the OS reports them; else None (unknown).
    ``host_only``: the host's, never asking TensorFlow (the window's GUI thread)."""
    gpu = None if host_only else gpu_memory()
    if gpu is not None:
        limit, held = gpu
        return None if limit is None else max(0, limit - held)
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024  # the kernel writes kB
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def resident_bytes(host_only: bool = False) -> int:
    """This process's resident memory now (0 where it cannot be read): the part of a run's
    peak it already holds, such as TensorFlow and the weights after a first run. On a GPU,
    what TensorFlow holds there (``host_only``: the host's, as available_bytes)."""
    gpu = None if host_only else gpu_memory()
    if gpu is not None:
        return gpu[1]
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0


def budget_bytes(
    settings: Settings,
    available: int | None = None,
    resident: int | None = None,
    host_only: bool = False,
) -> int | None:
    """The peak, in bytes, a run of ``settings`` may reach: what this process holds and
    HEADROOM of what is free, and never more than ``settings.max_memory`` (GB). None when
    neither is known (no limit: no tiles, no check). ``available`` and ``resident`` default
    to this machine's figures (on a GPU machine asking them imports TensorFlow, unless
    ``host_only``)."""
    free = available_bytes(host_only) if available is None else available
    held = resident_bytes(host_only) if resident is None else resident
    machine = None if free is None else held + int(free * HEADROOM)
    given = None if settings.max_memory is None else int(settings.max_memory * 2**30)
    if given is None or machine is None:
        return machine if given is None else given
    return min(given, machine)


def where_it_runs(
    own_process: bool,
    *,
    host_only: bool = False,
    available: int | None = None,
    resident: int | None = None,
) -> tuple[int | None, int, str]:
    """What the process that will run has to plan with: the memory free, what it holds
    already, and the allocator its tiles will have. In this process: this machine's figures
    (``host_only``, ``available`` and ``resident``: see budget_bytes) and this process's
    allocator. In a process of its own (nst.run.child, ``own_process``): it holds none of
    this one's memory, tiles with the system's allocator, and is planned from the host's
    figures, since no TensorFlow here is asked for it."""
    if own_process:
        return available_bytes(True) if available is None else available, 0, "system"
    free = available_bytes(host_only) if available is None else available
    held = resident_bytes(host_only) if resident is None else resident
    return free, held, allocator_for_tiles()


def stage_memory_here(
    settings: Settings,
    content_dims: tuple[int, int],
    style_dims: tuple[int, int],
    host_only: bool = False,
    own_process: bool = False,
) -> dict[int, StageMemory]:
    """Each stage's memory plan (tiled_memory.run_memory) within the memory this machine
    and the max_memory setting leave the run; the plan that needs least where it would not
    fit even in tiles (the faces refuse such a run before: require_fit). ``host_only``:
    see budget_bytes. ``own_process``: the plan of the run in a process of its own
    (where_it_runs)."""
    free, held, allocator = where_it_runs(own_process, host_only=host_only)
    budget = budget_bytes(settings, free, held)
    return _plan_or_least(settings, content_dims, style_dims, budget, allocator=allocator)


def admit_run(
    settings: Settings, content_dims: tuple[int, int], style_dims: tuple[int, int]
) -> dict[int, StageMemory]:
    """Before a run in this process: NotEnoughMemory unless it fits; else its plan, with
    the allocator the plan wants chosen (nst.allocator.choose_allocator: this must come
    before TensorFlow's first import to count)."""
    require_fit(settings, content_dims, style_dims)
    plan = stage_memory_here(settings, content_dims, style_dims, host_only=True)
    choose_allocator(any(stage.tile for stage in plan.values()))
    return plan


def _plan_or_least(
    settings: Settings,
    content_dims: tuple[int, int],
    style_dims: tuple[int, int],
    budget: int | None,
    size: int | None = None,
    allocator: str | None = None,
) -> dict[int, StageMemory]:
    """run_memory's plan within ``budget``; where none fits, the plan that needs least
    (the smallest tiles, the fewest pairs), whose peak a refusal quotes. ``allocator``:
    the tiles' (default: this process's, allocator_for_tiles)."""
    # the pool's estimate where TensorFlow has it already
    kind = estimate_kind(settings, allocator or allocator_for_tiles())
    plan = run_memory(settings, content_dims, style_dims, budget, size, **kind)
    if plan is None:
        log.info("the run does not fit in %s bytes even in tiles", budget)
        plan = run_memory(settings, content_dims, style_dims, budget, size, least=True, **kind)
    return plan or {}


def estimate_kind(settings: Settings, allocator: str) -> dict[str, str]:
    """The figures that estimate the stages of a run of ``settings`` (run_memory's keywords):
    its tiles' ``allocator`` and the kernels that compute its tiles and its whole stages."""
    return {
        "allocator": allocator,
        "kernels": tile_kernels(settings),
        "whole_kernels": whole_kernels(settings),
    }


def whole_kernels(settings: Settings) -> str:
    """Whose figures estimate a whole stage (memory_model.WHOLE_VALUE_BYTES): those of
    tile_kernels, but "automatic" that computes in bfloat16 may go on in float32 within a
    whole stage (nst.run.session), holding both: float32's figures, which are above the
    peaks of such runs too."""
    kernels = tile_kernels(settings)
    if kernels == "bfloat16" and settings.precision == "automatic":
        return float32_kernels()
    return kernels


def tile_kernels(settings: Settings) -> str:
    """Whose figures estimate a stage in tiles (tiled_memory.TILE_VALUE_BYTES), from the
    CPU's flags without TensorFlow: "bfloat16" where the settings ask for it or
    "automatic" would choose it (nst.precision) and the CPU computes it natively (a stage
    in tiles then stays in it to its end, nst.run.session); "float32-avx512" where it
    computes in float32 on a CPU with AVX-512; "float32", the larger figures, on any other
    machine (AVX2 alone, other CPUs, a GPU, bfloat16 emulated)."""
    if _nvidia_gpu():
        return "float32"
    if settings.precision != "float32" and cpu_has_fast_bfloat16():
        return "bfloat16"
    return float32_kernels()


def float32_kernels() -> str:
    """Whose figures estimate float32 here: "float32-avx512" on a CPU with AVX-512, else
    "float32", those of a machine not measured."""
    return "float32-avx512" if cpu_has_avx512() else "float32"


def _nvidia_gpu() -> bool:
    """Whether the NVIDIA driver lists a GPU (TensorFlow then runs there)."""
    try:
        return NVIDIA_GPUS.is_dir() and any(NVIDIA_GPUS.iterdir())
    except OSError:
        return False


def run_peak(
    settings: Settings,
    content_dims: tuple[int, int],
    style_dims: tuple[int, int],
    size: int | None = None,
    budget: int | None = None,
    allocator: str | None = None,
) -> int:
    """The estimated peak of the run ``settings`` describe at working size ``size``
    (default its own), from the images' own (width, height), its stages tiled as they
    must be to stay within ``budget`` bytes (None: none tiled) with ``allocator`` (see
    _plan_or_least): sizes alone, no TensorFlow. A run that cannot fit gets the estimate
    of the plan that needs least."""
    plan = _plan_or_least(settings, content_dims, style_dims, budget, size, allocator)
    return max(stage.peak for stage in plan.values())


def check(
    settings: Settings,
    content_dims: tuple[int, int],
    style_dims: tuple[int, int],
    *,
    available: int | None = None,
    resident: int | None = None,
    own_process: bool = False,
    limit_only: bool = False,
) -> Fit:
    """Whether the run ``settings`` describe fits in memory, its stages tiled where they
    must be (tiled_memory.run_memory), and if not the largest working size that does.
    ``content_dims`` and ``style_dims`` are the images' own (width, height); ``available``
    and ``resident`` default to this machine's figures (see budget_bytes).
    ``own_process``: the run in a process of its own (where_it_runs). ``limit_only``:
    against the max_memory setting alone, not this machine's free memory: what is known
    before the device is (the window's GUI thread, which never asks TensorFlow)."""
    free, held, tiles_in = where_it_runs(own_process, available=available, resident=resident)
    if limit_only:
        free = None
    budget = budget_bytes(settings, free, held)
    size = settings.resolved_work_size

    kind = estimate_kind(settings, tiles_in)

    def fits(at: int) -> bool:
        return run_memory(settings, content_dims, style_dims, budget, at, **kind) is not None

    peak = run_peak(settings, content_dims, style_dims, size, budget, tiles_in)
    limit = None if budget is None else max(0, budget - held)
    machine = None if free is None else held + int(free * HEADROOM)
    given = settings.max_memory if machine is None or budget != machine else None
    verdict = partial(Fit, max(0, peak - held), free, peak=peak, limit=limit, max_memory=given)
    if budget is None or fits(size):
        return verdict(None)
    low, high = MIN_SIZE, size  # the largest size in [MIN_SIZE, size) that fits
    if not fits(low):
        return verdict(0)
    while high - low > 1:
        mid = (low + high) // 2
        if fits(mid):
            low = mid
        else:
            high = mid
    return verdict(low)


class NotEnoughMemory(NstError):
    """A run that would not fit in the free memory, refused before it starts: the numbers,
    for each face to word in its own terms (an option, a field of the window, a cell).

    ``field``: the setting that sets the working size ("work_size" when it is set, else
    "size"); ``value``: the working size asked; ``cell``: the sweep's cell, if one."""

    def __init__(self, fit: Fit, settings: Settings, cell: Any = None) -> None:
        self.fit = fit
        self.settings = settings
        self.cell = cell
        self.field = "work_size" if settings.work_size is not None else "size"
        self.value = settings.resolved_work_size
        fits = f"; at most {fit.largest_size} px fits" if fit.largest_size else ""
        super().__init__(f"{shortfall_words(fit, self.value)}{fits}.")

    def __reduce__(self) -> tuple[Any, ...]:
        # whole across processes (nst.run.child): rebuilt from its facts, not its words
        return (type(self), (self.fit, self.settings, self.cell))


def require_fit(
    settings: Settings,
    content_dims: tuple[int, int],
    style_dims: tuple[int, int],
    *,
    cell: Any = None,
    own_process: bool = False,
) -> Fit:
    """check(), raising NotEnoughMemory when the run would not fit."""
    fit = check(settings, content_dims, style_dims, own_process=own_process)
    if not fit.fits:
        raise NotEnoughMemory(fit, settings, cell)
    return fit


def gib(value: int) -> str:
    """Bytes in words: '3.2 GB' (GiB, the unit system monitors show)."""
    return f"{value / 2**30:.1f} GB" if value >= 2**30 / 10 else f"{math.ceil(value / 2**20)} MB"


def shortfall_words(fit: Fit, size: int) -> str:
    """'A run at 2000 px needs about 3.2 GB of memory but only 1.1 GB is free': the
    numbers, which every face says the same way (what to do is each face's own)."""
    if fit.max_memory is not None:
        return (
            f"A run at {size} px needs about {gib(fit.peak)} of memory even in tiles, "
            f"more than its memory limit of {fit.max_memory:g} GB"
        )
    return (
        f"A run at {size} px needs about {gib(fit.needed)} of memory but only "
        f"{gib(int(fit.available or 0))} is free"
    )

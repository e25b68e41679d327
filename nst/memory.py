"""Will a run fit in memory? An estimate of its peak, from the sizes alone, before it starts.

A run's memory is a fixed part (the Python process with TensorFlow loaded, the VGG19
weights and the compiled loss) plus a part that grows with the pixel count: VGG19's
activations at every conv layer up to the deepest one in use, kept for the gradient, the
gradient's own tensors and TensorFlow's temporaries, and the optimizer's image-sized
vectors. The activation count is exact (``activation_values``); the factors that turn it
into bytes were measured (``tools/measure_memory.py``; numbers in the constants' comments
and in docs/robustness.md).

NumPy-free and TensorFlow-free on purpose: the command line calls it before TensorFlow is
imported, and the window computes the peak (run_peak, sizes alone) on its GUI thread. On a
machine with an NVIDIA GPU (TensorFlow then runs there) the check counts the GPU's memory
instead of the host's and imports TensorFlow to ask it, so the window checks on the run's
own thread (gui/workers/run_worker.py). A run that would not fit raises NotEnoughMemory:
numbers, which each face words in its own terms.
"""

from __future__ import annotations

import logging
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nst.errors import NstError
from nst.imaging.resize import longest_dims
from nst.settings import MIN_SIZE, Settings
from nst.vgg.layers import BLOCK_CHANNELS, CONV_LAYERS, PAPER_STYLE_LAYERS

log = logging.getLogger(__name__)

# Bytes per value: the engine computes in float32.
_FLOAT_BYTES = 4

# Peak RSS of a run = FIXED_BYTES + PER_VALUE_BYTES * activation values + optimizer state.
# Fitted by least squares on the peak RSS (ru_maxrss of a fresh process, 12 L-BFGS steps,
# tubingen.jpg / starry_night.jpg, the paper's layers, TensorFlow 2.21 on the 2-core x86
# development machine) at 64, 128, 384 and 768 px: 849, 931, 1470 and 2932 MiB
# (`python -m tools.measure_memory --fit 64 128 384 768`). Checked at 256, 512 and 1024 px,
# sizes not in the fit (tests/test_memory.py). About 0.9 GB is TensorFlow, the weights and
# the compiled graph; 14.5 bytes a value is 3.6 float32 copies of every activation: the
# forward output, the gradient flowing back, and the ReLU/conv temporaries.
FIXED_BYTES = 923_903_276
PER_VALUE_BYTES = 14.50

# Image-sized float32 vectors each optimizer keeps besides the image and its gradient
# (nst/optim): Adam m and v; RMSprop and SGD one; Adadelta two accumulators; L-BFGS
# the line search's trial point and direction, plus its correction pairs (lbfgs_history).
OPTIMIZER_VECTORS = {"lbfgs": 2, "adam": 2, "adadelta": 2, "rmsprop": 1, "sgd": 1}

# L-BFGS keeps this many correction pairs (s, y: two image-sized vectors each), as many as
# LBFGS_HISTORY_BYTES hold, from scipy's default m = 10 up to 40: at 256 px 40 pairs
# reached a given loss in fewer evaluations than 10, and 100 did no better than 40 while
# taking longer a step (issue 4 has the figures). The budget gives 40 pairs up to about
# 610x458 px (4:3), 14 at 1024x768 (19 MB a pair) and 10 from 1536x1152 up (75 MB a pair
# at 2048x1536).
LBFGS_MIN_HISTORY = 10
LBFGS_MAX_HISTORY = 40
LBFGS_HISTORY_BYTES = 256 * 2**20


def lbfgs_history(values: int) -> int:
    """The L-BFGS correction pairs kept for an image of ``values`` floats (H * W * 3)."""
    pair_bytes = 2 * values * _FLOAT_BYTES
    fits = LBFGS_HISTORY_BYTES // max(1, pair_bytes)
    return int(max(LBFGS_MIN_HISTORY, min(LBFGS_MAX_HISTORY, fits)))


def steps_to_fill_history(content: str, size: int) -> int:
    """L-BFGS steps after which a run of ``content`` at ``size`` px holds its whole history
    (two more than its pairs), for measurements of the peak memory."""
    from PIL import Image

    with Image.open(content) as image:
        width, height = work_dims(*image.size, size)
    return lbfgs_history(width * height * 3) + 2


def optimizer_vectors(optimizer: str, values: int) -> int:
    """Image-sized vectors ``optimizer`` keeps for an image of ``values`` floats."""
    extra = 2 * lbfgs_history(values) if optimizer == "lbfgs" else 0
    return OPTIMIZER_VECTORS.get(optimizer, 2) + extra


# Regions (guided Grams, losses.guided_grams): per region and style layer, the layer's
# output times the region's mask is made for the Gram and its gradient. TensorFlow frees
# most of it before the peak: two regions added 0 MiB at 256 px, 107 MiB at 512 px and
# 93 MiB at 1024 px to the measured peak, 0.5 to 2.3 bytes per region and style-layer
# value (python -m tools.measure_memory 256 512 1024 --regions 2). One byte keeps the
# estimate within 3% at 512 px and on the safe side at 1024 px (+19%).
REGION_BYTES_PER_VALUE = 1.0
DEFAULT_STYLE_LAYERS = tuple(PAPER_STYLE_LAYERS)

# Leave this much of the available memory free: the window, the desktop and the page cache
# need some, and the estimate is within 25% (tests/test_memory.py), not exact.
HEADROOM = 0.9


@dataclass(frozen=True)
class Fit:
    """The verdict for one run: bytes needed beyond what the process holds, bytes free."""

    needed: int
    available: int | None  # None: unknown on this system (no check is made)
    largest_size: int | None  # the largest longest side that fits; None if it fits as asked
    peak: int = 0  # the run's whole estimated peak, bytes (shown before a long run)

    @property
    def fits(self) -> bool:
        return self.available is None or self.needed <= self.available


def work_dims(width: int, height: int, size: int) -> tuple[int, int]:
    """(width, height) once the longest side is scaled to ``size``: resize_longest's own
    arithmetic (nst.imaging.resize.longest_dims), in the (width, height) order here."""
    height, width = longest_dims((height, width), size)
    return width, height


def activation_values(width: int, height: int, layers: tuple[str, ...]) -> int:
    """How many float values VGG19's forward pass makes for a ``width`` x ``height`` image,
    through the deepest of ``layers``: each conv layer's output and each pooling output."""
    if not layers:
        return 0
    deepest = max(CONV_LAYERS.index(name) for name in layers)
    total = 0
    w, h, block = width, height, 1
    for name in CONV_LAYERS[: deepest + 1]:
        this_block = int(name[5])  # "block3_conv2" -> 3
        while block < this_block:  # a 2x2 max pool ("VALID": floor) between blocks
            w, h, block = w // 2, h // 2, block + 1
            total += w * h * BLOCK_CHANNELS[block - 1]
        total += w * h * BLOCK_CHANNELS[block]
    return total


def peak_bytes(
    width: int,
    height: int,
    layers: tuple[str, ...],
    optimizer: str,
    style_dims: tuple[int, int] | None = None,
    regions: int = 0,
    style_layers: tuple[str, ...] | None = None,
) -> int:
    """The estimated peak resident memory of a whole run at this working size, in bytes.

    ``style_dims``: the style image's working (width, height); its forward pass (no
    gradient) happens once before the loop, so it matters only when it is much larger.
    ``regions``: the number of masked styles (guided Grams keep a masked copy of each style
    layer's output per region, and its gradient); ``style_layers`` those layers (default:
    the paper's).
    """
    loop = network_bytes(width, height, layers, regions, style_layers)
    values = width * height * 3
    loop += optimizer_vectors(optimizer, values) * values * _FLOAT_BYTES
    if style_dims is not None:
        # Forward only, so about a third of a step's factor: no gradient, no kept inputs.
        style = PER_VALUE_BYTES / 3 * activation_values(*style_dims, layers)
        loop = max(loop, style)
    return int(FIXED_BYTES + loop)


def network_bytes(
    width: int,
    height: int,
    layers: tuple[str, ...],
    regions: int = 0,
    style_layers: tuple[str, ...] | None = None,
) -> float:
    """What an evaluation through VGG19 holds for a ``width`` x ``height`` image: its
    activations, their gradients and temporaries, and the masked copies per region."""
    loop = PER_VALUE_BYTES * activation_values(width, height, layers)
    if regions:
        names = style_layers if style_layers is not None else DEFAULT_STYLE_LAYERS
        loop += REGION_BYTES_PER_VALUE * regions * layer_values(width, height, names)
    return loop


def layer_values(width: int, height: int, layers: tuple[str, ...]) -> int:
    """How many float values the outputs of ``layers`` alone hold for this image."""
    total = 0
    for name in layers:
        block = int(name[5])  # "block3_conv1" -> 3
        w, h = width, height
        for _ in range(block - 1):  # the 2x2 poolings before this block ("VALID": floor)
            w, h = w // 2, h // 2
        total += w * h * BLOCK_CHANNELS[block]
    return total


# The NVIDIA driver lists each GPU here on Linux: a GPU machine is known without
# importing TensorFlow (which would cost seconds on every machine).
NVIDIA_GPUS = Path("/proc/driver/nvidia/gpus")


def gpu_memory() -> tuple[int | None, int] | None:
    """(bytes TensorFlow may allocate on its first GPU or None if it cannot say, bytes it
    holds there now) where TensorFlow sees a GPU; None where it runs on the CPU.

    Imports TensorFlow where a GPU driver is present, which takes seconds and starts CUDA:
    the window calls it on a worker's thread only."""
    try:
        nvidia = NVIDIA_GPUS.is_dir() and any(NVIDIA_GPUS.iterdir())
    except OSError:
        nvidia = False
    if not nvidia and "tensorflow" not in sys.modules:
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


def available_bytes() -> int | None:
    """Memory a new allocation can get without swapping: on a GPU what TensorFlow's
    allocator has left there (None: unknown, no check); else MemAvailable on Linux;
    elsewhere the free physical pages where the OS reports them; else None (unknown)."""
    gpu = gpu_memory()
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


def resident_bytes() -> int:
    """This process's resident memory now (0 where it cannot be read): the part of a run's
    peak it already holds, such as TensorFlow and the weights after a first run. On a GPU,
    what TensorFlow holds there."""
    gpu = gpu_memory()
    if gpu is not None:
        return gpu[1]
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0


def run_peak(
    settings: Settings,
    content_dims: tuple[int, int],
    style_dims: tuple[int, int],
    size: int | None = None,
) -> int:
    """The estimated peak of the run ``settings`` describe at working size ``size``
    (default its own), from the images' own (width, height): sizes alone, no TensorFlow."""
    size = settings.resolved_work_size if size is None else size
    work = work_dims(*content_dims, size)
    # The style image is scaled to style_size when set, else to the working size.
    style = work_dims(*style_dims, settings.style_size or size)
    style_layers = tuple(n for n, w in settings.style_layers.items() if w > 0)
    return peak_bytes(
        *work,
        settings.layers_in_use,
        settings.optimizer,
        style,
        regions=len(settings.style_masks),
        style_layers=style_layers,
    )


def check(
    settings: Settings,
    content_dims: tuple[int, int],
    style_dims: tuple[int, int],
    *,
    available: int | None = None,
    resident: int | None = None,
) -> Fit:
    """Whether the run ``settings`` describe fits in memory, and if not the largest
    working size that does. ``content_dims`` and ``style_dims`` are the images' own
    (width, height); ``available`` and ``resident`` default to this machine's figures
    (on a GPU machine asking them imports TensorFlow: see gpu_memory)."""
    free = available_bytes() if available is None else available
    held = resident_bytes() if resident is None else resident

    def needed(size: int) -> int:
        return max(0, run_peak(settings, content_dims, style_dims, size) - held)

    size = settings.resolved_work_size
    need, peak = needed(size), run_peak(settings, content_dims, style_dims, size)
    if free is None:
        return Fit(need, None, None, peak)
    budget = int(free * HEADROOM)
    if need <= budget:
        return Fit(need, free, None, peak)
    low, high = MIN_SIZE, size  # the largest size in [MIN_SIZE, size) whose need fits
    if needed(low) > budget:
        return Fit(need, free, 0, peak)
    while high - low > 1:
        mid = (low + high) // 2
        if needed(mid) <= budget:
            low = mid
        else:
            high = mid
    return Fit(need, free, low, peak)


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


def require_fit(
    settings: Settings,
    content_dims: tuple[int, int],
    style_dims: tuple[int, int],
    *,
    cell: Any = None,
) -> Fit:
    """check(), raising NotEnoughMemory when the run would not fit."""
    fit = check(settings, content_dims, style_dims)
    if not fit.fits:
        raise NotEnoughMemory(fit, settings, cell)
    return fit


def gib(value: int) -> str:
    """Bytes in words: '3.2 GB' (GiB, the unit system monitors show)."""
    return f"{value / 2**30:.1f} GB" if value >= 2**30 / 10 else f"{math.ceil(value / 2**20)} MB"


def shortfall_words(fit: Fit, size: int) -> str:
    """'A run at 2000 px needs about 3.2 GB of memory but only 1.1 GB is free': the
    numbers, which every face says the same way (what to do is each face's own)."""
    return (
        f"A run at {size} px needs about {gib(fit.needed)} of memory but only "
        f"{gib(int(fit.available or 0))} is free"
    )

"""A run's peak memory from the sizes alone: the arithmetic, no machine and no TensorFlow.

A run's memory is a fixed part (the Python process with TensorFlow loaded, the VGG19
weights and the compiled loss) plus a part that grows with the pixel count: VGG19's
activations at every conv layer up to the deepest one in use, kept for the gradient, the
gradient's own tensors and TensorFlow's temporaries, and the optimizer's image-sized
vectors. The activation count is exact (``activation_values``); the factors that turn it
into bytes were measured (``tools/measure_memory.py``; numbers in the constants' comments
and in docs/robustness.md). Whether a run fits this machine is nst/memory.py's.
"""

from __future__ import annotations

from nst.imaging.resize import longest_dims
from nst.vgg.layers import BLOCK_CHANNELS, CONV_LAYERS, PAPER_STYLE_LAYERS

# Bytes per value: the engine computes in float32.
FLOAT_BYTES = 4

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

# The same by the kernels that compute a whole stage (nst.memory.whole_kernels): the
# figures above are "float32", kept for any machine not measured (AVX2 alone, a GPU,
# bfloat16 emulated). With AVX-512 a stage holds less. Measured on a 2-core AMD EPYC with
# AVX-512 and AVX512_BF16, oneDNN's pool, 256 to 2048 px, each size once or twice
# (python -m tools.measure_memory --precision P SIZE; bench/RESULTS.md, "Whole stages by
# kernels"), in float32, in bfloat16, and in "automatic" made to go on from bfloat16 in
# float32 halfway (nst.run.session): that holds both precisions' weights, traces and
# targets, 1% to 12% above float32 alone, and is estimated by float32's line. The pool's
# high-water mark varies by run (1024 px in bfloat16: 2376 and 2725 MiB in its steps),
# so no line is close everywhere: these are above every peak measured, 3% to 22% above
# the whole runs' (their result included), 5% to 28% above the steps' alone (bfloat16 at
# 2048 px the most), and float32's above bench.print_size's 2048 px run (9.46 GiB).
WHOLE_VALUE_BYTES = {"float32": PER_VALUE_BYTES, "float32-avx512": 8.3, "bfloat16": 6.8}
# What the AVX-512 lines add to FIXED_BYTES, so that the small sizes stay under them too.
WHOLE_EXTRA_BYTES = {"float32": 0, "float32-avx512": 150_000_000, "bfloat16": 150_000_000}

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
    pair_bytes = 2 * values * FLOAT_BYTES
    fits = LBFGS_HISTORY_BYTES // max(1, pair_bytes)
    return int(max(LBFGS_MIN_HISTORY, min(LBFGS_MAX_HISTORY, fits)))


def steps_to_fill_history(content: str, size: int) -> int:
    """L-BFGS steps after which a run of ``content`` at ``size`` px holds its whole history
    (two more than its pairs), for measurements of the peak memory."""
    from PIL import Image

    with Image.open(content) as image:
        width, height = work_dims(*image.size, size)
    return lbfgs_history(width * height * 3) + 2


def optimizer_vectors(optimizer: str, values: int, history: int | None = None) -> int:
    """Image-sized vectors ``optimizer`` keeps for an image of ``values`` floats, L-BFGS
    with ``history`` pairs (default lbfgs_history's)."""
    pairs = lbfgs_history(values) if history is None else history
    extra = 2 * pairs if optimizer == "lbfgs" else 0
    return OPTIMIZER_VECTORS.get(optimizer, 2) + extra


# Regions (guided Grams, losses.guided_grams): per region and style layer, the layer's
# output times the region's mask is made for the Gram and its gradient. TensorFlow frees
# most of it before the peak: two regions added 0 MiB at 256 px, 107 MiB at 512 px and
# 93 MiB at 1024 px to the measured peak, 0.5 to 2.3 bytes per region and style-layer
# value (python -m tools.measure_memory 256 512 1024 --regions 2). One byte keeps the
# estimate within 3% at 512 px and on the safe side at 1024 px (+19%).
REGION_BYTES_PER_VALUE = 1.0
DEFAULT_STYLE_LAYERS = tuple(PAPER_STYLE_LAYERS)


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
    history: int | None = None,
    kernels: str = "float32",
) -> int:
    """The estimated peak resident memory of a whole run at this working size, in bytes.

    ``style_dims``: the style image's working (width, height); its forward pass (no
    gradient) happens once before the loop, so it matters only when it is much larger.
    ``regions``: the number of masked styles (guided Grams keep a masked copy of each style
    layer's output per region, and its gradient); ``style_layers`` those layers (default:
    the paper's); ``history``: the L-BFGS pairs held (default lbfgs_history's);
    ``kernels``: those that compute it (WHOLE_VALUE_BYTES).
    """
    per_value = WHOLE_VALUE_BYTES[kernels]
    loop = network_bytes(width, height, layers, regions, style_layers, per_value)
    values = width * height * 3
    loop += optimizer_vectors(optimizer, values, history) * values * FLOAT_BYTES
    if style_dims is not None:
        # Forward only, so about a third of a step's factor: no gradient, no kept inputs.
        style = per_value / 3 * activation_values(*style_dims, layers)
        loop = max(loop, style)
    return int(FIXED_BYTES + WHOLE_EXTRA_BYTES[kernels] + loop)


def network_bytes(
    width: int,
    height: int,
    layers: tuple[str, ...],
    regions: int = 0,
    style_layers: tuple[str, ...] | None = None,
    per_value: float = PER_VALUE_BYTES,
) -> float:
    """What an evaluation through VGG19 holds for a ``width`` x ``height`` image: its
    activations, their gradients and temporaries (``per_value`` bytes an activation
    value), and the masked copies per region."""
    loop = per_value * activation_values(width, height, layers)
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

"""Which stages of a run are evaluated in tiles, in tiles of what size, and with how many
L-BFGS pairs: chosen from the memory estimates so that each stage's peak stays within the
memory the run may use. Sizes alone: no TensorFlow, no machine (nst/memory.py asks the
machine and words the verdict).

A stage whose whole-image estimate (memory_model.peak_bytes) fits is evaluated whole:
tiles cost time (the halo is evaluated again by each neighbour). Otherwise the stage
keeps its L-BFGS pairs where some tile fits beside them, else fewer (down to
TILED_MIN_HISTORY), and takes the largest tile that fits beside them, as a larger tile
repeats less of its halo.

The tiled estimate: the network's part for the largest tile with its halo, which pass 2
evaluates as an untiled step of that size does (by allocator and the kernels that
compute it, TILE_VALUE_BYTES an activation value and TILE_FIXED_BYTES); what stays the
whole image's size is counted exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from nst.memory_model import (
    FIXED_BYTES,
    FLOAT_BYTES,
    LBFGS_MIN_HISTORY,
    OPTIMIZER_VECTORS,
    PER_VALUE_BYTES,
    layer_values,
    lbfgs_history,
    network_bytes,
    optimizer_vectors,
    peak_bytes,
    work_dims,
)
from nst.objective.tile_plan import Tile, exact_halo, plan_tiles, pooling_grid
from nst.optim.layout import allocation_rows, pair_rows
from nst.settings import Settings
from nst.vgg.layers import BLOCK_CHANNELS

# The estimate by the allocator the process's tensors come from (nst/allocator.py): a run
# with tiles takes the system's, which gives each tile's memory back when it is done; a
# process that loaded TensorFlow first keeps oneDNN's pool, which keeps its high-water mark.
#
# What one tile's evaluation adds (pass 2 holds the most: its activations, their gradients
# and temporaries). With the pool: the whole image's fit (PER_VALUE_BYTES, float32; its
# fixed part is in FIXED_BYTES) whatever the kernels, as the pool keeps its high-water
# mark. With the system's allocator: TILE_FIXED_BYTES plus TILE_VALUE_BYTES an activation
# value of the largest part the network sees (tile_seen), by the tiles' kernels
# (nst.memory.tile_kernels: "bfloat16", "float32-avx512" or "float32" for any other
# machine).
#
# The system's allocator, bfloat16 and float32-avx512: the lines just above what pass 2
# held beyond the counted parts in four whole stages in tiles (bench/RESULTS.md, "glibc's
# heaps"; a 2-core AMD EPYC with AVX-512 and AVX512_BF16, glibc's mmap threshold fixed):
# 1024x768 in 4 tiles of 512 px, 2048x1536 in 4 of 1024, 4096x3072 in 6 of 1536 and in
# 4 of 2048 held 5.7, 6.0, 6.1 and 6.0 bytes an activation value in float32, 4.5, 4.7 to
# 5.1, 4.1 and 4.2 in bfloat16, with no fixed part. With TILE_FIXED_BYTES the estimates
# are 4% to 15% above those peaks and 512x384's in 4 tiles of 256 px.
#
# "float32": the line just above four whole stages' peaks in tiles on a 2-core AMD EPYC
# with AVX2 alone, before the threshold was fixed (bench/RESULTS.md, "A tiled stage's
# memory"): 512x384 in tiles of 256 px 1.76 GiB, 1024x768 in 512 px 3.09 GiB, 1536x1152
# in 512 px 4.17 GiB, 2048x1536 in 1024 px 7.05 GiB; the estimate is 4% to 15% above
# each. There one tile's pass 2 alone adds 10.1 bytes a value and 0.10 GiB
# (tools/tile_memory.py), where the AVX-512 EPYC's adds 5.8 to 6.0 with the threshold
# fixed or not: AVX2's kernels hold more. Kept for any machine not measured.
TILE_VALUE_BYTES = {"bfloat16": 5.3, "float32-avx512": 6.5, "float32": 13.0}
# With no fixed part the 512x384 stage in 4 tiles of 256 px reached its estimate (1.31 GiB
# in bfloat16, 1.34 against 1.37 in float32): 0.1 GB keeps small tiles below it too.
TILE_FIXED_BYTES = {"bfloat16": 100_000_000, "float32-avx512": 100_000_000, "float32": 300_000_000}


def tile_network_bytes(
    seen: tuple[int, int],
    layers: tuple[str, ...],
    regions: int,
    style_layers: tuple[str, ...],
    allocator: str,
    kernels: str,
) -> float:
    """What one tile's pass 2 adds, for a part of ``seen`` (width, height) px the network
    sees, by ``allocator`` and the tiles' ``kernels``."""
    if allocator == "pool":  # its fixed part is in FIXED_BYTES
        return network_bytes(*seen, layers, regions, style_layers, PER_VALUE_BYTES)
    per_value, fixed = TILE_VALUE_BYTES[kernels], TILE_FIXED_BYTES[kernels]
    return fixed + network_bytes(*seen, layers, regions, style_layers, per_value)


# Image-sized float32 vectors an evaluation in tiles holds beside the optimizer's.
# Counted, 4: the image a tiled evaluation is given, total variation's gradient, the
# gradient the tiles' inner parts are summed into and its copy handed back
# (tiled.TiledLoss.__call__). With the pool, 32: a 4096x3072 stage in 24 tiles of 768 px
# peaked at 17.68 GiB, which 32 reach (18.2 GiB with the pairs' layout then); the other
# 28 are the pool's fragments and high-water mark.
TILED_IMAGE_VECTORS = {"system": 4, "pool": 32}

# Tile sizes tried, largest first: a larger tile evaluates less halo again, so a step
# costs less per pixel (bench/tiled_cost.py: 4.1x the untiled time per pixel with 512 px
# tiles, 2.69x with 1024 px ones).
TILE_SIZES = (2048, 1536, 1024, 768, 512, 256)

# A tiled step's passes over a tile's pixels, in whole steps (forward and backward): pass
# 1 is a forward pass, about a third of a step (the backward pass costs about twice the
# forward), pass 2 a whole step.
TILED_PASS_COST = 4 / 3

# The fewest L-BFGS pairs a stage keeps when LBFGS_MIN_HISTORY do not fit beside the
# smallest tile: at 8192x6144 a pair is 1.2 GB.
TILED_MIN_HISTORY = 3


@dataclass(frozen=True)
class StageMemory:
    """One stage's memory plan: its working size, how it is evaluated, its estimate."""

    width: int
    height: int
    tile: int | None  # px of a tile's inner part; None: the whole image at once
    history: int  # L-BFGS correction pairs kept
    peak: int  # the stage's estimated peak, bytes
    cost: float = 1.0  # a step's time per pixel relative to the whole image's


def tiled_cost(width: int, height: int, tiles: list[Tile]) -> float:
    """A tiled step's time per pixel relative to the whole image's: pass 1 (forward) and
    pass 2 (forward and backward) over the pixels the tiles' network sees."""
    seen = sum((t.outer[2] - t.outer[0]) * (t.outer[3] - t.outer[1]) for t in tiles)
    return TILED_PASS_COST * seen / (width * height)


def tile_seen(width: int, height: int, layers: tuple[str, ...], tile: int) -> tuple[int, int]:
    """(width, height) of the largest part the network sees: a tile with its halo
    (tile_plan.exact_halo), clipped to the image, as plan_tiles lays them out."""
    parts = plan_tiles(height, width, tile, exact_halo(layers), pooling_grid(layers))
    sizes = [(right - left, bottom - top) for top, left, bottom, right in (t.outer for t in parts)]
    return max(sizes, key=lambda size: size[0] * size[1])


def tiled_peak_bytes(
    width: int,
    height: int,
    content_layers: tuple[str, ...],
    style_layers: tuple[str, ...],
    optimizer: str,
    tile: int,
    regions: int = 0,
    history: int | None = None,
    allocator: str = "system",
    kernels: str = "float32",
) -> int:
    """The estimated peak of a stage at ``width`` x ``height`` px evaluated in tiles of
    ``tile`` px, its tensors from ``allocator`` ("system" or "pool"), its network run by
    ``kernels`` (TILE_VALUE_BYTES): the network's part for one tile with its halo and
    TILED_IMAGE_VECTORS, or a pair's write; the optimizer's vectors (L-BFGS's
    ``history`` pairs, default lbfgs_history's), the content targets and, with
    ``regions``, the masks at each style layer's size for the whole image."""
    layers = tuple(dict.fromkeys(content_layers + style_layers))
    seen = tile_seen(width, height, layers, tile)
    network = tile_network_bytes(seen, layers, regions, style_layers, allocator, kernels)
    values = width * height * 3
    held, written = optimizer_rows(optimizer, values, history)
    evaluation = network + TILED_IMAGE_VECTORS[allocator] * values * FLOAT_BYTES
    writing = written * values * FLOAT_BYTES  # a pair's group copied while it is written
    # The pool keeps what each moment took, so they add up; the system's allocator gives
    # the tile's memory back before the optimizer's step: the larger of the two counts.
    moment = evaluation + writing if allocator == "pool" else max(evaluation, writing)
    whole = held * values + layer_values(width, height, content_layers)
    # a mask holds one value a position: its layer's values over the layer's channels
    masks = [layer_values(width, height, (n,)) // BLOCK_CHANNELS[int(n[5])] for n in style_layers]
    return int(FIXED_BYTES + moment + (whole + regions * sum(masks)) * FLOAT_BYTES)


def optimizer_rows(optimizer: str, values: int, history: int | None) -> tuple[int, int]:
    """Image-sized vectors the optimizer holds, and those it adds for a moment while it
    writes a pair: L-BFGS's pairs counted as pairs.py lays them out (layout.pair_rows and
    allocation_rows), which the whole image's fit (memory_model.PER_VALUE_BYTES) absorbs
    at its sizes."""
    if optimizer != "lbfgs":
        return optimizer_vectors(optimizer, values), 0
    pairs = lbfgs_history(values) if history is None else history
    return OPTIMIZER_VECTORS["lbfgs"] + pair_rows(pairs), allocation_rows(pairs)


def stage_memory(
    width: int,
    height: int,
    content_layers: tuple[str, ...],
    style_layers: tuple[str, ...],
    optimizer: str,
    style_dims: tuple[int, int] | None,
    regions: int,
    budget: int | None,
    tiles: bool = True,
    least: bool = False,
    allocator: str = "system",
    kernels: str = "float32",
    whole_kernels: str = "float32",
) -> StageMemory | None:
    """How a stage at ``width`` x ``height`` px is evaluated within ``budget`` bytes of
    peak (None: no limit, the whole image); None when nothing fits, or with ``least`` the
    plan that needs least (the smallest tiles and fewest pairs: what a refusal quotes).
    ``tiles``: whether it may go in tiles (a tileable picture may not: a tile at the
    image's edge would wrap around itself, not around the image); ``allocator``: the one
    the process's tensors come from in tiles (TILED_IMAGE_VECTORS); ``kernels``: those
    that compute a stage in tiles (TILE_VALUE_BYTES), ``whole_kernels`` the whole image
    (memory_model.WHOLE_VALUE_BYTES; nst.memory chooses both)."""
    layers = tuple(dict.fromkeys(content_layers + style_layers))
    history = lbfgs_history(width * height * 3)
    whole = peak_bytes(
        width, height, layers, optimizer, style_dims, regions, style_layers, kernels=whole_kernels
    )
    if budget is None or whole <= budget:
        return StageMemory(width, height, None, history, whole)
    if not tiles:
        return StageMemory(width, height, None, history, whole) if least else None
    grid, halo = pooling_grid(layers), exact_halo(layers)
    tiles = [t for t in TILE_SIZES if t < max(width, height)]

    def tiled(tile: int, pairs: int) -> StageMemory:
        kind = (content_layers, style_layers, optimizer, tile, regions, pairs, allocator, kernels)
        parts = plan_tiles(height, width, tile, halo, grid)
        peak = tiled_peak_bytes(width, height, *kind)
        cost = tiled_cost(width, height, parts)
        return StageMemory(width, height, tile, pairs, peak, cost)

    # The most pairs first, then the largest tile: at 8192 px a pair's write outweighs a
    # tile, so the pairs decide and the tile may stay large.
    fewer = range(min(history, LBFGS_MIN_HISTORY), TILED_MIN_HISTORY - 1, -1)
    for pairs in [history, *(p for p in fewer if p < history and optimizer == "lbfgs")]:
        for tile in tiles:
            stage = tiled(tile, pairs)
            if stage.peak <= budget:
                return stage
    if not least:
        return None
    if not tiles:
        return StageMemory(width, height, None, history, whole)
    return tiled(tiles[-1], TILED_MIN_HISTORY if optimizer == "lbfgs" else history)


def run_memory(
    settings: Settings,
    content_dims: tuple[int, int],
    style_dims: tuple[int, int],
    budget: int | None,
    size: int | None = None,
    least: bool = False,
    allocator: str = "system",
    kernels: str = "float32",
    whole_kernels: str = "float32",
) -> dict[int, StageMemory] | None:
    """Each stage's plan, by its size (longest side), for the run ``settings`` describe at
    working size ``size`` (default its own) from the images' own (width, height), within
    ``budget`` bytes (None: no limit); None when some stage does not fit, or with ``least``
    that stage's plan that needs least (stage_memory); ``allocator``, ``kernels`` and
    ``whole_kernels``: see stage_memory."""
    work = settings.resolved_work_size if size is None else size
    if work != settings.resolved_work_size:
        settings = settings.replace(size=work, work_size=None)
    content, style = settings.term_layers
    regions = len(settings.style_masks)
    plan: dict[int, StageMemory] = {}
    for stage_size, _ in settings.stage_plan:
        # The style image keeps its ratio to the content at every stage (session._use_size).
        style_size = max(1, round(settings.resolved_style_size * stage_size / work))
        stage = stage_memory(
            *work_dims(*content_dims, stage_size),
            content,
            style,
            settings.optimizer,
            work_dims(*style_dims, style_size),
            regions,
            budget,
            tiles=not settings.tileable,
            least=least,
            allocator=allocator,
            kernels=kernels,
            whole_kernels=whole_kernels,
        )
        if stage is None:
            return None
        plan[stage_size] = stage
    return plan

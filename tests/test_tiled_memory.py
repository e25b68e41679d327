"""nst.tiled_memory: the estimate of a stage evaluated in tiles, against memory.py's for
the whole image; sizes alone, no TensorFlow."""

from __future__ import annotations

from nst import memory_model
from nst.settings import Settings
from nst.tiled_memory import (
    TILE_SIZES,
    TILED_IMAGE_VECTORS,
    TILED_MIN_HISTORY,
    optimizer_rows,
    run_memory,
    tile_seen,
    tiled_peak_bytes,
)
from nst.vgg.layers import PAPER_STYLE_LAYERS

CONTENT, STYLE = ("block4_conv2",), tuple(PAPER_STYLE_LAYERS)
LAYERS = tuple(dict.fromkeys(CONTENT + STYLE))
GIB = 2**30


def tiled(
    width: int,
    height: int,
    tile: int,
    optimizer: str = "lbfgs",
    regions: int = 0,
    allocator: str = "system",
) -> int:
    return tiled_peak_bytes(
        width, height, CONTENT, STYLE, optimizer, tile, regions, allocator=allocator
    )


def test_the_network_sees_a_tile_and_its_halo_clipped_to_the_image() -> None:
    assert tile_seen(4096, 3072, LAYERS, 512) == (512 + 2 * 160,) * 2  # a middle tile
    # 2048 px in tiles of 1024: each tile has a neighbour on one side only
    assert tile_seen(2048, 1536, LAYERS, 1024) == (1024 + 160,) * 2
    assert tile_seen(256, 192, LAYERS, 64) == (256, 192)


def test_one_tile_holding_the_image_adds_only_the_whole_image_vectors() -> None:
    # With oneDNN's pool, a tile and its halo covering 256x192 px: the network's part is
    # the untiled one's, and the evaluation's own image-sized vectors, the pairs' write
    # and the content targets come on top (the pool keeps each moment's memory).
    values = 256 * 192 * 3
    held, written = optimizer_rows("lbfgs", values, None)
    # L-BFGS's pairs as pairs.py lays them out, where the whole image's fit absorbs them
    pairs = held + written - memory_model.optimizer_vectors("lbfgs", values)
    extra = (pairs + TILED_IMAGE_VECTORS["pool"]) * values
    extra += memory_model.layer_values(256, 192, CONTENT)
    whole = memory_model.peak_bytes(256, 192, LAYERS, "lbfgs")
    assert tiled(256, 192, 64, allocator="pool") - whole == extra * 4


def test_with_the_systems_allocator_a_tile_or_a_pairs_write_at_a_time() -> None:
    # The system's allocator gives a tile's memory back before L-BFGS writes a pair, so
    # the larger of the two moments counts, beside what the stage holds throughout.
    values = 8192 * 6144 * 3
    held, written = optimizer_rows("lbfgs", values, 10)
    assert (held, written) == (2 + 22, 10)  # two groups of 5 slots, and the newest pair
    fixed = (
        memory_model.FIXED_BYTES
        + (held * values + memory_model.layer_values(8192, 6144, CONTENT)) * 4
    )
    small = tiled_peak_bytes(8192, 6144, CONTENT, STYLE, "lbfgs", 256, history=10)
    large = tiled_peak_bytes(8192, 6144, CONTENT, STYLE, "lbfgs", 512, history=10)
    assert small == large == fixed + written * values * 4  # the write outweighs these tiles
    larger = tiled_peak_bytes(8192, 6144, CONTENT, STYLE, "lbfgs", 1024, history=10)
    assert larger > large  # a tile of 1024 px and its halo outweighs the write
    assert tiled(2048, 1536, 1024) < tiled(2048, 1536, 1024, allocator="pool")


def test_the_tiles_part_does_not_grow_with_the_image() -> None:
    # Past the tiles' size the network's part depends on the tile alone: going from 256
    # to 512 px tiles costs the same at 4096x3072 as at 8192x6144.
    def tile_cost(width: int, height: int) -> int:
        return tiled(width, height, 512, allocator="pool") - tiled(
            width, height, 256, allocator="pool"
        )

    assert tile_cost(4096, 3072) == tile_cost(8192, 6144) > 0
    # what does grow with it is the optimizer's state: L-BFGS's 10 pairs at these sizes, in
    # two groups of 5 slots (nst/optim/layout.py), held and written
    values = 8192 * 6144 * 3
    held, written = optimizer_rows("lbfgs", values, None)
    vectors = held + written - optimizer_rows("sgd", values, None)[0]
    pool = "pool"
    assert (
        tiled(8192, 6144, 512, allocator=pool) - tiled(8192, 6144, 512, "sgd", allocator=pool)
        == vectors * values * 4
    )


def test_print_sizes_fit_in_24_gib_in_tiles_and_not_whole() -> None:
    # issue 21: 4096x3072 within 24 GiB; the whole image's estimate is some 58 GiB.
    assert memory_model.peak_bytes(4096, 3072, LAYERS, "lbfgs") > 50 * GIB
    assert tiled(4096, 3072, 768) < 20 * GIB
    assert tiled(4096, 3072, 512, regions=2) < 20 * GIB
    assert tiled(4096, 3072, 512, regions=2) > tiled(4096, 3072, 512)


def paper_run(size: int, **changes) -> tuple[Settings, tuple[int, int]]:
    """A run at ``size`` px of a 4:3 photo in a painting of the same shape."""
    dims = (size, size * 3 // 4)
    return Settings(content="photo.jpg", style="painting.jpg", size=size, **changes), dims


def test_only_the_stages_that_do_not_fit_whole_go_in_tiles_the_largest_that_fit() -> None:
    settings, dims = paper_run(4096)
    plan = run_memory(settings, dims, dims, 20 * GIB)
    assert list(plan) == [512, 1024, 2048, 4096]
    assert plan[512].tile is plan[1024].tile is None  # coarse stages: whole, faster
    assert plan[4096].tile is not None
    assert all(stage.peak <= 20 * GIB for stage in plan.values())
    # a larger tile would not fit: the next size up in TILE_SIZES is over the budget
    bigger = [t for t in TILE_SIZES if t > plan[4096].tile]
    if bigger:
        layers = settings.term_layers
        assert tiled_peak_bytes(4096, 3072, *layers, "lbfgs", min(bigger)) > 20 * GIB
    # less memory: smaller tiles, never a peak over it
    small = run_memory(settings, dims, dims, 12 * GIB)
    assert small[4096].tile < plan[4096].tile
    assert max(stage.peak for stage in small.values()) <= 12 * GIB


def test_lbfgs_keeps_fewer_pairs_where_they_need_the_room_and_the_largest_tile_beside_them():
    # At 8192x6144 a pair is 1.1 GiB and its write copies a group of them: the pairs
    # decide what fits, and the tile is the largest that fits beside them.
    settings, dims = paper_run(8192)
    at_8192, layers = (8192, 6144), settings.term_layers
    plan = run_memory(settings, dims, dims, 20 * GIB)[8192]
    assert TILED_MIN_HISTORY <= plan.history < memory_model.LBFGS_MIN_HISTORY
    assert plan.peak <= 20 * GIB
    for tile in TILE_SIZES:  # one pair more fits in no tile
        assert tiled_peak_bytes(*at_8192, *layers, "lbfgs", tile, 0, plan.history + 1) > 20 * GIB
    for tile in (t for t in TILE_SIZES if t > plan.tile):
        assert tiled_peak_bytes(*at_8192, *layers, "lbfgs", tile, 0, plan.history) > 20 * GIB
    # not even 3 pairs fit in 8 GiB
    assert run_memory(settings, dims, dims, 8 * GIB) is None


def test_the_check_lets_a_print_size_run_in_tiles_and_keeps_to_max_memory() -> None:
    from nst import memory

    settings, dims = paper_run(4096)
    free, held = 22 * GIB, GIB
    fit = memory.check(settings, dims, dims, available=free, resident=held)
    assert fit.fits and fit.largest_size is None
    assert fit.peak <= held + memory.HEADROOM * free
    limited = settings.replace(max_memory=17.0)
    fit = memory.check(limited, dims, dims, available=free, resident=held)
    assert fit.fits and fit.peak <= 17 * GIB
    tight = settings.replace(max_memory=2.0)
    refused = memory.check(tight, dims, dims, available=free, resident=held)
    assert not refused.fits and 0 < refused.largest_size < 4096
    words = memory.shortfall_words(refused, 4096)
    assert "memory limit of 2 GB" in words and "even in tiles" in words


def test_layers_the_loss_leaves_out_are_not_counted() -> None:
    settings, _ = paper_run(256)
    assert settings.term_layers == (CONTENT, STYLE)
    assert settings.replace(method="texture").term_layers[0] == ()
    assert settings.replace(content_weight=0.0).term_layers[0] == ()
    assert settings.replace(style_weight=0.0).term_layers[1] == ()


# Whole stages in tiles: (width, height, tile, L-BFGS pairs' room, regions, image-sized
# rows of that run's pair layout beyond today's, kernels, peak GiB). "float32": on a
# 2-core AVX2-only EPYC, the system's allocator before glibc's threshold was fixed
# (bench/RESULTS.md, "A tiled stage's memory"); the others on a 2-core EPYC with AVX-512
# and AVX512_BF16, with it fixed (nst/allocator.py; bench/RESULTS.md, "glibc's heaps").
MEASURED_TILED_PEAKS = [
    (512, 384, 256, 40, 0, 0, "float32", 1.76),
    (1024, 768, 512, 14, 0, 0, "float32", 3.09),
    (1024, 768, 512, 14, 2, 0, "float32", 3.07),  # The Starry Night left, The Scream right
    (1024, 768, 256, 14, 0, 0, "float32", 2.70),  # 12 tiles
    (1536, 1152, 512, 10, 0, 0, "float32", 4.17),
    (2048, 1536, 1024, 10, 0, 12, "float32", 7.05),  # 34 rows then, 22 now (optim/layout.py)
    (4096, 3072, 1536, 10, 0, 0, "float32", 15.4),  # 6 tiles
    (512, 384, 256, 40, 0, 0, "float32-avx512", 1.34),
    (512, 384, 256, 40, 0, 0, "bfloat16", 1.31),
    (1024, 768, 512, 14, 0, 0, "float32-avx512", 1.97),
    (1024, 768, 512, 14, 0, 0, "bfloat16", 1.81),
    (2048, 1536, 1024, 10, 0, 0, "float32-avx512", 4.44),
    (2048, 1536, 1024, 10, 0, 0, "bfloat16", 4.05),  # 3.91 in another run
    (4096, 3072, 1536, 10, 0, 0, "float32-avx512", 10.88),
    (4096, 3072, 1536, 10, 0, 0, "bfloat16", 9.01),
    (4096, 3072, 2048, 10, 0, 0, "float32-avx512", 13.90),  # 4 tiles: 20 GiB's plan there
    (4096, 3072, 2048, 10, 0, 0, "bfloat16", 11.32),
]


def test_the_estimate_stays_above_each_measured_tiled_peak_and_within_a_quarter() -> None:
    # --max-memory must hold: the plan keeps a stage's estimate within it, so the estimate
    # may not fall below what such a stage was seen to take, nor be far above it (issue
    # 21: within 25%).
    for width, height, tile, pairs, regions, extra_rows, kernels, peak in MEASURED_TILED_PEAKS:
        estimate = tiled_peak_bytes(
            width, height, CONTENT, STYLE, "lbfgs", tile, regions, pairs, kernels=kernels
        )
        estimate += extra_rows * width * height * 3 * 4
        assert peak * GIB < estimate < 1.25 * peak * GIB, (width, tile, regions, kernels)

"""nst.tiled_memory: the estimate of a stage evaluated in tiles, against memory.py's for
the whole image; sizes alone, no TensorFlow."""

from __future__ import annotations

from nst import memory
from nst.tiled_memory import TILED_IMAGE_VECTORS, tile_seen, tiled_peak_bytes
from nst.vgg.layers import PAPER_STYLE_LAYERS

CONTENT, STYLE = ("block4_conv2",), tuple(PAPER_STYLE_LAYERS)
LAYERS = tuple(dict.fromkeys(CONTENT + STYLE))
GIB = 2**30


def tiled(width: int, height: int, tile: int, optimizer: str = "lbfgs", regions: int = 0) -> int:
    return tiled_peak_bytes(width, height, CONTENT, STYLE, optimizer, tile, regions)


def test_the_network_sees_a_tile_and_its_halo_clipped_to_the_image() -> None:
    assert tile_seen(4096, 3072, LAYERS, 512) == (512 + 2 * 160,) * 2
    assert tile_seen(256, 192, LAYERS, 64) == (256, 192)


def test_one_tile_holding_the_image_adds_only_the_whole_image_vectors() -> None:
    # A tile and its halo cover 256x192 px: the network's part is the untiled one's, and
    # the evaluation's own image-sized vectors and the content targets come on top.
    values = 256 * 192 * 3
    extra = TILED_IMAGE_VECTORS * values + memory.layer_values(256, 192, CONTENT)
    assert tiled(256, 192, 64) - memory.peak_bytes(256, 192, LAYERS, "lbfgs") == extra * 4


def test_the_tiles_part_does_not_grow_with_the_image() -> None:
    # Past the tiles' size the network's part depends on the tile alone: going from 256
    # to 512 px tiles costs the same at 4096x3072 as at 8192x6144.
    def tile_cost(width: int, height: int) -> int:
        return tiled(width, height, 512) - tiled(width, height, 256)

    assert tile_cost(4096, 3072) == tile_cost(8192, 6144) > 0
    # what does grow with it is the optimizer's state: L-BFGS's 10 pairs at these sizes
    values = 8192 * 6144 * 3
    vectors = memory.optimizer_vectors("lbfgs", values) - memory.optimizer_vectors("sgd", values)
    assert tiled(8192, 6144, 512) - tiled(8192, 6144, 512, "sgd") == vectors * values * 4


def test_print_sizes_fit_in_24_gib_in_tiles_and_not_whole() -> None:
    # issue 21: 4096x3072 within 24 GiB; the whole image's estimate is some 58 GiB.
    assert memory.peak_bytes(4096, 3072, LAYERS, "lbfgs") > 50 * GIB
    assert tiled(4096, 3072, 512) < 10 * GIB
    assert tiled(4096, 3072, 512, regions=2) < 24 * GIB
    assert tiled(4096, 3072, 512, regions=2) > tiled(4096, 3072, 512)

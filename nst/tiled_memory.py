"""The memory estimate of a stage whose loss is evaluated in tiles (nst/objective/tiled.py),
beside nst/memory.py's for a stage on the whole image, from the sizes alone.

Not yet measured: the network's part uses the untiled fit (memory.PER_VALUE_BYTES) for
the largest tile with its halo, which pass 2 evaluates as an untiled step of that size
does; what stays the whole image's size is counted exactly.
"""

from __future__ import annotations

from nst.memory import FIXED_BYTES, layer_values, network_bytes, optimizer_vectors
from nst.objective.tile_plan import exact_halo
from nst.vgg.layers import BLOCK_CHANNELS

_FLOAT_BYTES = 4  # float32, as memory.py counts

# Image-sized float32 vectors a tiled evaluation keeps whole (tiled.TiledLoss.__call__):
# the image it is given, total variation's gradient, the gradient the tiles' inner parts
# are summed into, and its copy handed back.
TILED_IMAGE_VECTORS = 4


def tile_seen(width: int, height: int, layers: tuple[str, ...], tile: int) -> tuple[int, int]:
    """(width, height) of the largest part the network sees: a tile and the exact halo on
    both sides (tile_plan.exact_halo), clipped to the image."""
    side = tile + 2 * exact_halo(layers)
    return min(side, width), min(side, height)


def tiled_peak_bytes(
    width: int,
    height: int,
    content_layers: tuple[str, ...],
    style_layers: tuple[str, ...],
    optimizer: str,
    tile: int,
    regions: int = 0,
) -> int:
    """The estimated peak of a stage at ``width`` x ``height`` px evaluated in tiles of
    ``tile`` px: the network's part for one tile with its halo; the optimizer's vectors
    (L-BFGS's history with them), TILED_IMAGE_VECTORS, the content targets and, with
    ``regions``, the masks at each style layer's size for the whole image."""
    layers = tuple(dict.fromkeys(content_layers + style_layers))
    seen = tile_seen(width, height, layers, tile)
    loop = network_bytes(*seen, layers, regions, style_layers)
    values = width * height * 3
    whole = (optimizer_vectors(optimizer, values) + TILED_IMAGE_VECTORS) * values
    whole += layer_values(width, height, content_layers)
    # a mask holds one value a position: its layer's values over the layer's channels
    masks = [layer_values(width, height, (n,)) // BLOCK_CHANNELS[int(n[5])] for n in style_layers]
    return int(FIXED_BYTES + loop + (whole + regions * sum(masks)) * _FLOAT_BYTES)

"""VGG19's layer table, the one place it is written (Simonyan & Zisserman 2014, config E).

Keras's VGG19 names the 16 convolution layers this way; each output is taken after its
ReLU. Everything else that needs a layer's name, channels or pooling reads it from here.
"""

from __future__ import annotations

CONV_LAYERS: tuple[str, ...] = (
    "block1_conv1", "block1_conv2",
    "block2_conv1", "block2_conv2",
    "block3_conv1", "block3_conv2", "block3_conv3", "block3_conv4",
    "block4_conv1", "block4_conv2", "block4_conv3", "block4_conv4",
    "block5_conv1", "block5_conv2", "block5_conv3", "block5_conv4",
)  # fmt: skip

# Output channels of every conv layer of a block (config E, table 1). Block N runs at
# 1 / 2^(N-1) of the input's resolution.
BLOCK_CHANNELS: dict[int, int] = {1: 64, 2: 128, 3: 256, 4: 512, 5: 512}

# The last conv layer of each block but the fifth is followed by 2x2 max pooling.
POOL_AFTER = frozenset({"block1_conv2", "block2_conv2", "block3_conv4", "block4_conv4"})

# Gatys et al. 2016, section 3: content at conv4_2; style at conv1_1 ... conv5_1, equally
# weighted (w_l = 1/5; our layer weights are relative, so 1 each means the same).
PAPER_CONTENT_LAYERS: dict[str, float] = {"block4_conv2": 1.0}
PAPER_STYLE_LAYERS: dict[str, float] = {
    "block1_conv1": 1.0,
    "block2_conv1": 1.0,
    "block3_conv1": 1.0,
    "block4_conv1": 1.0,
    "block5_conv1": 1.0,
}


def block_of(layer: str) -> int:
    """1 for 'block1_conv2', ... 5 for 'block5_conv4'."""
    return int(layer[len("block")])


def channels_of(layer: str) -> int:
    return BLOCK_CHANNELS[block_of(layer)]

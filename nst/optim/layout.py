"""How L-BFGS lays out its correction pairs in memory (nst/optim/pairs.py), in plain
Python: the memory estimate (nst/tiled_memory.py) counts the same rows without TensorFlow.
"""

from __future__ import annotations

import math

# The most slots a group holds: a new pair rewrites its group's 2 x slots image-sized rows,
# not all of them; more groups mean more, smaller products per pass.
GROUP_SLOTS = 8


def group_slots(pairs: int) -> int:
    """Slots per group for ``pairs`` pairs: as few groups of at most GROUP_SLOTS as hold
    them, filled evenly. 10 pairs take two groups of 5, not of 8 (16 slots for 10): at
    print sizes a row is hundreds of MB, and a pair's write copies its whole group."""
    pairs = max(1, pairs)
    return math.ceil(pairs / math.ceil(pairs / GROUP_SLOTS))


def pair_rows(pairs: int) -> int:
    """Image-sized rows L-BFGS holds for ``pairs`` correction pairs: its groups of slots
    (group_slots; the last one whole), each slot an s and a y row, and the newest pair
    (two rows) until its products with the others are taken."""
    slots = group_slots(pairs)
    return 2 * slots * math.ceil(max(1, pairs) / slots) + 2


def allocation_rows(pairs: int) -> int:
    """Rows held for a moment beyond pair_rows while a group is written: its zeros when the
    pairs are allocated, its new copy when a pair goes into one of its slots."""
    return 2 * group_slots(pairs)

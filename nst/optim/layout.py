"""How L-BFGS lays out its correction pairs in memory (nst/optim/pairs.py), in plain
Python: the memory estimate (nst/memory_model.py) counts the same rows without TensorFlow.
"""

from __future__ import annotations

import math

# Slots per group: a new pair rewrites 2 x GROUP_SLOTS image-sized rows, not all of them;
# more groups mean more, smaller products per pass.
GROUP_SLOTS = 8


def pair_rows(pairs: int) -> int:
    """Image-sized rows L-BFGS holds for ``pairs`` correction pairs: groups of
    GROUP_SLOTS slots (the last one whole), each slot an s and a y row, and the newest
    pair (two rows) until its products with the others are taken."""
    slots = min(GROUP_SLOTS, max(1, pairs))
    return 2 * slots * math.ceil(pairs / slots) + 2


def allocation_rows(pairs: int) -> int:
    """Rows held for a moment beyond pair_rows while the pairs are allocated: one group's
    zeros, made before they are assigned."""
    return 2 * min(GROUP_SLOTS, max(1, pairs))

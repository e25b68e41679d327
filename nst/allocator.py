"""Where TensorFlow's CPU tensors get their memory, chosen before TensorFlow is imported.

TensorFlow's x86 build runs its convolutions in oneDNN, whose allocator keeps tensors in a
BFC pool that never gives memory back to the system: a process stays as large as the most
its tensors ever held, the pool's fragments included. A stage evaluated in tiles frees and
allocates the features of tiles of a few shapes at every evaluation, and the pool grows
far past what the tiles hold at once. The system's allocator (TensorFlow's
TF_ONEDNN_USE_SYSTEM_ALLOCATOR) gives large tensors back as they are freed, at some
seconds per evaluation (fresh pages each time): bench/RESULTS.md, "Print sizes", has
both. So a run with a stage in tiles, where memory is what limits, takes the system's;
any other keeps the pool.

The system's allocator on Linux is glibc's malloc, which serves a block under its mmap
threshold from heaps that keep freed memory, and raises that threshold (up to 32 MiB)
each time a larger block is freed: soon most of a tile's tensors come from the heaps and
stay there as fragments. A process with tiles fixes the threshold low
(release_freed_blocks).
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys

log = logging.getLogger(__name__)

SYSTEM_ALLOCATOR = "TF_ONEDNN_USE_SYSTEM_ALLOCATOR"  # read once, at TensorFlow's first tensor
# What the user set, if anything, before choose_allocator set it: a run's own process
# (nst.run.child) gets this, else the system's.
USERS_CHOICE = os.environ.get(SYSTEM_ALLOCATOR)


# glibc's malloc.h: mallopt's parameter for the mmap threshold. Set, it no longer moves.
M_MMAP_THRESHOLD = -3
# Blocks of 1 MiB or more get pages of their own, which go back to the system when freed.
# A 2048x1536 stage in 4 tiles of 1024 px, bfloat16, peaked at 3.91 GiB with it and 4.61
# GiB without, at the same seconds per evaluation within the machine's noise
# (bench/RESULTS.md, "glibc's heaps").
MMAP_THRESHOLD_BYTES = 1 << 20
# glibc reads this variable at the process's start: a user who set it keeps theirs.
USERS_THRESHOLD = "MALLOC_MMAP_THRESHOLD_"


def choose_allocator(tiled: bool) -> bool:
    """The system's allocator for a process about to run stages in tiles (``tiled``), the
    pool otherwise; a value the user set stays. Only before TensorFlow is imported: after,
    the process keeps what it has. Returns whether the system's is in use."""
    if "tensorflow" not in sys.modules:
        os.environ.setdefault(SYSTEM_ALLOCATOR, "1" if tiled else "0")
    elif tiled and not system_allocator():
        log.info("tiles with oneDNN's pool: TensorFlow was imported before the run was planned")
    if tiled and system_allocator():
        release_freed_blocks()
    return system_allocator()


def release_freed_blocks() -> bool:
    """Fixes glibc malloc's mmap threshold at MMAP_THRESHOLD_BYTES, so that a freed tensor
    of that size or more goes back to the system; whether it was set. Not on other
    systems or C libraries, nor where the user set the threshold."""
    if not sys.platform.startswith("linux") or USERS_THRESHOLD in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # a C library without mallopt (musl has it; others)
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


def system_allocator() -> bool:
    """Whether TensorFlow's tensors come from the system's allocator in this process."""
    return os.environ.get(SYSTEM_ALLOCATOR, "0").strip().lower() in ("1", "true")


def allocator_for_tiles() -> str:
    """The allocator a stage in tiles would have in this process, as the memory estimate
    names it ("system" or "pool", nst.tiled_memory.TILED_IMAGE_VECTORS): the system's,
    which choose_allocator gives a run with tiles, unless TensorFlow is already imported
    or the user set the variable; then whatever that is."""
    if "tensorflow" not in sys.modules and SYSTEM_ALLOCATOR not in os.environ:
        return "system"
    return "system" if system_allocator() else "pool"

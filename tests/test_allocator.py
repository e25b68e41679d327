"""The allocator a run's process takes (nst/allocator.py): the system's for stages in tiles,
chosen before TensorFlow is imported, and what the user set stays; the memory estimate of
a stage in tiles is that of the allocator it will have (allocator_for_tiles)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nst.allocator import SYSTEM_ALLOCATOR, USERS_THRESHOLD

CHOOSE = """
import os, sys
from nst.allocator import allocator_for_tiles, choose_allocator
estimated = allocator_for_tiles()
chosen = choose_allocator({tiled})
print(estimated, chosen, os.environ.get("{name}"), "tensorflow" in sys.modules)
"""


@pytest.mark.parametrize(
    ("tiled", "given", "expected"),
    [
        (True, None, "system True 1 False"),
        (False, None, "system False 0 False"),  # (only a stage in tiles reads the estimate)
        (True, "0", "pool False 0 False"),  # the user's choice stays
    ],
)
def test_tiles_take_the_system_allocator_before_tensorflow_loads(tiled, given, expected):
    env = {k: v for k, v in os.environ.items() if k != SYSTEM_ALLOCATOR}
    if given is not None:
        env[SYSTEM_ALLOCATOR] = given
    code = CHOOSE.format(tiled=tiled, name=SYSTEM_ALLOCATOR)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == expected.split(), out.stderr


def test_after_tensorflow_loads_the_process_keeps_its_allocator():
    env = {k: v for k, v in os.environ.items() if k != SYSTEM_ALLOCATOR}
    code = "import nst.tf_runtime\n" + CHOOSE.format(tiled=True, name=SYSTEM_ALLOCATOR)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["pool", "False", "None", "True"], out.stderr


# After a 30 MiB block is freed, glibc serves 2 MiB blocks from its heap (its threshold
# follows the largest freed block); with the threshold fixed they get pages of their own.
# The last block stays, so the heap's top cannot be trimmed: only pages of their own go.
FRAGMENTS = """
import os
from nst.allocator import choose_allocator
choose_allocator({tiled})
def resident():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
big = bytearray(30 << 20)
del big
blocks = [bytearray(2 << 20) for _ in range(100)]
before = resident()
last = blocks[-1]
del blocks
print(round((before - resident()) / 2**20))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
@pytest.mark.parametrize(("tiled", "returned"), [(True, True), (False, False)])
def test_tiles_give_freed_blocks_back_to_the_system(tiled, returned):
    env = {k: v for k, v in os.environ.items() if k not in (SYSTEM_ALLOCATOR, USERS_THRESHOLD)}
    code = FRAGMENTS.format(tiled=tiled)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    freed_mib = int(out.stdout)  # of 200 MiB freed by Python
    assert (freed_mib > 150) == returned, (freed_mib, out.stderr)

"""The allocator a run's process takes (nst/allocator.py): the system's for stages in tiles,
chosen before TensorFlow is imported, and what the user set stays; the memory estimate of
a stage in tiles is that of the allocator it will have (allocator_for_tiles)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nst.allocator import SYSTEM_ALLOCATOR

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

"""What this computer's CPU can do fast, read without importing TensorFlow.

bfloat16 convolutions (Settings.precision "bfloat16") are only faster than float32 where
the hardware computes bfloat16 natively: x86 CPUs with AVX512_BF16 or AMX-BF16 (oneDNN
uses them), or GPUs with tensor cores. Elsewhere TensorFlow emulates bfloat16 and a step
gets many times slower (figures in bench/RESULTS.md).
"""

from __future__ import annotations

import functools
from pathlib import Path

# Linux /proc/cpuinfo flag names of the native bfloat16 instructions, and their names in
# words (nst.precision says which one it found).
BF16_CPU_FLAGS: dict[str, str] = {"avx512_bf16": "AVX512_BF16", "amx_bf16": "AMX"}


@functools.cache
def _cpuinfo(field: str) -> str | None:
    """The first ``field`` line's value in /proc/cpuinfo; None where there is none."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field):
            return line.partition(":")[2].strip()
    return None


def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags on Linux; empty where /proc/cpuinfo is not there."""
    return frozenset((_cpuinfo("flags") or "").split())


def cpu_has_fast_bfloat16() -> bool:
    """True when the CPU computes bfloat16 natively (AVX512_BF16 or AMX-BF16)."""
    return bool(cpu_flags() & BF16_CPU_FLAGS.keys())


def cpu_has_avx512() -> bool:
    """True when the CPU has AVX-512 (its foundation, "avx512f"), whose float32 kernels
    hold less memory than AVX2's (nst.tiled_memory)."""
    return "avx512f" in cpu_flags()


def cpu_model() -> str:
    """The CPU's model name ("AMD EPYC 7B13"); the processor's name elsewhere, or ''."""
    model = _cpuinfo("model name")
    if model is None and not Path("/proc/cpuinfo").exists():
        import platform

        return platform.processor()
    return model or ""

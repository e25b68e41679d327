"""Which precision a run's convolutions use: Settings.precision "automatic" resolved for
this machine, or the precision the settings force.

bfloat16 convolutions are faster where the hardware computes bfloat16 natively and many
times slower where TensorFlow emulates it (bench/RESULTS.md: a 512x384 step 4.0x faster
with AMX, 1.75x faster on an AMD EPYC with AVX512_BF16 and no AMX, 9.3x slower on one
with AVX2 only). So
"automatic" picks bfloat16 on x86 CPUs with AVX512_BF16 or AMX-BF16 (oneDNN uses them)
and on GPUs with compute capability 8.0 or more (Ampere on: bfloat16 tensor cores), and
float32 where the flags say the hardware lacks it. Where they do not settle it (a GPU
whose capability TensorFlow does not report, a CPU whose flags cannot be read), a short
measured check decides, once per machine, kept in a JSON file in the user's cache folder.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nst.hardware import BF16_CPU_FLAGS, cpu_flags, cpu_model

log = logging.getLogger(__name__)

# The first GPU generation with bfloat16 tensor cores: Ampere, compute capability 8.0
# (NVIDIA's CUDA C++ Programming Guide, "Compute Capabilities"; Turing 7.5 has none).
MIN_BF16_CAPABILITY = (8, 0)
# The measured check picks bfloat16 only when its convolutions take at most this share of
# float32's time: native bfloat16 took 0.25 to 0.57 of it where measured, emulated 9.3
# times it (bench/RESULTS.md), so 0.8 separates the two with room for timing noise.
MEASURED_BF16_SHARE = 0.8
# The measured check's convolutions: VGG19's 64-channel 3x3 layer (block1_conv2) on a
# 64 px image (128 px on a GPU, where a smaller one times the launch, not the work),
# chained CHECK_CONVS deep and timed best of CHECK_REPEATS: a fraction of a second even
# where the bfloat16 half is emulated, and once per machine.
CHECK_CHANNELS = 64
CHECK_CONVS = 4
CHECK_REPEATS = 3
CACHE_NAME = "precision.json"


@dataclass(frozen=True)
class Precision:
    """The precision a run used: ``used`` ("float32" or "bfloat16"), chosen by ``setting``
    ("automatic", or the one the settings force), and why in words."""

    setting: str
    used: str
    reason: str
    # "automatic" only: the step from which a bfloat16 run went on in float32, where
    # bfloat16 could lower the loss no further (nst.run.session); None: it never did.
    float32_from_step: int | None = None

    def words(self) -> str:
        """'bfloat16 (automatic: CPU with AMX)' for the start line and the status bar."""
        how = "automatic" if self.setting == "automatic" else "as set"
        return f"{self.used} ({how}: {self.reason})"

    def recipe(self) -> dict[str, Any]:
        recipe: dict[str, Any] = {"precision_used": self.used, "precision_reason": self.reason}
        if self.float32_from_step is not None:
            recipe["precision_float32_from_step"] = self.float32_from_step
        return recipe


def resolve(setting: str) -> Precision:
    """The precision ``setting`` ("automatic", "float32" or "bfloat16") means here."""
    native, why = hardware_verdict()
    if setting != "automatic":
        if setting == "bfloat16" and native is False:
            log.warning("bfloat16 runs emulated here (%s): slower than float32", why)
        return Precision(setting, setting, "chosen in the settings")
    if native is None:
        native, why = measured_verdict(why)
    return Precision(setting, "bfloat16" if native else "float32", why)


def hardware_verdict() -> tuple[bool | None, str]:
    """(True: bfloat16 is native here, False: it is emulated, None: the flags do not say;
    the reason in words). A GPU decides when TensorFlow sees one: it runs the work."""
    gpu = gpu_details()
    if gpu is not None:
        name, capability = gpu
        if capability is None:
            return None, f"GPU {name} of unknown compute capability"
        cc = ".".join(str(part) for part in capability)
        if tuple(capability) >= MIN_BF16_CAPABILITY:
            return True, f"GPU {name}, compute capability {cc}: bfloat16 tensor cores"
        return False, f"GPU {name}, compute capability {cc}: no bfloat16 tensor cores"
    flags = cpu_flags()
    if not flags:
        return None, "CPU flags unknown"
    have = [name for flag, name in BF16_CPU_FLAGS.items() if flag in flags]
    if have:
        return True, f"CPU with {' and '.join(have)}"
    return False, "CPU without AVX512_BF16/AMX"


def gpu_details() -> tuple[str, tuple[int, ...] | None] | None:
    """(name, compute capability or None) of the first GPU TensorFlow sees; None if none."""
    from nst.tf_runtime import gpu_devices, tf

    gpus = gpu_devices()
    if not gpus:
        return None
    try:
        details = tf.config.experimental.get_device_details(gpus[0])
    except (ValueError, RuntimeError):  # TensorFlow built without the details
        details = {}
    capability = details.get("compute_capability")
    return str(details.get("device_name", gpus[0].name)), (
        tuple(int(part) for part in capability) if capability else None
    )


def cache_path() -> Path:
    """The per-user cache file ($XDG_CACHE_HOME/nst, else ~/.cache/nst)."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "nst" / CACHE_NAME


def machine_key() -> str:
    gpu = gpu_details()
    return f"{cpu_model() or 'unknown CPU'} | {gpu[0] if gpu else 'no GPU'}"


def measured_verdict(why: str) -> tuple[bool, str]:
    """Time bfloat16 against float32 convolutions once per machine (kept in the cache
    file, read back after); whether bfloat16 was clearly faster, with the reason."""
    key, path = machine_key(), cache_path()
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))[key]
        f32, bf16 = float(entry["float32_s"]), float(entry["bfloat16_s"])
    except (OSError, ValueError, KeyError, TypeError):
        f32, bf16 = measure_convolutions()
        _remember(path, key, f32, bf16)
    fast = bf16 <= f32 * MEASURED_BF16_SHARE
    ratio = f32 / bf16 if bf16 > 0 else float("inf")
    return fast, f"{why}; measured bfloat16 convolutions {ratio:.2f}x float32's speed"


def _remember(path: Path, key: str, f32: float, bf16: float) -> None:
    """Add this machine's measurement to the cache file; a file that cannot be written is
    only logged (the check then runs again next time)."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    measured = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    data[key] = {"float32_s": f32, "bfloat16_s": bf16, "measured": measured}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        log.info("could not keep the precision check in %s: %s", path, exc)


def measure_convolutions(size: int | None = None) -> tuple[float, float]:
    """Seconds of CHECK_CONVS chained 3x3 convolutions at ``size`` px, float32 then
    bfloat16, each the best of CHECK_REPEATS after a first call that traces it."""
    from nst.tf_runtime import gpu_devices, tf

    size = size or (128 if gpu_devices() else 64)
    shape = (1, size, size, CHECK_CHANNELS)
    image = tf.random.stateless_uniform(shape, seed=(1, 2))
    kernel = tf.random.stateless_normal((3, 3, CHECK_CHANNELS, CHECK_CHANNELS), seed=(3, 4))
    times = []
    for dtype in (tf.float32, tf.bfloat16):

        @tf.function
        def chain(x: Any, k: Any, dtype: Any = dtype) -> Any:
            x, k = tf.cast(x, dtype), tf.cast(k, dtype) * 0.05
            for _ in range(CHECK_CONVS):
                x = tf.nn.relu(tf.nn.conv2d(x, k, 1, "SAME"))
            return tf.reduce_sum(tf.cast(x, tf.float32))

        chain(image, kernel).numpy()  # traced and warmed up, not timed
        best = float("inf")
        for _ in range(CHECK_REPEATS):
            start = time.perf_counter()
            chain(image, kernel).numpy()  # .numpy() waits for a GPU to finish
            best = min(best, time.perf_counter() - start)
        times.append(best)
    return times[0], times[1]

"""Section 1, step efficiency: counted FLOPs of one step / its measured time, against a
float32 matmul timed in the same run, interleaved, minimum of the repeats."""

from __future__ import annotations

import time
from typing import Any

from bench.config import Config
from bench.reference import reference_settings


def step_flops(height: int, width: int, deepest: str) -> float:
    """Multiply-adds x 2 of VGG19's convs up to ``deepest``, forward and input gradient.

    A 3x3 conv costs 2 * 9 * Cin * Cout FLOPs per output position; its input gradient (a
    transposed conv) the same. Weight gradients are not needed (the weights are fixed).
    Pooling, ReLU, Grams and losses are left out (under 5% of the step at 512 px).
    """
    from nst.vgg.layers import BLOCK_CHANNELS, CONV_LAYERS, POOL_AFTER

    total, channels_in, h, w = 0.0, 3, height, width
    for name in CONV_LAYERS[: CONV_LAYERS.index(deepest) + 1]:
        channels_out = BLOCK_CHANNELS[int(name[5])]
        total += 2.0 * 9 * channels_in * channels_out * h * w
        channels_in = channels_out
        if name in POOL_AFTER:
            h, w = h // 2, w // 2
    return 2.0 * total


def matmul_seconds(n: int, dtype: Any) -> float:
    from nst.tf_runtime import tf

    a = tf.random.uniform((n, n), dtype=tf.float32)
    a = tf.cast(a, dtype)
    tf.matmul(a, a).numpy()  # warm-up
    start = time.perf_counter()
    float(tf.reduce_sum(tf.cast(tf.matmul(a, a)[:1, :1], tf.float32)))
    return time.perf_counter() - start


def sessions_for(size: int, precision: str, weights: Any, images: tuple) -> Any:
    from nst.run.session import Transfer

    settings = reference_settings(size).replace(optimizer="lbfgs", precision=precision, stages=1)
    session = Transfer(settings, content_image=images[0], style_image=images[1], weights=weights)
    session.prepare()
    image = session.initial_image()
    session.evaluate(image)  # traces the graph for this shape
    return session, image


# Where bfloat16 is emulated, it is timed at this size only (a 512 px step would take
# minutes); 128 px is the quick bench's smallest size.
EMULATED_BF16_SIZE = 128


def efficiency(cfg: Config, weights: Any, images: tuple, fast_bf16: bool) -> dict:
    """Where bfloat16 is emulated (no AVX512_BF16/AMX, no GPU) it is about 10x slower than
    float32, so it is timed at EMULATED_BF16_SIZE only, to show that, not at every size."""
    from nst.tf_runtime import tf

    sizes = cfg.efficiency_sizes
    keys = [(size, "float32") for size in sizes]
    if not fast_bf16:  # emulated: one small size, float32 beside it, shows the ratio
        sizes = (EMULATED_BF16_SIZE,)
        keys.append((EMULATED_BF16_SIZE, "float32"))
    keys = list(dict.fromkeys(keys + [(size, "bfloat16") for size in sizes]))
    sessions = {(size, p): sessions_for(size, p, weights, images) for size, p in keys}
    times: dict[Any, list[float]] = {key: [] for key in sessions}
    times["matmul_f32"], times["matmul_bf16"] = [], []
    for _ in range(cfg.repeats):  # interleaved, so that a busy moment hits all alike
        times["matmul_f32"].append(matmul_seconds(cfg.matmul_n, tf.float32))
        times["matmul_bf16"].append(matmul_seconds(cfg.matmul_n, tf.bfloat16))
        for key, (session, image) in sessions.items():
            start = time.perf_counter()
            session.evaluate(image)
            times[key].append(time.perf_counter() - start)
    flops_mm = 2.0 * cfg.matmul_n**3
    out: dict[str, Any] = {
        "matmul_gflops_f32": flops_mm / min(times["matmul_f32"]) / 1e9,
        "matmul_gflops_bf16": flops_mm / min(times["matmul_bf16"]) / 1e9,
        "steps": [],
    }
    for (size, precision), (session, _) in sessions.items():
        deepest = session.settings.layers_in_use[-1]
        flops = step_flops(session.height, session.width, deepest)
        seconds = min(times[(size, precision)])
        out["steps"].append(
            {
                "size": f"{session.width}x{session.height}",
                "precision": precision,
                "seconds": seconds,
                "gflops": flops / 1e9,
                "gflops_per_s": flops / seconds / 1e9,
                "of_matmul_f32": flops / seconds / 1e9 / out["matmul_gflops_f32"],
            }
        )
    return out

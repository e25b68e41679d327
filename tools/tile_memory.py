"""What one tile's evaluation holds: the memory a tiled stage's network part takes, by the
tile's side, with the system's allocator (nst/allocator.py), in float32 or bfloat16.

    python -m tools.tile_memory [--precision bfloat16] 256 512 768 1088 1344

In one fresh process with the allocator a run with tiles takes (nst.allocator),
for each side S: a random S x S tile goes through pass 1 (forward, its sums) and pass 2
(forward and backward, its gradient) of nst.objective.tiled.TiledLoss, the paper's layers.
Before each pass the peak is reset (/proc/self/clear_refs, 5), and after it VmHWM is read
(measure_memory.peak_rss): what the pass added over what the process held just before is
the network's part of the tiled estimate (nst/tiled_memory.py). Prints one JSON line a
side, then the least-squares line of pass 2's part against VGG19's activation values
(memory_model.activation_values).
"""

from __future__ import annotations

import json
import os
import sys

from tools.measure_memory import peak_rss


def reset_peak() -> None:
    """Start VmHWM afresh at the present resident size (Linux 4.0 and later)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")


def main(sides: list[int], precision: str = "float32") -> None:
    from nst.allocator import choose_allocator

    choose_allocator(tiled=True)  # as a run with tiles has it, before TensorFlow loads
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import numpy as np

    from nst.memory import resident_bytes
    from nst.memory_model import activation_values
    from nst.objective.tile_plan import pools_before
    from nst.objective.tiled import TiledLoss
    from nst.settings import Settings
    from nst.tf_runtime import tf
    from nst.vgg.extractor import get_extractor
    from nst.vgg.layers import BLOCK_CHANNELS
    from nst.vgg.weights import load_weights

    content_layers, style_layers = Settings().term_layers  # the default: the paper's layers
    extractor = get_extractor(load_weights(allow_download=False))
    loss = TiledLoss(extractor, content_layers, style_layers, precision, tile=4096)
    rng = np.random.default_rng(0)

    def passes(side: int) -> tuple[int, int, int]:
        pixels = tf.constant(rng.uniform(0, 255, (1, side, side, 3)).astype(np.float32))
        inner = tf.constant([0, 0, side, side])
        targets = tuple(  # a content layer's map: 2x2 poolings before its block
            tf.zeros(
                (1, side >> pools_before(n), side >> pools_before(n), BLOCK_CHANNELS[int(n[5])])
            )
            for n in content_layers
        )
        d_errors = tuple(tf.constant(1e-6) for _ in content_layers)
        d_sums = tuple(tf.fill((BLOCK_CHANNELS[int(n[5])],) * 2, 1e-6) for n in style_layers)
        reset_peak()
        before = resident_bytes(host_only=True)
        loss._tile_sums(pixels, inner, targets, None)
        forward = peak_rss()
        reset_peak()
        loss._tile_gradient(pixels, inner, targets, None, d_sums, d_errors)
        return before, forward, peak_rss()

    passes(64)  # traces both passes for any shape (reduce_retracing) before measuring
    values, added = [], []
    for side in sides:
        before, forward, backward = passes(side)
        count = activation_values(side, side, style_layers + content_layers)
        values.append(count)
        added.append(backward - before)
        line = {
            "side": side,
            "precision": precision,
            "activation_values": count,
            "held_gib": round(before / 2**30, 3),
            "pass1_added_gib": round((forward - before) / 2**30, 3),
            "pass2_added_gib": round((backward - before) / 2**30, 3),
            "pass2_bytes_per_value": round((backward - before) / count, 2),
        }
        print(json.dumps(line), flush=True)
    if len(sides) > 1:
        slope, intercept = np.polyfit(values, added, 1)
        print(
            json.dumps(
                {"bytes_per_value": round(slope, 2), "intercept_gib": round(intercept / 2**30, 3)}
            )
        )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    chosen = "float32"
    if arguments[:1] == ["--precision"]:
        chosen, arguments = arguments[1], arguments[2:]
    main([int(side) for side in arguments] or [256, 512, 768, 1088, 1344], chosen)

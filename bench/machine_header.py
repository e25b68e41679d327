"""The bench's first lines: the machine it ran on and what "Automatic" chose there, then
the optimizer's own share of a step (bench/optimizer_share.py) at that precision.

The machines differ from session to session (AMD EPYC with AVX2 only or with
AVX512_BF16, Intel Xeon with AMX: bench/RESULTS.md), and every figure below the header
depends on which.
"""

from __future__ import annotations

from typing import Any

# The CPU flags that decide a step's speed: AVX2 and AVX-512 float32 throughput, and
# native bfloat16 (AVX512_BF16, AMX-BF16) for the "bfloat16"/"automatic" precision.
FLAGS_THAT_MATTER = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")


def header_lines() -> list[str]:
    """CPU model and its flags that matter, the GPU if any, and the precision chosen."""
    from nst.hardware import cpu_flags, cpu_model
    from nst.precision import gpu_details, resolve

    flags = cpu_flags()
    said = ", ".join(f"{flag} {'yes' if flag in flags else 'no'}" for flag in FLAGS_THAT_MATTER)
    gpu = gpu_details()
    if gpu is None:
        gpu_words = "none"
    else:
        capability = ".".join(map(str, gpu[1])) if gpu[1] else "unknown"
        gpu_words = f"{gpu[0]} (compute capability {capability})"
    chosen = resolve("automatic")
    return [
        f"- CPU: {cpu_model() or 'unknown'}; flags: {said if flags else 'unknown'}",
        f"- GPU: {gpu_words}",
        f'- precision "Automatic" chose: {chosen.used} ({chosen.reason})',
    ]


def optimizer_share(size: int) -> dict[str, Any]:
    """The compiled L-BFGS's own work in a step with a full history against one
    loss-and-gradient evaluation at ``size`` px, in the precision Automatic chose."""
    from bench.optimizer_share import compiled_step_cost, evaluator, session_at, timed
    from nst.memory_model import lbfgs_history
    from nst.tf_runtime import tf

    session = session_at(size)
    evaluate = evaluator(session)
    x = tf.reshape(session.initial_image(), (-1,))
    pairs = lbfgs_history(int(x.shape[0]))
    evaluation = timed(lambda: evaluate(x)[1].numpy(), 3)
    own = compiled_step_cost(int(x.shape[0]), pairs)
    return {
        "size": f"{session.width}x{session.height}",
        "precision": session.precision.used,
        "pairs": pairs,
        "evaluation_s": evaluation,
        "optimizer_s": own,
        "share": own / (own + evaluation),
    }


def share_line(share: dict[str, Any]) -> str:
    return (
        f"- optimizer's share of a step: {100 * share['share']:.1f}% at {share['size']} px, "
        f"{share['precision']} (compiled L-BFGS, {share['pairs']} pairs: "
        f"{share['optimizer_s'] * 1e3:.1f} ms beside a {share['evaluation_s']:.3f} s "
        "evaluation; bench/optimizer_share.py)"
    )

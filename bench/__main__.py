"""python -m bench: the speed of this app, measured side by side in one run.

    python -m bench                     # the issue's sizes: hours on a busy 2-core CPU
    python -m bench --quick             # 128-256 px: about 20 minutes on a busy 2-core CPU
    python -m bench --recompute-reference

Sections (issue 4), after the header (machine, precision, optimizer's share):
- wall: the default run's wall time, Run to saved file (bench/wall_time.py).
1. Step efficiency (bench/efficiency.py): counted FLOPs of a step / its time, against a
   float32 matmul timed in the same run.
2. Time to quality (bench/quality.py): seconds of each optimizer / preset until its float32
   loss reaches the loss of 1000 Adam steps (bench/reference.py, cached); the default at
   the precision "automatic" picks, beside Adam at the same precision.
3. The peer, pastiche 1.6.0 on PyTorch (CPU), in its own venv (bench/peer_run.py).
4. Peak memory (RSS) of a whole run in a child process (bench/peak_memory.py).
The report (bench/report.py) is printed and appended, with the date and machine, to the
end of bench/RESULTS.md; what is already there stays.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench.config import FULL, QUICK
from bench.reference import CONTENT, STYLE

SECTIONS = ("optimizer", "wall", "efficiency", "quality", "peer", "memory")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument("--recompute-reference", action="store_true")
    parser.add_argument(
        "--only", nargs="+", choices=SECTIONS, help="run only these sections (default: all)"
    )
    parser.add_argument("--sizes", type=int, nargs="+", help="step-efficiency sizes (px)")
    parser.add_argument("--quality-size", type=int, help="time-to-quality size (px)")
    parser.add_argument("--reference-steps", type=int, help="Adam steps of the reference")
    parser.add_argument(
        "--no-save", action="store_true", help="do not append the report to bench/RESULTS.md"
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        help="seconds per run of the default's time-to-quality rows, and for the peer",
    )
    parser.add_argument("--other-limit", type=float, help="seconds per RMSprop/SGD/Adadelta run")
    parser.add_argument(
        "--json", metavar="FILE", help="also write every measurement (loss curves too) here"
    )
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        from bench.peak_memory import memory_child

        memory_child(args.memory_child)
        return 0
    cfg = QUICK if args.quick else FULL
    if args.quality_size:
        cfg = dataclasses.replace(cfg, quality_size=args.quality_size)
    if args.time_limit:
        cfg = dataclasses.replace(cfg, time_limit_s=args.time_limit)
    if args.other_limit is not None:
        cfg = dataclasses.replace(cfg, other_limit_s=args.other_limit)
    if args.reference_steps:
        cfg = dataclasses.replace(cfg, reference_steps=args.reference_steps)
    sections = set(args.only or SECTIONS)
    from bench.machine_header import header_lines, optimizer_share, share_line

    machine_lines = header_lines()  # first, so that what follows reads against it
    print("\n".join(machine_lines), flush=True)
    if "optimizer" in sections:
        machine_lines.append(share_line(optimizer_share(128 if args.quick else 512)))
        print(machine_lines[-1], flush=True)

    from nst.imaging.load import load_image
    from nst.precision import resolve
    from nst.vgg.weights import load_weights

    # Native bfloat16 here (CPU flags, or a GPU with bfloat16 tensor cores): what
    # "automatic" decides, not a second rule of the bench's own.
    fast_bf16 = resolve("automatic").used == "bfloat16"
    weights = load_weights(None)
    imgs = (load_image(str(CONTENT)), load_image(str(STYLE)))
    load_before = os.getloadavg()
    started = time.perf_counter()
    results: dict[str, Any] = {"config": cfg.__dict__}
    if "wall" in sections:
        from bench.wall_time import wall_time

        print("wall time of the default run ...", file=sys.stderr, flush=True)
        results["wall"] = wall_time(cfg.wall_size)
    if "efficiency" in sections:
        from bench.efficiency import efficiency

        print("step efficiency ...", file=sys.stderr, flush=True)
        if args.sizes:
            cfg = dataclasses.replace(cfg, efficiency_sizes=tuple(args.sizes))
        results["efficiency"] = efficiency(cfg, weights, imgs, fast_bf16)
    if sections & {"quality", "peer"}:
        from bench.quality import reference_for, time_to_quality

        ref = reference_for(cfg, args.recompute_reference)
        how = "computed in this run" if ref["computed_here"] else f"cached, {ref['computed']}"
        results["reference"] = (
            f"{ref['steps']} Adam steps at {cfg.quality_size} px, float32, "
            f"default layers and weights; {how}"
        )
    if "quality" in sections:
        print("time to quality ...", file=sys.stderr, flush=True)
        results["quality"] = time_to_quality(cfg, ref, weights, imgs)
    if "peer" in sections:
        from bench.peer_run import our_eval_seconds, peer

        print("peer ...", file=sys.stderr, flush=True)
        results["our_eval_s"] = our_eval_seconds(cfg, weights, imgs)
        results["peer"] = peer(cfg, ref["loss"], weights, imgs)
    if "memory" in sections:
        from bench.peak_memory import peak_rss

        print("memory ...", file=sys.stderr, flush=True)
        results["memory"] = [peak_rss(size) for size in cfg.memory_sizes]
    from bench.report import append_results, header, table

    lines = header(
        args.quick,
        machine_lines,
        load_before[0],
        os.getloadavg()[0],
        time.perf_counter() - started,
        argv if argv is not None else sys.argv[1:],
    )
    text = "\n".join(lines) + table(results)
    print(text)
    if not args.no_save:
        append_results(text)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The report: the machine in words, the header lines, the markdown table of every section
run, and appending it all to bench/RESULTS.md."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
WALL_HEADING = "## Wall time of the default run, Run to saved file"


def machine() -> str:
    from nst.hardware import cpu_flags, cpu_has_fast_bfloat16
    from nst.run.result import device_description
    from nst.tf_runtime import tf

    model = "unknown CPU"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    isa = "AVX-512" if "avx512f" in cpu_flags() else "AVX2" if "avx2" in cpu_flags() else "?"
    bf16 = "native bfloat16" if cpu_has_fast_bfloat16() else "no native bfloat16"
    return (
        f"{device_description()}, {model}, {isa}, {bf16}; TensorFlow {tf.__version__}, "
        f"Python {platform.python_version()}"
    )


def header(
    quick: bool,
    machine_lines: list[str],
    load_before: float,
    load_after: float,
    seconds: float,
    arguments: list[str],
) -> list[str]:
    """The block's first lines: what ran, when, where, how busy the machine was."""
    return [
        f"# Benchmark results ({'quick' if quick else 'full'})",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- machine: {machine()}",
        *machine_lines,
        f"- load average (1 min) at start {load_before:.1f}, at end {load_after:.1f}"
        f"{busy_note(max(load_before, load_after))}",
        f"- bench wall time: {seconds:.0f} s; command: `python -m bench {' '.join(arguments)}`",
        "",
    ]


def busy_note(load: float) -> str:
    """Says so when the load average was above the cores: more threads wanted the CPU than
    it has (other work, or more threads of this run than cores)."""
    cores = os.cpu_count() or 1
    if load > cores:
        return f" (above the core count ({cores}): more threads wanted the CPU than it has)"
    return ""


def append_results(text: str, path: Path = RESULTS) -> None:
    """Add ``text`` at the end of ``path`` after a blank line; what is there stays."""
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    lead = "" if not before else "\n" if before.endswith("\n") else "\n\n"
    with path.open("a", encoding="utf-8") as out:
        out.write(lead + text + "\n")


def table(results: dict[str, Any]) -> str:
    lines = []
    if results.get("wall"):
        from bench.wall_time import wall_lines

        lines += ["", WALL_HEADING, "", *wall_lines(results["wall"]), ""]
    if results.get("efficiency"):
        lines += efficiency_lines(results["efficiency"], results["config"]["matmul_n"])
    if results.get("quality"):
        lines += quality_lines(results)
    if results.get("peer"):
        lines += peer_lines(results)
    if results.get("memory"):
        lines += memory_lines(results["memory"])
    return "\n".join(lines)


def efficiency_lines(eff: dict[str, Any], matmul_n: int) -> list[str]:
    lines = [
        "## Step efficiency",
        "",
        f"matmul {matmul_n}^2: float32 "
        f"{eff['matmul_gflops_f32']:.0f} GFLOP/s, bfloat16 {eff['matmul_gflops_bf16']:.0f}"
        " GFLOP/s",
        "",
        "| size | precision | step s | GFLOP/step | GFLOP/s | of f32 matmul |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in eff["steps"]:
        lines.append(
            f"| {r['size']} | {r['precision']} | {r['seconds']:.3f} | "
            f"{r['gflops']:.1f} | {r['gflops_per_s']:.0f} | "
            f"{r['of_matmul_f32']:.0%} |"
        )
    lines.append("")
    return lines


def quality_lines(results: dict[str, Any]) -> list[str]:
    ttq = results["quality"]
    adam = ttq["rows"][0]["seconds"]
    lines = [
        "## Time to quality",
        "",
        f"target: total loss {ttq['target']:.4g} ({results['reference']})",
        "",
        "| run | seconds | steps | evaluations | loss | vs Adam |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in ttq["rows"]:
        s = r["seconds"]
        limit = r.get("limit", results["config"]["time_limit_s"])
        shown = f"{s:.1f}" if s is not None else f"not reached in {limit:.0f} s"
        ratio = f"{adam / s:.2f}x faster" if s else "-"
        lines.append(
            f"| {r['name']} | {shown} | {r['steps']} | {r['evaluations']} | "
            f"{r['loss']:.4g} | {ratio} |"
        )
    lines.append("")
    lines += same_precision_lines(ttq["rows"])
    q = ttq.get("quarter")
    if q:
        lines.append(
            f"at a quarter of Adam's time ({q['seconds']:.0f} s, {q['adam_steps']} Adam "
            f"steps{whose_adam(q, ttq['rows'])}): Adam's loss {q['adam']:.4g}"
        )
        for name, loss in q["ours"].items():
            shown = f"{loss:.4g}" if loss is not None else "not yet at the final size"
            lines.append(f"- {name}: {shown}")
        lines.append("")
    return lines


def same_precision_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The default against Adam at the default's precision, where both reached the target."""
    default = next((r for r in rows if "(default)" in r["name"]), None)
    adam = next((r for r in rows[1:] if r["name"].startswith("Adam, ")), None)
    if default is None or adam is None or not default["seconds"] or not adam["seconds"]:
        return []
    return [
        f"at the same precision: the default {default['seconds']:.1f} s, {adam['name']} "
        f"{adam['seconds']:.1f} s: the default {adam['seconds'] / default['seconds']:.2f}x "
        "faster",
        "",
    ]


def whose_adam(quarter: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """Which Adam the quarter is of: the row at the default's precision, or the reference."""
    against = quarter.get("against", rows[0]["name"])
    if against != rows[0]["name"]:
        return f'; Adam\'s time: that of "{against}"'
    unreached = [r["name"] for r in rows[1:] if r["name"].startswith("Adam, ")]
    why = f": {unreached[0]} did not reach the target" if unreached else ""
    return f"; Adam's time: the float32 reference's{why}"


def peer_lines(results: dict[str, Any]) -> list[str]:
    pe = results["peer"]
    lines = ["## Peer: pastiche 1.6.0 (PyTorch 2.13.0, CPU)", ""]
    if "error" in pe:
        return [*lines, f"not run: {pe['error']}", ""]
    ours = results["our_eval_s"]
    lines.append(
        "same objective: pastiche's layer weights set from our targets and our total "
        "variation term added (bench/peer.py); the photo's loss by pastiche's own code "
        f"{pe['initial_loss_theirs']:.5g}, by ours {pe['initial_loss_ours']:.5g}"
    )
    lines.append("")
    lines.append(
        f"seconds per step at {pe['size'][0]}x{pe['size'][1]}: pastiche "
        f"{pe['seconds_per_step']:.3f}, ours (float32 evaluation) {ours:.3f}: "
        f"ours {pe['seconds_per_step'] / ours:.2f}x faster per step"
    )
    rows = (results.get("quality") or {}).get("rows", [])[1:]
    best_ours = min((r["seconds"] for r in rows if r["seconds"]), default=None)
    if pe["reached"]:
        r = pe["reached"]
        versus = (
            f"ours (fastest row above) {best_ours:.1f} s: {r['seconds'] / best_ours:.2f}x faster"
            if best_ours
            else "ours: not reached in this run"
        )
        lines.append(
            f"pastiche reached the target loss after {r['steps']} steps, "
            f"{r['seconds']:.1f} s; {versus}"
        )
    else:
        lines.append(
            f"pastiche did not reach the target loss in {pe['steps_run']} steps "
            f"({pe['seconds_run']:.0f} s); its best, scored by our loss: "
            f"{pe['best_loss']:.4g}"
        )
    lines += versus_peers_best(pe, rows)
    lines.append("")
    return lines


def versus_peers_best(pe: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """To the loss pastiche reached at its best, the same loss for both: when each got there."""
    lines = []
    for r in rows:
        if "(default)" not in r["name"]:
            continue
        when = next((t for t, loss in r.get("curve", []) if loss <= pe["best_loss"]), None)
        if when is None:
            lines.append(f"{r['name']} did not reach pastiche's best loss in its run")
        else:
            lines.append(
                f"to pastiche's best loss ({pe['best_loss']:.4g}, its {pe['best_seconds']:.0f} s):"
                f" {r['name']} {when:.1f} s, {pe['best_seconds'] / when:.2f}x faster"
            )
    return lines


def memory_lines(mem: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Peak memory (RSS) of a default run (one step at each coarse size, then a full"
        " L-BFGS history at the output size)",
        "",
        "| output size | peak RSS GiB | seconds | ok |",
        "| ---: | ---: | ---: | --- |",
    ]
    for m in mem:
        lines.append(
            f"| {m['size']} | {m['gib']:.2f} | {m['seconds']:.0f} | "
            f"{'yes' if m['ok'] else m['error']} |"
        )
    lines.append("")
    return lines

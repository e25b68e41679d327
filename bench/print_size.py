"""Print sizes (issue 21): a run's last stage at a large size, each in a fresh process,
its peak memory against the estimate and its seconds per evaluation.

    python -m bench.print_size [--precision P] OUT.jsonl SIZE[:STEPS[:MAX_MEMORY_GB]] ...

Each case runs tubingen.jpg in starry_night.jpg at SIZE px as one stage (stages=1) of
STEPS L-BFGS steps (default 12: L-BFGS then holds its 10 pairs; 0: one evaluation,
timed), within MAX_MEMORY_GB when given (else what is free, less the margin), in a
child process, so that its peak RSS (ru_maxrss) is its own: that of its steps, and that
of the whole run, whose result is evaluated once more in float32
(Transfer.saved_losses). The session decides whether the stage goes in tiles and how
(nst.tiled_memory); the line written for it says so, with the estimate of its peak (the
room for all its L-BFGS pairs is taken at the start), the seconds its targets took, and
the seconds per evaluation (the first, which traces, left out). One JSON line per case
is appended to OUT as each ends, so a long series keeps what it has measured if it is
stopped. ``--precision``: the runs' Settings.precision (default "automatic"). With
``NST_RSS_PHASES=1`` in the environment the line also gives the largest resident set seen
in each phase of the engine (bench/rss_phases.py) and the phase of the peak.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "gui" / "samples"


def child(size: int, steps: int, max_memory: float | None, precision: str) -> None:
    """One case, in this process: prints its JSON line."""
    from nst.allocator import system_allocator
    from nst.settings import Settings

    settings = Settings(
        content=str(SAMPLES / "tubingen.jpg"),
        style=str(SAMPLES / "starry_night.jpg"),
        size=size,
        iterations=max(steps, 1),  # STEPS 0: one evaluation, no step taken
        stages=1,
        preview_every=0,
        max_memory=max_memory,
        precision=precision,
    )
    sampler = None
    if os.environ.get("NST_RSS_PHASES") == "1":
        from bench.rss_phases import PhaseSampler

        sampler = PhaseSampler().start()
    # As the command line admits a run: its plan, and the allocator the plan wants (where
    # the environment does not say), before TensorFlow loads.
    from nst.imaging.load import load_image
    from nst.memory import admit_run

    content, style = (load_image(path) for path in (settings.content, settings.style))
    admit_run(settings, *((image.shape[1], image.shape[0]) for image in (content, style)))
    from nst.run.session import Transfer

    started = time.perf_counter()
    session = Transfer(settings)
    session.prepare()
    prepared = time.perf_counter() - started
    if steps == 0:  # one evaluation at the stage's start, timed: a size too slow for steps
        one_evaluation(session, size, prepared)
        return
    times, evaluations = [], []
    last = time.perf_counter()
    for progress in session.steps():
        now = time.perf_counter()
        times.append(now - last)
        evaluations.append(progress.evaluations)
        last = now
    # The steps' peak, then the run's: Transfer.result evaluates the saved image once
    # more, in float32 whatever the precision (saved_losses), as every run does.
    loop_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    ended = time.perf_counter()
    saved_loss = session.result().losses["total"]
    result_s = time.perf_counter() - ended
    # The first step traces and evaluates twice (its start and its trial): left out.
    timed = sum(times[1:])
    counted = evaluations[-1] - evaluations[0] if len(evaluations) > 1 else 0
    width, height, tile = session.width, session.height, session.tile
    history = session.history or 0
    held = min(history, max(0, steps - 1))  # a pair per accepted step after the first
    # L-BFGS allocates the room for all its pairs at the stage's start (optim/pairs.py),
    # and a pair's first write replaces a group of slots: the history's rows, any steps.
    estimate = estimate_bytes(session, history)
    line = {
        "size": size,
        "width": width,
        "height": height,
        "tile": tile,
        "tiles": session.tile_count,
        "history": history,
        "pairs_held": held,
        "steps": len(times),
        "evaluations": evaluations[-1],
        "prepare_s": round(prepared, 1),
        "s_per_evaluation": round(timed / counted, 2) if counted else None,
        "estimate_gib": round(estimate / 2**30, 2),
        "precision": session.precision.used,
        "loss": progress.total_loss,
        "saved_loss": saved_loss,
        "result_s": round(result_s, 1),
        "loop_peak_gib": round(loop_peak, 2),
        "system_allocator": system_allocator(),  # nst/allocator.py: from the environment here
    }
    if sampler is not None:
        line["phases"] = sampler.stop()
    print(json.dumps(line), flush=True)


def estimate_bytes(session: Any, pairs: int) -> int:
    """The estimate of the session's stage with room for ``pairs`` L-BFGS pairs (in tiles:
    with the system's allocator, as the case's process has it)."""
    from nst.memory import tile_kernels, whole_kernels
    from nst.memory_model import peak_bytes
    from nst.tiled_memory import tiled_peak_bytes

    content, style = session.settings.term_layers
    size = (session.width, session.height)
    if session.tile is None:
        layers = tuple(dict.fromkeys(content + style))
        kernels = whole_kernels(session.settings)
        return peak_bytes(*size, layers, "lbfgs", history=pairs, kernels=kernels)
    kind = {"history": pairs, "kernels": tile_kernels(session.settings)}  # as the run plans
    return tiled_peak_bytes(*size, content, style, "lbfgs", session.tile, **kind)


def one_evaluation(session: Any, size: int, prepared: float) -> None:
    """STEPS 0: the seconds of one evaluation (traced as it goes) and the plan; prints the
    case's JSON line."""
    started = time.perf_counter()
    loss = session.evaluate(session.initial_image())[0]
    seconds = time.perf_counter() - started
    line = {
        "size": size,
        "width": session.width,
        "height": session.height,
        "tile": session.tile,
        "tiles": session.tile_count,
        "history": session.history,
        "prepare_s": round(prepared, 1),
        "s_first_evaluation": round(seconds, 1),
        "estimate_gib": round(estimate_bytes(session, 0) / 2**30, 2),  # no optimizer made
        "precision": session.precision.used,
        "loss": loss,
    }
    print(json.dumps(line), flush=True)


def run_case(case: str, precision: str) -> dict[str, Any]:
    size, steps, memory = (case.split(":") + ["12", ""])[:3]
    command = [sys.executable, "-m", "bench.print_size", "--child", size, steps, memory or "-"]
    command.append(precision)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    out = process.stdout.read().decode() if process.stdout else ""
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    lines = [line for line in out.splitlines() if line.startswith("{")]
    result: dict[str, Any] = json.loads(lines[-1]) if lines else {"size": int(size)}
    result.update(
        case=case,
        peak_gib=round(usage.ru_maxrss / 2**20, 2),
        wall_s=round(time.perf_counter() - started, 1),
        ok=os.waitstatus_to_exitcode(status) == 0,
    )
    if not result["ok"]:
        result["error"] = error.strip()[-400:]
    if "estimate_gib" in result:
        result["estimate_over_peak"] = round(result["estimate_gib"] / result["peak_gib"], 3)
    return result


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        size, steps, memory, precision = argv[1:5]
        child(int(size), int(steps), None if memory == "-" else float(memory), precision)
        return 0
    precision = "automatic"
    if argv[:1] == ["--precision"]:
        precision, argv = argv[1], argv[2:]
    out, cases = Path(argv[0]), argv[1:]
    from bench.machine_header import header_lines

    print("\n".join(header_lines()), flush=True)
    for case in cases:
        result = run_case(case, precision)
        print(json.dumps(result), flush=True)
        with out.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

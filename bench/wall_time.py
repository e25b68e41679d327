"""The wall time a user waits for the README's hero command, from Run to the saved file.

    python -m bench.wall_time                       # 512 px, the default settings
    python -m bench.wall_time --size 128 --precision float32

The command line itself runs in a child process (``nst_cli.main.main``, the code that
``nst`` runs, with the hero command's arguments), so start-up counts: the interpreter,
importing TensorFlow, loading the weights. Its phases are timed by wrapping, in the child,
the engine calls that the command makes (Transfer.prepare, each progress report,
Transfer.result, save_outcome); the parent times the whole from just before it starts the
child to the child's exit. Phases, in the order a user meets them:

- start-up: launch to the end of Transfer.prepare (Python, TensorFlow, the weights, the
  images, the first stage's targets);
- each stage: to its last step (the first stage's first step includes tracing the loss);
- result: the best image at the output size and its float32 losses;
- saving: writing the image and its recipe;
- exit: the process ending.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The README's hero command (its output folder is a temporary one here).
HERO = ["--content", "gui/samples/tubingen.jpg", "--style", "gui/samples/starry_night.jpg"]


def wall_time(
    size: int = 512, precision: str | None = None, iterations: int | None = None
) -> dict[str, Any]:
    """Run the hero command at ``size`` (``precision``, ``iterations``: None for the
    default; fewer steps for a quick check of the measuring itself) in a child process;
    its phases in seconds, the total, the precision used and the saved losses."""
    with tempfile.TemporaryDirectory(prefix="nst-wall-") as folder:
        events = Path(folder) / "events.json"
        arguments = [*HERO, "--output-dir", folder, "--size", str(size)]
        if precision:
            arguments += ["--precision", precision]
        if iterations:
            arguments += ["--iterations", str(iterations)]
        command = [sys.executable, "-m", "bench.wall_time", "--child", str(events), *arguments]
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        launched = time.time()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        ended = time.time()
        if done.returncode != 0:
            raise RuntimeError(
                f"the hero command failed ({done.returncode}): {done.stderr[-2000:]}"
            )
        record = json.loads(events.read_text(encoding="utf-8"))
        recipe = json.loads(
            Path(done.stdout.strip().splitlines()[-1])
            .with_suffix(".json")
            .read_text(encoding="utf-8")
        )
    return {
        "size": size,
        "precision": recipe.get("precision_used"),
        "precision_reason": recipe.get("precision_reason"),
        "phases": phases(launched, record, ended),
        "total_s": round(ended - launched, 2),
        "steps": recipe.get("steps"),
        "evaluations": stage_counts(record["steps"]),
        "losses": recipe.get("final_losses"),
        "command": "nst " + " ".join(arguments).replace(folder, "OUT"),
    }


def phases(launched: float, record: dict[str, Any], ended: float) -> list[tuple[str, float]]:
    """(name, seconds) in order; they add up to the total."""
    marks: list[tuple[str, float]] = [("start-up", record["prepared"])]
    steps = record["steps"]  # [time, stage, stages, evaluations] per progress report
    for stage in sorted({row[1] for row in steps}):
        times = [row[0] for row in steps if row[1] == stage]
        if stage == 1:
            marks.append(("stage 1, first step (traces the loss)", times[0]))
        marks.append((f"stage {stage} of {steps[-1][2]}", times[-1]))
    marks += [
        ("result (best image, its float32 losses)", record["result"]),
        ("saving (image and recipe)", record["saved"]),
        ("exit", ended),
    ]
    out, before = [], launched
    for name, at in marks:
        out.append((name, round(at - before, 2)))
        before = at
    return out


def stage_counts(steps: list[list[Any]]) -> list[tuple[int, int]]:
    """(steps, loss evaluations) of each stage, from the progress reports."""
    counts, before = [], 0
    for stage in sorted({row[1] for row in steps}):
        rows = [row for row in steps if row[1] == stage]
        counts.append((len(rows), rows[-1][3] - before))
        before = rows[-1][3]
    return counts


def wall_lines(result: dict[str, Any]) -> list[str]:
    """Markdown lines for the bench's report."""
    lines = [
        f"`{result['command']}` ({result['steps']} steps; precision {result['precision']}: "
        f"{result['precision_reason']}): **{result['total_s']:.1f} s** from launch to exit.",
        "",
        "| phase | seconds | share |",
        "| --- | --- | --- |",
    ]
    for name, seconds in result["phases"]:
        lines.append(f"| {name} | {seconds:.2f} | {100 * seconds / result['total_s']:.1f}% |")
    counts = ", ".join(
        f"stage {i}: {n} steps, {e} evaluations"
        for i, (n, e) in enumerate(result["evaluations"], 1)
    )
    lines += [
        "",
        f"Loss evaluations (L-BFGS's line search may take more than one a step): {counts}.",
    ]
    losses = result.get("losses") or {}
    if losses:
        lines += ["", f"Float32 loss of the saved image: {losses['total']:.4f}."]
    return lines


# --- the child ---------------------------------------------------------------------------


def child(events_path: str, arguments: list[str]) -> int:
    """Run the command line with its engine calls timed; write their times as JSON."""
    record: dict[str, Any] = {"steps": []}
    from nst.run import outcome, session
    from nst_cli import main as cli
    from nst_cli.progress import ProgressPrinter

    def after(owner: Any, name: str, key: str) -> None:
        real = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            value = real(*args, **kwargs)
            record.setdefault(key, time.time())  # the first call: result() is called once
            return value

        setattr(owner, name, timed)

    after(session.Transfer, "prepare", "prepared")
    after(session.Transfer, "result", "result")
    after(outcome, "save_outcome", "saved")
    show = ProgressPrinter.__call__

    def progress(self: Any, p: Any) -> None:
        record["steps"].append((time.time(), p.stage, p.stages, p.evaluations))
        show(self, p)

    ProgressPrinter.__call__ = progress
    status = cli.main(arguments)
    Path(events_path).write_text(json.dumps(record), encoding="utf-8")
    return status


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:  # --child EVENTS_FILE, then the command line's arguments
        return child(argv[1], argv[2:])
    parser = argparse.ArgumentParser(prog="python -m bench.wall_time", description=__doc__)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--precision", choices=("float32", "bfloat16"))
    parser.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = parser.parse_args(argv)
    result = wall_time(args.size, args.precision)
    print("\n".join(wall_lines(result)))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

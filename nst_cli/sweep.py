"""nst sweep ...: a grid of small runs and their contact sheet (the engine: nst/sweep/)."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any

from nst.cluster.sweep import RaySweepRun
from nst.imaging.load import load_image
from nst.imaging.save import check_output_dir
from nst.settings import MAX_SIZE, MIN_SIZE
from nst.sweep.axes import LAYER_SETS, SweepError, parse_axis, sweepable_names
from nst.sweep.grid import CELL_SIZE, SWEEP_ITERATIONS, Sweep
from nst.sweep.runner import CellDone, CellStep, SweepRun
from nst_cli.arguments import settings_from_args
from nst_cli.exits import EXIT_INTERRUPTED, reporting_errors, setup_logging
from nst_cli.options import UsageError, build_parser
from nst_cli.ray_option import add_ray_option, cluster_for


def main(argv: Sequence[str]) -> int:
    """python -m nst sweep ...: see build_sweep_parser."""
    return reporting_errors(_main, argv)


def build_sweep_parser() -> Any:
    """The run's parser (every option of python -m nst) plus --vary and --cell-size."""
    p = build_parser(
        prog="python -m nst sweep",
        description="Render a grid of small runs that differ in one or two settings, and a "
        "contact sheet of them labelled with the values. Every option of python -m nst sets "
        "the base run.",
    )
    for action in p._actions:  # argparse has no public way to reword an option's help
        if action.dest == "iterations":
            action.help = f"optimizer steps of each cell (default {SWEEP_ITERATIONS})"
    names = [n for n in sweepable_names() if "." not in n]
    p.add_argument(
        "--vary",
        action="append",
        metavar="NAME=V1,V2,...",
        help="a setting and its values, once or twice (the first across, the second down). "
        f"NAME: {', '.join(names)}; style_layers.LAYER or content_layers.LAYER for one "
        f"layer's weight. layer_set values: {', '.join(LAYER_SETS)}",
    )
    p.add_argument(
        "--cell-size",
        type=int,
        metavar="PX",
        help=f"longest side of each cell in px (default {CELL_SIZE}); --size is then the "
        "size the sweep's base run has (recorded in sweep.json)",
    )
    add_ray_option(p)
    p.epilog = (
        f"--iterations defaults to {SWEEP_ITERATIONS} for a sweep. Re-render a cell at full "
        "size with: python -m nst --config SWEEP_FOLDER/CELL.json --size 512 --output-dir DIR"
    )
    return p


def sweep_from_args(args: Any) -> Sweep:
    """The Sweep the options describe; UsageError naming the option if one is bad."""
    if not args.vary:
        raise UsageError(
            "--vary required: name a setting and its values, e.g. --vary style_weight=1,10,100"
        )
    if args.method == "instant":
        raise UsageError("--method instant: a sweep runs the optimization; leave out --method")
    try:
        axes = [parse_axis(text) for text in args.vary]
    except SweepError as exc:
        raise UsageError(f"--vary {exc}") from None
    if args.iterations is None:
        args.iterations = SWEEP_ITERATIONS
    args.method = "gatys"
    settings, warnings = settings_from_args(args)
    for line in warnings:
        print(line, file=sys.stderr)
    cell_size = CELL_SIZE if args.cell_size is None else args.cell_size
    if not MIN_SIZE <= cell_size <= MAX_SIZE:
        raise UsageError(f"--cell-size: must be from {MIN_SIZE} to {MAX_SIZE} px, not {cell_size}")
    try:
        return Sweep(settings, axes, cell_size)
    except SweepError as exc:
        # "--vary style_weight=-1: ..."; a message about the axes as a whole gets a colon.
        text = str(exc)
        raise UsageError(f"--vary {text}" if text[:1].islower() else f"--vary: {text}") from None


def _main(argv: Sequence[str]) -> int:
    args = build_sweep_parser().parse_args(list(argv))
    sweep = sweep_from_args(args)
    if not args.output_dir:
        raise UsageError("--output-dir required: name the folder to save the sweep in")
    setup_logging(args.verbose)
    started = time.perf_counter()
    base = sweep.base
    check_output_dir(args.output_dir)
    content = load_image(base.content, role="content image")
    style = load_image(base.style, role="style image")
    with cluster_for(args.ray) as cluster:
        images = {"content_image": content, "style_image": style}
        if cluster is None:
            run = SweepRun(sweep, args.output_dir, **images)
            # A cell too big is refused before any runs (exits.error_words); on a cluster
            # each worker checks its own memory, and a cell too big there fails alone.
            run.check_memory()
        else:
            run = RaySweepRun(sweep, args.output_dir, cluster, **images)
        return _run(args, run, started, cluster)


def _run(args: Any, run: SweepRun, started: float, cluster: Any) -> int:
    sweep = run.sweep
    show = _SweepPrinter(sys.stderr, args.quiet)
    if cluster is None:
        show.status("loading the VGG19 weights ...")
    run.prepare()
    where = "" if cluster is None else f" on a Ray cluster of {cluster.describe()}"
    show.line(f"sweep of {len(sweep.cells)} cells at {sweep.cell_size} px into {run.folder}{where}")
    interrupted = False
    try:
        for event in run.events():
            show(event)
    except KeyboardInterrupt:
        # Ctrl+C: the cells finished so far are kept, with their sheet (events' finally).
        interrupted = True
        run.stop()
        run.finish()
        show.line("interrupted: the contact sheet holds the cells finished so far")
    show.line(f"done in {time.perf_counter() - started:.1f} s")
    print(run.sheet_path)
    return EXIT_INTERRUPTED if interrupted else 0


class _SweepPrinter:
    """A line per finished cell on stderr; on a terminal, the step redrawn in place."""

    def __init__(self, stream: Any, quiet: bool) -> None:
        self.stream = stream
        self.quiet = quiet
        self.tty = stream.isatty()

    def status(self, text: str) -> None:
        if self.tty and not self.quiet:
            self.stream.write(f"\r{text}\x1b[K")
            self.stream.flush()

    def line(self, text: str) -> None:
        if not self.quiet:
            self.stream.write(("\r\x1b[K" if self.tty else "") + text + "\n")
            self.stream.flush()

    def __call__(self, event: CellStep | CellDone) -> None:
        where = f"cell {event.index + 1}/{event.count} ({event.cell.describe()})"
        if isinstance(event, CellStep):
            p = event.progress
            self.status(f"{where}: step {p.step}/{p.total}, loss {p.total_loss:.4g}")
        elif event.error:
            self.line(f"{where}: failed: {event.error}")
        else:
            assert event.path is not None
            self.line(
                f"{where}: {event.steps} steps in {event.duration:.1f} s, loss "
                f"{event.losses['total']:.4g} -> {event.path.name}"
            )

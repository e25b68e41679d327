"""nst batch ...: every photo in every style into a new folder, resumable (the engine:
nst/batch/)."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nst.batch.plan import BatchError, expand
from nst.batch.runner import BatchRun, ItemDone, ItemStarted, ItemStep, create_batch, open_batch
from nst.cluster.batch import RayBatchRun
from nst.imaging.save import check_output_dir
from nst.vgg.weights import load_weights
from nst_cli.arguments import refuse_beside_resume, settings_from_args
from nst_cli.exits import EXIT_INTERRUPTED, reporting_errors, setup_logging
from nst_cli.options import UsageError, build_parser
from nst_cli.progress import ProgressPrinter, clock_text
from nst_cli.ray_option import add_ray_option, cluster_for

EXIT_SOME_FAILED = 1


def main(argv: Sequence[str]) -> int:
    """python -m nst batch ...: see build_batch_parser."""
    return reporting_errors(_main, argv)


def build_batch_parser() -> Any:
    """The run's parser (every option of python -m nst) with --content and --style taking
    several paths, plus --resume."""
    several = {
        role: f"{role} images: files, folders (their images) or globs; repeatable"
        for role in ("content", "style")
    }
    p = build_parser(
        prog="python -m nst batch",
        description="Stylize every photo in every style (with --method texture, every style "
        "alone) into a new folder OUTPUT_DIR/batch_NAME_NNN with batch.json and a contact "
        "sheet. Every option of python -m nst sets the runs.",
        several=several,
    )
    p.add_argument(
        "--resume",
        metavar="BATCH_DIR",
        help="run what is not done yet in an earlier batch's folder (its settings are kept)",
    )
    add_ray_option(p)
    return p


def _plan(args: Any) -> tuple[Any, list[str], list[str]]:
    """The batch the options describe: (settings, photos, styles); UsageError if one is
    bad."""
    if not args.style:
        raise UsageError("--style required: name the style images (files, folders or globs)")
    try:
        styles = expand(args.style, "style")
        texture = args.method == "texture"
        contents = [] if texture else expand(args.content or [], "content")
    except BatchError as exc:
        raise UsageError(f"--{exc.role}: {exc}") from None
    if not texture and not contents:
        raise UsageError("--content required: name the photos (files, folders or globs)")
    if args.method == "instant":
        raise UsageError("--method instant: a batch runs the optimization; leave out --method")
    if not args.output_dir:
        raise UsageError("--output-dir required: name the folder to save the batch in")
    args.content = None if texture else contents[0]
    args.style = styles[0]
    settings, warnings = settings_from_args(args)
    for line in warnings:
        print(line, file=sys.stderr)
    return settings, contents, styles


def _new_batch(args: Any, plan: tuple[Any, list[str], list[str]], here: bool) -> Any:
    """Make the planned batch's folder; returns it. A read-only folder, then missing
    weights where the items run ``here``, are one line before the folder is made: nothing
    is left behind to resume."""
    settings, contents, styles = plan
    check_output_dir(args.output_dir)
    if here:
        load_weights(settings.weights)
    return create_batch(settings, contents, styles, args.output_dir)


def _main(argv: Sequence[str]) -> int:
    args = build_batch_parser().parse_args(list(argv))
    setup_logging(args.verbose)
    if args.resume:
        refuse_beside_resume(args, "runs an earlier batch")
        folder = open_batch(args.resume)
    else:
        plan = _plan(args)
    with cluster_for(args.ray) as cluster:
        if not args.resume:
            folder = _new_batch(args, plan, here=cluster is None)
        return _run(args, folder, cluster)


def _run(args: Any, folder: Path, cluster: Any) -> int:
    started = time.perf_counter()
    run = BatchRun(folder) if cluster is None else RayBatchRun(folder, cluster)
    show = _BatchPrinter(sys.stderr, args.quiet)
    done, failed, count = run.counts()
    where = "" if cluster is None else f" on a Ray cluster of {cluster.describe()}"
    show.line(f"batch of {count} items into {folder}{where} ({done} done already)")
    if cluster is None:
        show.status("loading the VGG19 weights ...")
    run.prepare()  # WeightsError: one line with how to get them (exits.error_words)
    interrupted = False
    events = run.events()
    try:
        for event in events:
            show(event)
    except KeyboardInterrupt:
        # Ctrl+C: every finished item is kept, with batch.json and the sheet (events' finally,
        # run now by close, before the store closes); the item in progress waits for --resume.
        interrupted = True
        run.stop()
        events.close()
        show.end()
        show.line(f"interrupted: resume with python -m nst batch --resume {folder}")
    done, failed, count = run.counts()
    run.close()
    show.line(f"{done} of {count} done, {failed} failed in {time.perf_counter() - started:.1f} s")
    print(folder)
    if interrupted:
        return EXIT_INTERRUPTED
    if failed:
        print(
            f"error: {failed} of {count} items failed; see {folder / 'batch.json'}", file=sys.stderr
        )
        return EXIT_SOME_FAILED
    return 0


class _BatchPrinter(ProgressPrinter):
    """An overall line per item (done, failed, ETA) and the item's steps (ProgressPrinter)."""

    def line(self, text: str) -> None:
        if not self.quiet:
            self.stream.write(("\r\x1b[K" if self.tty else "") + text + "\n")
            self.stream.flush()

    def __call__(self, event: Any) -> None:
        if isinstance(event, ItemStep):
            super().__call__(event.progress)
            return
        job = event.job
        what = f"item {event.index + 1}/{event.count} ({_name(job.content)} in {_name(job.style)})"
        if isinstance(event, ItemStarted):
            eta = clock_text(event.eta) if event.eta is not None else "?"
            self.line(f"{what}: started, batch ETA {eta}")
        elif isinstance(event, ItemDone):
            eta = clock_text(event.eta) if event.eta is not None else "?"
            head = f"{what}: {job.state}"
            if job.reason:
                head += f": {job.reason}"
            elif job.files:
                head += f" in {job.seconds or 0:.1f} s -> {job.files[0]}"
            self.line(f"{head} [{event.done} done, {event.failed} failed, ETA {eta}]")


def _name(path: str) -> str:
    return Path(path).name if path else "texture"

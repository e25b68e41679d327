"""Command line: python -m nst --content C --style S --output-dir D [options].

``python -m nst sweep ...`` renders a grid of runs instead (nst_cli/sweep.py);
``python -m nst batch ...`` every photo in every style (nst_cli/batch.py).

Every setting is an option generated from the settings table (options.py) with its
default from the Settings dataclass. ``--config recipe.json`` starts from an earlier run's
recipe (its relative paths relative to the recipe's folder); options given beside it
override it (arguments.py). The saved PNG's path is the last line of stdout; progress goes
to stderr (progress.py). Bad input ends with exit status 2 and one line ``error: ...`` on
stderr.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nst.settings import Settings
from nst_cli import batch, sweep
from nst_cli.arguments import refuse_beside_resume, settings_from_args
from nst_cli.exits import (
    EXIT_INTERRUPTED,
    EXIT_SAVED_ELSEWHERE,
    reporting_errors,
    setup_logging,
)
from nst_cli.options import UsageError, build_parser
from nst_cli.progress import ProgressPrinter


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "sweep":  # python -m nst sweep ...: a grid of runs (nst_cli/sweep.py)
        return sweep.main(argv[1:])
    if argv and argv[0] == "batch":  # python -m nst batch ...: many runs (nst_cli/batch.py)
        return batch.main(argv[1:])
    return reporting_errors(_main, argv)


def _main(argv: Sequence[str]) -> int:
    parser = build_parser()
    parser.add_argument(
        "--resume",
        metavar="RECIPE",
        help="go on with an unfinished run from its last checkpoint: the "
        "NAME_unfinished_NNN.json that a long run keeps in its output folder",
    )
    args = parser.parse_args(argv)
    from nst.run.checkpoint import CheckpointFiles, read_checkpoint

    resume = None
    if args.resume:
        refuse_beside_resume(args, "goes on with an unfinished run")
        settings, resume, files = read_checkpoint(args.resume)
        output_dir, warnings = files.folder, []
    else:
        settings, warnings = settings_from_args(args)
        if not args.output_dir:
            raise UsageError("--output-dir required: name the folder to save the result in")
        output_dir = args.output_dir
    for line in warnings:
        print(line, file=sys.stderr)
    setup_logging(args.verbose)

    from nst import memory
    from nst.imaging.load import load_image
    from nst.imaging.save import check_output_dir

    started = time.perf_counter()
    # Everything the user named is checked before the slow part starts.
    folder = check_output_dir(output_dir)
    if resume is None:
        files = CheckpointFiles.for_run(folder, settings)
    texture = settings.method == "texture"
    content = None if texture else load_image(settings.content, role="content image")
    if settings.method == "instant":
        return _run_instant(settings, content, folder, started)
    from nst.run.inputs import check_proportions, texture_canvas

    style = load_image(settings.style, role="style image")
    if texture:
        content = texture_canvas(style, settings.texture_aspect)
    # An image too narrow to paint at any size is refused first: no size would fit it.
    check_proportions(settings, content, [style])
    # A run too big for the free memory is refused now, with the size that fits, instead
    # of being killed by the system minutes later.
    dims = (content.shape[1], content.shape[0]), (style.shape[1], style.shape[0])
    memory.admit_run(settings, *dims)  # NotEnoughMemory: worded by exits.error_words
    from nst.run.session import Transfer

    images = {"content_image": None if texture else content, "style_image": style}
    session = Transfer(settings, resume=resume, **images)
    show = ProgressPrinter(sys.stderr, args.quiet)
    show.status("loading the VGG19 weights ...")
    session.prepare()
    running = f"running on {session.device} in {session.precision.words()}"
    show.status(f"{running} with {session.weights.describe()}", keep=True)
    interrupted = False
    try:
        for progress in session.steps():
            show(progress)
            if files.due():  # a long run: a kill loses at most the minutes since
                _checkpoint(files, session, show)
    except KeyboardInterrupt:
        # Ctrl+C keeps the best image so far, as the Stop button does, and a long run's
        # state, to go on with later.
        interrupted = True
        session.stop()
        show.end()
        print("interrupted: saving the best image so far", file=sys.stderr)
        if files.recipe is not None and _checkpoint(files, session, show):
            print(f"go on with: python -m nst --resume {files.recipe}", file=sys.stderr)
    result = session.result()
    recipe = result.recipe()
    recipe["wall_time_s"] = round(time.perf_counter() - started, 3)
    status = _save(result.image, settings, folder, recipe, EXIT_INTERRUPTED if interrupted else 0)
    if not interrupted:
        files.remove()  # the run is done: its checkpoint is of no more use
    return status


def _checkpoint(files: Any, session: Any, show: ProgressPrinter) -> bool:
    """Write the run's checkpoint; a failure is said once a time and the run goes on."""
    from nst.run.checkpoint import CheckpointError

    try:
        files.write(session.settings, session.checkpoint())
    except CheckpointError as exc:
        show.end()
        print(f"warning: {exc}", file=sys.stderr)
        return False
    return True


def _save(image: Any, settings: Settings, folder: Path, recipe: dict[str, Any], status: int) -> int:
    """Save the result, print its path as stdout's last line; ``status`` if all went well."""
    from nst.run.outcome import save_outcome

    saved = save_outcome(image, settings, folder, recipe)
    if saved.path is None:
        raise UsageError(saved.message())
    if saved.error:
        # A full disk or a folder gone bad must not lose the run: it was kept in the
        # system's temporary folder; say where, and still fail (status 1) so scripts notice.
        print(f"error: {saved.message()}", file=sys.stderr)
        print(saved.path)
        return EXIT_SAVED_ELSEWHERE
    print(saved.path)
    return status


def _run_instant(settings: Settings, content: Any, folder: Path, started: float) -> int:
    """The instant method: one pass of the network, saved like a Gatys result."""
    from nst.instant import stylizer as instant

    styles = instant.style_images(settings)
    result = instant.run(settings, content, styles)
    recipe = result.recipe()
    recipe["wall_time_s"] = round(time.perf_counter() - started, 3)
    return _save(result.image, settings, folder, recipe, 0)


if __name__ == "__main__":
    sys.exit(main())

"""Start the Style Transfer window: ``style-transfer [--content FILE] [--style FILE]``.

The app's own options are parsed before QApplication exists: Qt takes any argument it
knows from the command line, and it reads ``--style`` as its own ``-style`` (the widget
theme), so a painting given that way never reached the window. Qt gets only what is left
(``-platform offscreen`` and the like still work). TensorFlow is not imported here: it
loads on the first run, so the window opens at once.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import os
import sys
from collections.abc import Sequence

from PyQt5.QtWidgets import QApplication

from gui.app_settings import APPLICATION, ORGANIZATION, log_file_path
from gui.main_window import APP_TITLE, MainWindow
from gui.widgets.picker import load_pool


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """The app's options, and the arguments it does not know (for Qt)."""
    # allow_abbrev off: Qt's own "-stylesheet" must not be taken for an abbreviated --style.
    parser = argparse.ArgumentParser(
        prog="style-transfer", description="Neural style transfer window.", allow_abbrev=False
    )
    parser.add_argument("--content", metavar="FILE", help="open this photo as the content image")
    parser.add_argument("--style", metavar="FILE", help="open this painting as the style image")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the app does")
    args, rest = parser.parse_known_args(list(argv))
    return args, rest


def setup_logging(verbose: bool) -> None:
    """Warnings to stderr; everything from INFO up also to a small rotating log file."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    path = log_file_path()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=1, encoding="utf-8"
        )
    except OSError as exc:
        logging.getLogger(__name__).warning("no log file (%s)", exc)
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level, logging.INFO))
    for handler_ in root.handlers:  # stderr keeps its own level
        if handler_ is not handler and not verbose:
            handler_.setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the window until it closes; the exit status."""
    args, qt_args = parse_args(sys.argv[1:] if argv is None else argv)
    program = sys.argv[0] if sys.argv and sys.argv[0] else "style-transfer"
    # One QApplication per process: a host (a test, a plug-in) may have made it already.
    app = QApplication.instance() or QApplication([program, *qt_args])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APP_TITLE)
    setup_logging(args.verbose)

    window = MainWindow()
    if args.content:
        window.inputs.content_picker.set_path(args.content)
    if args.style:
        window.inputs.style_picker.set_path(args.style)
    app.aboutToQuit.connect(window.shutdown)
    window.show()
    status = app.exec_()
    window.shutdown()
    load_pool().waitForDone(5000)  # image loads still in flight
    return status


if __name__ == "__main__":
    sys.exit(main())

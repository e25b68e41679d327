"""Start the Style Transfer window: python main.py [--content FILE] [--style FILE].

This file only starts the Qt application; the window is gui/main_window.py and the engine
is nst/. TensorFlow is not imported here: it loads on the first run, so the window opens
at once.
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
from gui.picker import load_pool


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="main.py", description="Neural style transfer window.")
    parser.add_argument("--content", metavar="FILE", help="open this photo as the content image")
    parser.add_argument("--style", metavar="FILE", help="open this painting as the style image")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the app does")
    return parser.parse_args(argv)


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
    app = QApplication(list(sys.argv if argv is None else ["main.py", *argv]))
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APP_TITLE)
    # QApplication has removed the arguments it knows (-platform, -style, ...).
    args = parse_args(app.arguments()[1:])
    setup_logging(args.verbose)

    window = MainWindow()
    if args.content:
        window.content_picker.set_path(args.content)
    if args.style:
        window.style_picker.set_path(args.style)
    app.aboutToQuit.connect(window.shutdown)
    window.show()
    status = app.exec_()
    window.shutdown()
    load_pool().waitForDone(5000)  # image loads still in flight
    return status


if __name__ == "__main__":
    sys.exit(main())

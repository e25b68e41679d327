"""Start the Style Transfer window: python main.py [--content FILE] [--style FILE].

A shim for ``make run`` and for running from a checkout; the start-up is gui/app.py (the
``style-transfer`` script).
"""

import sys

from gui.app import main

if __name__ == "__main__":
    sys.exit(main())

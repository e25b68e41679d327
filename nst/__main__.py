"""python -m nst ...: the command line (package nst_cli), kept for old scripts.

Only this entry point refers to the command line; no engine module imports it.
"""

import sys

from nst_cli.main import main

sys.exit(main())

"""python -m nst_cli ...: the same as the `nst` command."""

import sys

from nst_cli.main import main

sys.exit(main())

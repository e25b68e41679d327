"""The command line: argparse only. `nst` (python -m nst_cli) and `nst sweep`.

It parses options into the engine's Settings and calls the engine's run path; it never
computes a loss, builds a recipe or chooses a file name.
"""

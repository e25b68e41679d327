"""The desktop window of the style-transfer app: Qt only, never a loss computed here.

Importing this package (or any of its modules) must not import TensorFlow: the window has
to appear within two seconds, so the engine's heavy modules are imported by the worker
thread on the first run (see gui/worker.py).
"""

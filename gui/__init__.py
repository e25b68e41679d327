"""The desktop window of the style-transfer app: Qt only, never a loss computed here.

Importing this package (or any of its modules) must not import TensorFlow: the window has
to appear within two seconds, so the engine's heavy modules are imported by the worker
thread on the first run (see gui/workers/run_worker.py).
"""

import os

# Qt's X11 plugin loads the system's OpenGL driver (Mesa) when a window opens, and Mesa
# links its own copy of LLVM. TensorFlow links another; when it loads later, LLVM's static
# initializers (DebugInfoMetadata.cpp) register the same global options twice and the
# process dies with a segmentation fault (seen under Xvfb with Mesa 22, TensorFlow 2.21).
# The window draws with QPainter only and needs no OpenGL, so Qt is told not to load it.
# setdefault: a user who needs it can still set QT_XCB_GL_INTEGRATION themselves.
os.environ.setdefault("QT_XCB_GL_INTEGRATION", "none")

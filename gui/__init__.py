"""The desktop window of the style-transfer app: Qt only, never a loss computed here.

Importing this package (or any of its modules) must not import TensorFlow: the window has
to appear within two seconds, so the engine's heavy modules are imported by the worker
thread on the first run (see gui/worker.py).
"""

import os

# Qt's X11 (xcb) platform loads OpenGL at start-up; on Mesa that pulls in Mesa's own LLVM,
# and TensorFlow's libtensorflow_framework.so, which embeds another LLVM, then crashes in
# its static initializers (DebugInfoMetadata.cpp) when it is loaded later, on the first run
# or instant preview (seen under Xvfb: a segfault in dlopen of _pywrap_cpu_feature_guard).
# The window draws nothing with OpenGL, so Qt's GL integration is switched off; this must
# happen before the QApplication exists, hence here. Set the variable to override it.
os.environ.setdefault("QT_XCB_GL_INTEGRATION", "none")

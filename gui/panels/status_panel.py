"""The run's progress under the result (bar, step, speed, time left) and, in the status
bar, the device and the weights the engine reports once a run has prepared."""

from __future__ import annotations

import re
from typing import Any

from PyQt5.QtCore import QEvent, QObject, QSize
from PyQt5.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QStatusBar,
    QWidget,
)

from gui.labels import clock, speed_text
from gui.widgets.path_label import PathLabel, elide_path

WEIGHTS_TIP = "Where the VGG19 weights come from."
DEVICE_TIP = (
    "Where the optimization runs: the GPU TensorFlow sees, else the CPU, and the precision "
    "of its convolutions. Known once the model has loaded."
)
# The engine describes its weights as "<source> <file name> (<checksum>)": the file name
# is the part that can be shortened, the checksum is dropped whole, never cut.
_WEIGHTS_PARTS = re.compile(r"^(?P<before>.*\s)(?P<path>\S+)(?P<after> \([0-9a-f]+\))$")
# The permanent labels take at most this share of the status bar: the rest is for the
# messages ("Saved /home/…/result_001.png").
PERMANENT_SHARE = 0.45


class StatusPanel(QWidget):
    def __init__(self, status_bar: QStatusBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status_bar = status_bar
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("")  # no "0%" before anything has run
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setToolTip("Steps done out of the iterations asked for.")
        self.progress_label = QLabel("Ready")
        self.progress_label.setMinimumWidth(320)
        self.progress_label.setToolTip("Step, speed in iterations per second, and the time left.")
        layout.addWidget(self.progress_bar, 1)
        layout.addWidget(self.progress_label)

        self.device_label = QLabel("Device: found on the first run")
        self.device_label.setToolTip(DEVICE_TIP)
        self.weights_label = _WeightsLabel(status_bar, WEIGHTS_TIP)
        self.weights_label.set_parts("Weights: loaded on the first run", "")
        for widget in (self.device_label, self.weights_label):
            widget.setContentsMargins(8, 0, 8, 0)
        separator = QFrame()
        separator.setFrameShape(QFrame.VLine)
        separator.setFrameShadow(QFrame.Sunken)
        status_bar.addPermanentWidget(self.device_label)
        status_bar.addPermanentWidget(separator)
        status_bar.addPermanentWidget(self.weights_label)

    def message(self, text: str, timeout_ms: int = 0) -> None:
        self.status_bar.setToolTip("")
        self.status_bar.showMessage(text, timeout_ms)

    def message_path(self, before: str, path: str, timeout_ms: int = 0) -> None:
        """``before`` + ``path``, the path shortened in the middle to the room the status
        bar leaves for messages (QStatusBar cuts a long one off at its end); the full
        text is the status bar's tooltip while it shows."""
        metrics = self.status_bar.fontMetrics()
        room = self.message_room() - metrics.horizontalAdvance(before)
        self.status_bar.showMessage(before + elide_path(path, metrics, room), timeout_ms)
        self.status_bar.setToolTip(before + path)

    def message_room(self) -> int:
        """The width left of the permanent labels, where QStatusBar draws its message."""
        left = min(w.geometry().left() for w in (self.device_label, self.weights_label))
        if left <= 0 or not self.status_bar.isVisible():  # not laid out yet: a guess
            left = int(self.status_bar.width() * (1 - PERMANENT_SHARE))
        return max(80, left - 16)

    def reset(self, iterations: int) -> None:
        self.progress_bar.setRange(0, iterations)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("%p%")
        self.progress_label.setText("Starting…")

    def show_status(self, text: str) -> None:
        """What the worker is doing, in words ("Loading the model…")."""
        self.message(text)
        self.progress_label.setText(text)

    def show_ready(self, device: str, weights: str, precision: Any = None) -> None:
        """``precision``: the nst.precision.Precision the run used; its reason goes in the
        tooltip, the label stays short beside the weights."""
        if precision is None:
            self.device_label.setText(f"Device: {device}")
        else:
            how = " (automatic)" if precision.setting == "automatic" else ""
            self.device_label.setText(f"Device: {device} · {precision.used}{how}")
            self.device_label.setToolTip(f"{DEVICE_TIP}\nPrecision: {precision.words()}")
        match = _WEIGHTS_PARTS.match(weights)
        if match:
            before, path, after = match.group("before", "path", "after")
            self.weights_label.set_parts(
                f"Weights: {before}", path, after, short_before="Weights: "
            )
        else:
            self.weights_label.set_parts(f"Weights: {weights}", "")

    def show_progress(self, progress: Any) -> None:
        self.progress_bar.setRange(0, progress.total)
        self.progress_bar.setValue(progress.step)
        parts = [
            f"Step {progress.step} of {progress.total}",
            speed_text(progress.step, progress.elapsed),
        ]
        if progress.eta is not None and progress.step < progress.total:
            parts.append(f"{clock(progress.eta)} left")
        self.progress_label.setText(" · ".join(p for p in parts if p))

    def show_end(self, text: str, *, complete: bool = False) -> None:
        """The run's last word ("Done: ...", "Stopped", "Failed"); a full bar if it completed."""
        self.progress_label.setText(text)
        if complete:
            self.progress_bar.setValue(self.progress_bar.maximum())


class _WeightsLabel(PathLabel):
    """The weights' description, no wider than its share of the status bar."""

    def __init__(self, status_bar: QStatusBar, tip: str) -> None:
        super().__init__(tip)
        self.status_bar = status_bar
        # Preferred: it gets its size hint when there is room and shrinks when there is not.
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        status_bar.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.status_bar and event.type() == QEvent.Resize:
            self.updateGeometry()  # the size hint follows the status bar's width
        return False

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint()
        share = int(self.status_bar.width() * PERMANENT_SHARE) - 160  # the device label's
        return QSize(max(self.minimumSizeHint().width(), min(hint.width(), share)), hint.height())

"""The run's progress under the result (bar, step, speed, time left) and, in the status
bar, the device and the weights the engine reports once a run has prepared."""

from __future__ import annotations

from typing import Any

from PyQt5.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QStatusBar, QWidget

from gui.labels import clock, speed_text


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
        self.device_label.setToolTip(
            "Where the optimization runs: the GPU TensorFlow sees, "
            "else the CPU. Known once the model has loaded."
        )
        self.weights_label = QLabel("Weights: loaded on the first run")
        self.weights_label.setToolTip("Where the VGG19 weights come from.")
        for widget in (self.device_label, self.weights_label):
            widget.setContentsMargins(8, 0, 8, 0)
        separator = QFrame()
        separator.setFrameShape(QFrame.VLine)
        separator.setFrameShadow(QFrame.Sunken)
        status_bar.addPermanentWidget(self.device_label)
        status_bar.addPermanentWidget(separator)
        status_bar.addPermanentWidget(self.weights_label)

    def message(self, text: str, timeout_ms: int = 0) -> None:
        self.status_bar.showMessage(text, timeout_ms)

    def reset(self, iterations: int) -> None:
        self.progress_bar.setRange(0, iterations)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("%p%")
        self.progress_label.setText("Starting…")

    def show_status(self, text: str) -> None:
        """What the worker is doing, in words ("Loading the model…")."""
        self.message(text)
        self.progress_label.setText(text)

    def show_ready(self, device: str, weights: str) -> None:
        self.device_label.setText(f"Device: {device}")
        self.weights_label.setText(f"Weights: {weights}")
        self.weights_label.setToolTip(f"Where the VGG19 weights come from: {weights}")

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

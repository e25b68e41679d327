"""Take the README's pictures of a steered run, through the real window (issue 22).

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/take_steering_screenshots.py docs

Runs tubingen in The Starry Night at 256 px for 150 steps; after 50 steps the style weight
box is set to 100 (from 10), after 100 the style layer conv5_1 is switched off, as a user
does on the Layers & weights tab while the run runs. Shoots the window at step 120
(steering_window.png: the weights editable, the rest of the settings disabled, the loss
curve's marks) and the loss curve at the end (steering_curve.png). Settings and results
go to a temporary folder.
"""

from __future__ import annotations

import sys
from typing import Any

from PyQt5.QtCore import QTimer
from screenshot_kit import SAMPLES, open_window


def main(out_dir: str) -> int:
    shots = open_window(out_dir)
    app, window = shots.app, shots.window
    window.inputs.content_picker.set_path(str(SAMPLES / "tubingen.jpg"))
    window.inputs.style_picker.set_path(str(SAMPLES / "starry_night.jpg"))
    window.controls.size_box.setValue(256)
    window.controls.iterations_box.setValue(150)
    window.tabs.setCurrentIndex(1)  # Layers & weights: what a user moves during a run
    done: set[str] = set()

    def on_progress(record: Any) -> None:
        if record.step >= 50 and "weight" not in done:
            done.add("weight")
            window.layers_panel.style_weight_box.setValue(100.0)
        if record.step >= 100 and "layer" not in done:
            done.add("layer")
            layers = dict(window.model.value("style_layers"), block5_conv1=0.0)
            window.model.set_field("style_layers", layers)
        if record.step >= 120 and "shot" not in done:
            done.add("shot")
            shots.shoot("steering_window.png")

    def start() -> None:
        if any(p.is_loading for p in (window.inputs.content_picker, window.inputs.style_picker)):
            QTimer.singleShot(100, start)
            return
        window.run_started.connect(lambda worker: worker.progress.connect(on_progress))
        window.start_run()
        QTimer.singleShot(500, wait)

    def wait() -> None:
        if window.is_running:
            QTimer.singleShot(500, wait)
            return
        plot = window.result_panel.loss_plot
        plot.setFixedSize(900, 300)  # the README's figure: taller than the window gives it
        shots.render("steering_curve.png", plot)
        print("changes:", window.result_panel.outcome.result.settings.changes, flush=True)
        app.quit()

    QTimer.singleShot(300, start)
    app.exec_()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs"))

"""The "Result" tab: the content image beside the instant preview and the live result,
the result's actions (Save, Save As, Copy, Open folder) and the loss curve.

A view of the model's RunState: a new run clears it, each step adds its losses to the
curve, each frame repaints the live image, and the run's Ending brings the result (the
worker's outcome rides on it). The engine names and saves the files (nst.run.outcome);
the recipe is the one the outcome carries. The panel only shows NumPy arrays as QImages
and asks where; a save is written back into the model's Ending (the status bar says it).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PyQt5.QtCore import Qt, QUrl, pyqtSignal
from PyQt5.QtGui import QDesktopServices, QGuiApplication, QImage
from PyQt5.QtWidgets import (
    QAction,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.model import (
    Change,
    Phase,
    RunState,
    RunStateChanged,
    SettingsChanged,
    WindowModel,
)
from gui.panels.input_views import CONTENT_PLACEHOLDER, PREVIEW_PLACEHOLDER, InputViews
from gui.widgets.image_view import ImageView, numpy_to_qimage
from gui.widgets.loss_plot import LossPlot
from gui.widgets.path_label import PathLabel
from gui.widgets.tiled_view import TiledView
from gui.workers.instant_preview import InstantPreview
from gui.workers.run_worker import RunOutcome
from nst.errors import NstError
from nst.imaging.export import save_image_as
from nst.run.clock import clock_text
from nst.run.outcome import save_outcome, stem_for

# Formats "Save As" offers: the file dialog's filter -> the suffix added when none is typed
# (nst.imaging.export.SUFFIX_FORMATS maps a suffix to its format).
SAVE_FORMATS: dict[str, str] = {
    "PNG image (*.png)": ".png",
    "JPEG image (*.jpg *.jpeg)": ".jpg",
    "WebP image (*.webp)": ".webp",
    "TIFF image (*.tif *.tiff)": ".tif",
    "BMP image (*.bmp)": ".bmp",
}

NOT_SAVED = "The result was not saved"
INSTANT_NO_LOSS = "The instant method makes its result in one pass of a network: no loss curve."
# The result view's hint before the first run, by what is still missing.
RESULT_PLACEHOLDERS = {
    "both": "The result appears here.\nChoose a content and a style image, then press Run.",
    "content": "The result appears here.\nChoose a content image, then press Run.",
    "style": "The result appears here.\nChoose a style image, then press Run.",
    "texture style": "The texture appears here.\nChoose a style image, then press Run.",
    "ready": "Both images are chosen:\npress Run to make the result.",
    "texture ready": "The style image is chosen:\npress Run to grow a texture from it.",
}


class ResultActions(Protocol):
    """The window's actions on a result, which the panel's buttons show."""

    act_save: QAction
    act_save_as: QAction
    act_copy: QAction
    act_open_folder: QAction


class ResultPanel(QWidget):
    saved = pyqtSignal(str)  # the path of a result just saved
    message = pyqtSignal(str, int)  # a status-bar line and its time (ms)

    def __init__(
        self,
        model: WindowModel,
        window: ResultActions,
        show_message: Callable[[str, str], Any],
        preview: InstantPreview,
    ) -> None:
        super().__init__()
        self.model = model
        self.show_message = show_message
        self.outcome: RunOutcome | None = None
        self.result_image: QImage | None = None
        self.last_step = 0
        self._shown = RunState()  # the run state drawn last: what changed since
        self.acts = (window.act_save, window.act_save_as, window.act_copy)
        self.act_save = window.act_save

        views = QSplitter(Qt.Horizontal)
        self.content_view = ImageView(CONTENT_PLACEHOLDER)
        self.content_view.setToolTip("The content image, for comparison with the result.")
        self.result_view = ImageView(RESULT_PLACEHOLDERS["both"])
        self.idle = True  # no run yet: the result view's hint follows the inputs
        self.result_view.setToolTip(
            "The image being optimized while a run goes on; the result when it ends."
        )
        self.preview_view = ImageView(PREVIEW_PLACEHOLDER)
        self.preview_view.setToolTip(
            "A feed-forward stylization (Ghiasi et al. 2017) that "
            "follows the style strength and weights as they move."
        )
        self.tiled_view = TiledView()  # a tileable run's picture laid 2 x 2, beside it
        for view in (self.content_view, self.preview_view, self.result_view, self.tiled_view):
            views.addWidget(view)
        self.input_views = InputViews(model, preview, self.content_view, self.preview_view, self)
        self.input_views.status.connect(self.message)

        actions = QHBoxLayout()
        self.saved_label = PathLabel("Where the result was saved; the link opens it.")
        self.saved_label.setTextInteractionFlags(Qt.TextBrowserInteraction)
        # Opened here, not by the label: a link that opens nothing must say so.
        self.saved_label.linkActivated.connect(self.open_link)
        actions.addWidget(self.saved_label, 1)
        for action, text in (
            (window.act_save, "Save"),
            (window.act_save_as, "Save As…"),
            (window.act_copy, "Copy"),
            (window.act_open_folder, "Open folder"),
        ):
            actions.addWidget(_action_button(action, text))

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(views, 1)
        top_layout.addLayout(actions)
        self.loss_plot = LossPlot()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        vertical = QSplitter(Qt.Vertical)
        vertical.setChildrenCollapsible(False)
        vertical.addWidget(top)
        vertical.addWidget(self.loss_plot)
        vertical.setStretchFactor(0, 3)
        vertical.setStretchFactor(1, 1)
        layout.addWidget(vertical)

        model.subscribe(self._model_changed)
        self.show_inputs()

    # ------------------------------------------------------------------ the model

    def folder(self) -> str:
        return self.model.folder

    def _model_changed(self, change: Change) -> None:
        if isinstance(change, SettingsChanged) and change.fields & {"content", "style", "method"}:
            self.show_inputs()
        elif isinstance(change, RunStateChanged):
            before, self._shown = self._shown, change.state
            self.show_state(change.state, before)

    def show_state(self, state: RunState, before: RunState) -> None:
        if state.run != before.run:
            self.reset(state.method, state.total)
        if state.phase is Phase.LOADING_MODEL and before.phase is not Phase.LOADING_MODEL:
            self.result_view.set_placeholder(
                "Loading the model…\nThe first run takes a few seconds more."
            )
        elif before.active and state.phase is Phase.IDLE:
            self.show_inputs()  # refused before it started: what the run needs, again
        if state.step > before.step or (state.run != before.run and state.step):
            self.show_progress(state)
        if state.frames != before.frames and state.image is not None:
            self.show_preview(state.image)
        ending = state.ending
        if state.phase is Phase.FAILED and before.phase is not Phase.FAILED:
            self.show_failed()
        elif ending is not None and ending.outcome is not None:
            if before.ending is None or before.ending.outcome is not ending.outcome:
                self.show_outcome(ending.outcome)  # a Save brings a new one: saved there

    def show_inputs(self) -> None:
        """Say what the run still needs, until the first run replaces the hint."""
        if not self.idle:
            return
        model = self.model
        texture = model.value("method") == "texture"
        content = texture or bool(model.value("content"))
        style = bool(model.value("style"))
        if texture:
            key = "texture ready" if style else "texture style"
        elif content and style:
            key = "ready"
        else:
            key = "both" if not (content or style) else ("style" if content else "content")
        self.result_view.set_placeholder(RESULT_PLACEHOLDERS[key])

    # ------------------------------------------------------------------ a run

    def reset(self, method: str, iterations: int) -> None:
        self.idle = False
        self.outcome = None
        self.result_image = None
        self.last_step = 0
        if method == "instant":
            self.loss_plot.clear(placeholder=INSTANT_NO_LOSS)
        else:  # a texture has no content term: its legend has no "content 0"
            hidden = frozenset({"content"}) if method == "texture" else frozenset()
            self.loss_plot.clear(iterations, hidden=hidden)
        self.result_view.set_image(None)
        self.tiled_view.show_tiled(None)
        self.result_view.set_placeholder("Starting the run…")
        self.saved_label.set_parts("", "")
        for act in self.acts:
            act.setEnabled(False)

    def show_progress(self, progress: RunState) -> None:
        self.last_step = progress.step
        self.loss_plot.add(progress.step, progress.losses)
        for step, words in progress.marks[len(self.loss_plot.marks) :]:
            self.loss_plot.mark(step, words)
        if self.result_view.image() is not None:
            self.result_view.set_caption(f"Live · step {progress.step} of {progress.total}")

    def show_preview(self, array: np.ndarray) -> None:
        self.result_view.set_image(
            numpy_to_qimage(array),
            f"Live · step {self.last_step} · {array.shape[1]} × {array.shape[0]}",
        )
        if self.model.value("tileable"):  # fixed while the run runs: the run's own
            self.tiled_view.show_tiled(array, "Live · laid 2 × 2")

    def show_failed(self) -> None:
        self.result_view.set_placeholder("The run failed.")

    def show_outcome(self, outcome: RunOutcome) -> None:
        """The run's result with its caption (the status bar words its end)."""
        self.outcome = outcome
        if outcome.result is None:
            self.result_view.set_image(None)
            self.result_view.set_placeholder("Stopped before the first step.")
            return
        result = outcome.result
        self.result_image = numpy_to_qimage(result.image)
        self.result_view.set_image(self.result_image, outcome_caption(outcome))
        tileable = result.settings.tileable
        self.tiled_view.show_tiled(result.image if tileable else None, "Laid 2 × 2")
        for act in self.acts:
            act.setEnabled(True)
        self.act_save.setEnabled(not outcome.saved_path)
        if outcome.saved_path:
            self._show_saved(outcome.saved_path)

    # ------------------------------------------------------------------ keeping it

    def _show_saved(self, path: str) -> None:
        # The outcome now says where it is, so the caption stops saying "not saved".
        if self.outcome is not None and self.outcome.result is not None:
            self.outcome = dataclasses.replace(self.outcome, saved_path=path, save_error="")
            self.result_view.set_caption(outcome_caption(self.outcome))
        self.saved_label.set_parts("Saved as ", os.path.basename(path), short_before="", link=path)
        self.saved.emit(path)

    def _saved(self, path: str) -> None:
        """A Save or Save As: the run's Ending says where now (the status bar and this
        view follow it)."""
        ending = self.model.run_state.ending
        if ending is None or ending.outcome is None:
            self._show_saved(path)
            return
        outcome = dataclasses.replace(ending.outcome, saved_path=path, save_error="")
        kept = dataclasses.replace(ending, saved_path=path, save_error="", outcome=outcome)
        self.model.update_run(ending=kept)

    def _result_stem(self) -> str:
        result = self.outcome.result if self.outcome else None
        return stem_for(result.settings) if result is not None else "result"

    def save_result(self) -> Path | None:
        """Save the shown result into the output folder (never overwriting)."""
        if not self.outcome or self.outcome.result is None:
            return None
        result, recipe = self.outcome.result, dict(self.outcome.recipe)
        try:
            with _wait_cursor():
                saved = save_outcome(
                    result.image, result.settings, self.folder(), recipe, keep_elsewhere=False
                )
        except NstError as exc:
            self.show_message(NOT_SAVED, str(exc))
            return None
        self.act_save.setEnabled(False)
        self._saved(str(saved.path))
        return saved.path

    def save_result_as(self) -> Path | None:
        if not self.outcome or self.outcome.result is None:
            return None
        start = os.path.join(self.folder() or str(Path.home()), self._result_stem() + ".png")
        path, chosen = QFileDialog.getSaveFileName(
            self, "Save the result as", start, ";;".join(SAVE_FORMATS)
        )
        if not path:
            return None
        if not Path(path).suffix and chosen in SAVE_FORMATS:
            path += SAVE_FORMATS[chosen]
        return self.save_result_to(path)

    def save_result_to(self, path: str) -> Path | None:
        """Save to exactly ``path``, a name the user chose (the engine names no file here)."""
        assert self.outcome is not None and self.outcome.result is not None
        try:
            with _wait_cursor():
                written = save_image_as(self.outcome.result.image, path, self.outcome.recipe)
        except NstError as exc:
            self.show_message(NOT_SAVED, str(exc))
            return None
        self._saved(str(written[0]))
        return written[0]

    def copy_result(self) -> None:
        if self.result_image is None:
            return
        QGuiApplication.clipboard().setImage(self.result_image)
        size = f"{self.result_image.width()} × {self.result_image.height()}"
        self.message.emit(f"Copied the result ({size}) to the clipboard.", 5000)

    def open_link(self, url: str) -> None:
        """The saved result's link: open it in the image viewer, or say why not."""
        path = QUrl(url).toLocalFile()
        if not QDesktopServices.openUrl(QUrl(url)):
            self.show_message(
                "Cannot open the result",
                f"No program could open '{os.path.basename(path)}'; Open folder shows it in "
                "the file manager.",
            )

    def open_output_folder(self) -> None:
        saved = self.outcome.saved_path if self.outcome else ""
        folder = os.path.dirname(saved) if saved else self.folder()
        if not folder or not os.path.isdir(folder):
            self.show_message(
                "No output folder yet",
                f"The folder '{folder}' does not exist yet; it is made by the first run."
                if folder
                else "Choose an output folder first.",
            )
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(folder)):
            self.show_message("Cannot open the folder", f"No file manager could open '{folder}'.")


def outcome_caption(outcome: RunOutcome) -> str:
    """The result view's caption. What matters goes first or last: a narrow view drops
    the parts between (gui.widgets.image_view.caption_lines)."""
    result = outcome.result
    height, width = result.image.shape[:2]
    size = f"{width} × {height}"
    where = f"saved as {os.path.basename(outcome.saved_path)}" if outcome.saved_path else ""
    if outcome.stopped:
        stop = f"Stopped at step {result.steps} of {result.settings.iterations}"
        return " · ".join([stop, "best image so far", size, where or "not saved"])
    if result.settings.method == "instant":
        return f"Instant result · {size} · {result.duration:.2f} s"
    steps = f"{result.steps} step{'s' if result.steps != 1 else ''}"
    caption = f"Result · {size} · {steps} in {clock_text(result.duration)}"
    return caption + " · not saved" if outcome.save_error and not where else caption


def _action_button(action: QAction, text: str) -> QToolButton:
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonTextOnly)
    # The button shows a short label; the action keeps its menu text.
    action.changed.connect(lambda: button.setText(text))
    button.setText(text)
    button.setMinimumWidth(72)
    return button


class _wait_cursor:  # noqa: N801 (used like a function: `with _wait_cursor():`)
    def __enter__(self) -> None:
        QApplication.setOverrideCursor(Qt.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QApplication.restoreOverrideCursor()

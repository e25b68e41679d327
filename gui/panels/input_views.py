"""The Result tab's content view and instant preview, following the window's model: the
content image as loaded, and a preview asked for once per change of what it shows (the
images, the method, the strength, the style weights). InstantPreview computes it."""

from __future__ import annotations

import os

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal

from gui.model import Change, ImagesChanged, SettingsChanged, WindowModel
from gui.widgets.image_view import ImageView, numpy_to_qimage
from gui.workers.instant_preview import InstantPreview

CONTENT_PLACEHOLDER = (
    "The content image appears here.\nDrop a photo on the Content picker, or press Ctrl+O."
)
PREVIEW_PLACEHOLDER = (
    "The instant preview appears here\nonce a content and a style image are chosen."
)
# What the instant preview shows: a change of any of these asks for a new one.
PREVIEW_FIELDS = frozenset(
    {
        "content",
        "style",
        "method",
        "style_strength",
        "extra_styles",
        "style_image_weight",
        "content_weight",
        "style_weight",
    }
)


class InputViews(QObject):
    status = pyqtSignal(str, int)  # a status-bar line (the preview failed) and its time (ms)

    def __init__(
        self,
        model: WindowModel,
        preview: InstantPreview,
        content_view: ImageView,
        preview_view: ImageView,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.preview = preview
        self.content_view = content_view
        self.preview_view = preview_view
        preview.ready.connect(self._on_instant_preview)
        preview.failed.connect(self._on_instant_failed)
        model.subscribe(self._changed)

    def _changed(self, change: Change) -> None:
        if isinstance(change, SettingsChanged):
            if "method" in change.fields:
                self.show_content()
            if change.fields & PREVIEW_FIELDS:
                self.request_preview()  # once per change, however many fields it holds
        elif isinstance(change, ImagesChanged):
            if "content" in change.chosen:
                self.show_content()
            for role in change.reloaded:
                image = self.model.image(role)
                if image is not None:
                    self.preview.forget(image.path)  # another picture at the same path
            if change.reloaded:
                self.request_preview()

    def show_content(self) -> None:
        loaded = self.model.image("content")
        view = self.content_view
        if self.model.value("method") == "texture":
            view.set_image(None)
            view.set_placeholder(
                "The texture method uses no photo:\nit grows a texture from the style image alone."
            )
        elif loaded is None:
            view.set_image(None)
            view.set_placeholder(CONTENT_PLACEHOLDER)
        else:
            view.set_image(
                loaded.display,
                f"Content · {os.path.basename(loaded.path)} · {loaded.width} × {loaded.height}",
            )

    def request_preview(self) -> bool:
        """Ask for a new instant preview of the current images, strength and weights."""
        view, model = self.preview_view, self.model
        if model.value("method") == "texture":
            self.preview.cancel()  # a preview asked for before the switch must not show
            view.set_image(None)
            view.set_placeholder(
                "The instant preview restyles a photo;\nthe texture method uses none."
            )
            return False
        styles = [
            (model.value("style"), model.value("style_image_weight")),
            *model.value("extra_styles"),
        ]
        asked = self.preview.request(model.value("content"), styles, model.preview_strength)
        if asked and view.image() is None:
            view.set_placeholder(
                "Making the instant preview…\nThe first one loads the network (a few seconds)."
            )
        elif not asked:
            view.set_image(None)
            view.set_placeholder(PREVIEW_PLACEHOLDER)
        return asked

    def _on_instant_preview(self, array: np.ndarray, seconds: float) -> None:
        height, width = array.shape[:2]
        self.preview_view.set_image(
            numpy_to_qimage(array), f"Instant preview · {width} × {height} · {seconds:.2f} s"
        )

    def _on_instant_failed(self, message: str) -> None:
        self.preview_view.set_image(None)
        self.preview_view.set_placeholder("No instant preview.")
        self.status.emit(message, 15000)

"""What the run works on: the content and style pickers, the method, the texture's
proportions, the style mix (gui/style_mix.py) and the instant preview that follows them.
A view of the model's "images" and "method" fields.

The pickers load an image in the background: the model holds a path once its image has
loaded (a path from a recipe at once, while its picker loads it) and which images are
still loading. The preview is asked for once per change of what it shows.
"""

from __future__ import annotations

import os

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal
from PyQt5.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QWidget

from gui.binding import ModelView
from gui.editors import select_data
from gui.image_view import ImageView, numpy_to_qimage
from gui.instant_preview import InstantPreview
from gui.labels import METHOD_LABELS, TEXTURE_ASPECTS
from gui.model import Change, SettingsChanged, WindowModel
from gui.picker import ImagePicker, is_sample
from gui.result_panel import CONTENT_PLACEHOLDER, PREVIEW_PLACEHOLDER
from gui.style_mix import StyleMix
from nst.settings import METHODS

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


class InputsPanel(QObject, ModelView):
    GROUPS = ("images", "method")
    WATCHES = PREVIEW_FIELDS
    message = pyqtSignal(str, str)  # title, text: a picker could not use an image
    status = pyqtSignal(str, int)  # a status-bar line and how long it stays (ms)

    def __init__(
        self,
        model: WindowModel,
        preview: InstantPreview,
        content_view: ImageView,
        preview_view: ImageView,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.preview = preview
        self.content_view = content_view
        self.preview_view = preview_view
        self.content_picker = ImagePicker("content image", "Content", "photos")
        self.style_picker = ImagePicker("style image", "Style", "paintings")
        self.pickers_by_field = {"content": self.content_picker, "style": self.style_picker}
        self._following: dict[str, str] = {}  # field -> a path the model gave its picker
        self.pickers = QWidget()
        row = QHBoxLayout(self.pickers)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.content_picker)
        row.addWidget(self.style_picker)

        self.method_group = QGroupBox("Method")
        form = QFormLayout(self.method_group)
        self.method_box = QComboBox()
        for name in METHODS:
            self.method_box.addItem(METHOD_LABELS[name], name)
        self.method_box.setToolTip(
            "Gatys: the optimization, faithful, minutes on a CPU. "
            "Instant: a trained network, a fraction of a second, "
            "rougher. The instant preview shows the latter either way."
        )
        form.addRow("Method:", self.method_box)
        self.aspect_box = QComboBox()
        for label, value in TEXTURE_ASPECTS:
            self.aspect_box.addItem(label, value)
        self.aspect_box.setToolTip(
            "The texture's width to height; its longest side is the output size."
        )
        self.aspect_label = QLabel("Proportions:")
        form.addRow(self.aspect_label, self.aspect_box)
        self.style_mix = StyleMix(model)
        self.style_mix.image_folder = self.image_folder
        self._last_folder = ""  # where the last image the user chose came from
        form.addRow(self.style_mix)
        self._connect()
        self.bind(model)

    def _connect(self) -> None:
        for name, picker in self.pickers_by_field.items():
            picker.changed.connect(lambda path, name=name: self._picked(name, path))
            picker.busy.connect(lambda busy, name=name: self.model.set_loading(name, busy))
            picker.failed.connect(lambda text, name=name: self._failed(name, text))
            picker.changed.connect(self._remember_folder)
        self.style_mix.image_chosen.connect(self._remember_folder)
        self.method_box.currentIndexChanged.connect(
            lambda: self.edit(method=self.method_box.currentData())
        )
        self.aspect_box.currentIndexChanged.connect(
            lambda: self.edit(texture_aspect=self.aspect_box.currentData())
        )
        self.preview.ready.connect(self._on_instant_preview)
        self.preview.failed.connect(self._on_instant_failed)

    @property
    def method(self) -> str:
        return self.value("method")

    @property
    def is_loading(self) -> list[str]:
        """The roles of the pickers still loading their image."""
        return [p.role for p in self.pickers_by_field.values() if p.is_loading]

    # ------------------------------------------------------------------ the model

    def model_changed(self, change: Change) -> None:
        if not isinstance(change, SettingsChanged):
            return
        if change.fields & self.fields:
            self.refresh()
        if change.fields & PREVIEW_FIELDS:
            self.request_preview()  # once per change, however many fields it holds

    def show_model(self) -> None:
        for name, picker in self.pickers_by_field.items():
            path = _absolute(self.value(name))
            if path and path != picker.path and path != self._following.get(name):
                self._following[name] = path
                picker.set_path(path)
            elif not path and picker.path:
                picker.clear()
        self._show_aspect(self.value("texture_aspect"))
        method = self.method
        select_data(self.method_box, method)
        for widget in (self.aspect_label, self.aspect_box):
            widget.setVisible(method == "texture")
        self._show_content()

    def _show_aspect(self, aspect: float | None) -> None:
        index = next(
            (
                i
                for i in range(self.aspect_box.count())
                if (value := self.aspect_box.itemData(i)) is not None
                and aspect is not None
                and abs(value - aspect) < 1e-3
            ),
            0,
        )
        if aspect is not None and index == 0:  # proportions the list lacks: add them
            self.aspect_box.addItem(f"{aspect:.3g}:1", aspect)
            index = self.aspect_box.count() - 1
        self.aspect_box.setCurrentIndex(index)

    # ------------------------------------------------------------------ pickers

    def _picked(self, name: str, path: str) -> None:
        if self._showing:  # cleared by the model itself
            self._show_content()
            return
        if self._following.get(name) == path:  # the model's own path, now loaded
            del self._following[name]
            self._show_content()
            return
        self._following.pop(name, None)
        self.preview.forget(path)  # the same path may hold another picture now
        if self.value(name) == path:  # chosen again: no change, but a fresh preview
            self.request_preview()
        self.edit(**{name: path})
        self._show_content()

    def _failed(self, name: str, text: str) -> None:
        # The picker keeps the image it had: so does the model.
        self._following.pop(name, None)
        self.edit(**{name: self.pickers_by_field[name].path})
        self.message.emit("Cannot use this image", text)

    def image_folder(self) -> str:
        """Where an image dialog starts: the folder of the last image chosen, else the one
        the pickers remember from the last session."""
        pickers = (self.style_picker, self.content_picker)
        return self._last_folder or next((p.dialog_folder for p in pickers if p.dialog_folder), "")

    def _remember_folder(self, path: str) -> None:
        # A bundled sample's folder is inside the package: not where the user's images are.
        if path and not is_sample(path):
            self._last_folder = os.path.dirname(os.path.abspath(path))
            for picker in (self.content_picker, self.style_picker):
                picker.dialog_folder = self._last_folder  # kept for the next session too

    # ------------------------------------------------------------------ views

    def _show_content(self) -> None:
        loaded = self.content_picker.loaded
        view = self.content_view
        if self.method == "texture":
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
        view = self.preview_view
        if self.method == "texture":
            self.preview.cancel()  # a preview asked for before the switch must not show
            view.set_image(None)
            view.set_placeholder(
                "The instant preview restyles a photo;\nthe texture method uses none."
            )
            return False
        styles = [
            (self.value("style"), self.value("style_image_weight")),
            *self.value("extra_styles"),
        ]
        asked = self.preview.request(self.value("content"), styles, self.model.preview_strength)
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


def _absolute(path: str) -> str:
    """A path as the pickers hold it."""
    return os.path.abspath(os.path.expanduser(path)) if path else ""

"""What the run works on: the content and style pickers, the method, the texture's
proportions and the style mix (gui/panels/style_mix.py). A view of the model's "images" and
"method" fields.

The pickers load an image in the background: the model holds a path once its image has
loaded (a path from a recipe at once, while its picker loads it), the loaded image, and
which images are still loading. The Result tab shows them (gui/panels/input_views.py).
"""

from __future__ import annotations

import os
from typing import Any

from PyQt5.QtCore import QObject, pyqtSignal
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from gui.labels import METHOD_LABELS, TEXTURE_ASPECTS
from gui.model import WindowModel
from gui.panels.binding import ModelView
from gui.panels.style_mix import StyleMix
from gui.widgets.editors import select_data
from gui.widgets.picker import ImagePicker, is_sample, pictures_folder
from nst.settings import METHODS


class InputsPanel(QObject, ModelView):
    GROUPS = ("images", "method")
    message = pyqtSignal(str, str)  # title, text: a picker could not use an image

    def __init__(
        self,
        model: WindowModel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
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
        self.tileable_box = QCheckBox("Tileable (repeats seamlessly)")
        self.tileable_box.setToolTip(
            "The picture wraps around: copies laid edge to edge show no seam (the network "
            "pads circularly, smoothing joins the last row and column to the first). For "
            "textures, or a photo that itself tiles. The result shows laid 2 × 2 beside it."
        )
        form.addRow(self.tileable_box)
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
        self.tileable_box.toggled.connect(lambda on: self.edit(tileable=on))

    @property
    def method(self) -> str:
        return self.value("method")

    def fixed_while_running(self) -> list[tuple[Any, str]]:
        """The pickers and the method (the style mix is a panel of its own)."""
        return [
            (self.content_picker, "images"),
            (self.style_picker, "images"),
            (self.method_box, "method"),
            (self.aspect_box, "method"),
            (self.tileable_box, "method"),
        ]

    @property
    def is_loading(self) -> list[str]:
        """The roles of the pickers still loading their image."""
        return [p.role for p in self.pickers_by_field.values() if p.is_loading]

    # ------------------------------------------------------------------ the model

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
        self.tileable_box.setChecked(self.value("tileable"))
        self.tileable_box.setVisible(method != "instant")  # the optimization's alone

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
        self.model.set_image(name, self.pickers_by_field[name].loaded)
        if self._following.get(name) == path:  # the model's own path, now loaded
            del self._following[name]
            return
        self._following.pop(name, None)
        self.edit(**{name: path})  # not while the model itself clears the picker

    def _failed(self, name: str, text: str) -> None:
        # The picker keeps the image it had: so does the model.
        self._following.pop(name, None)
        self.edit(**{name: self.pickers_by_field[name].path})
        self.message.emit("Cannot use this image", text)

    def image_folder(self) -> str:
        """Where an image dialog starts: the folder of the last image chosen, else the one
        the pickers remember from the last session, else Pictures or home."""
        pickers = (self.style_picker, self.content_picker)
        remembered = next((p.dialog_folder for p in pickers if p.dialog_folder), "")
        return self._last_folder or remembered or pictures_folder()

    def _remember_folder(self, path: str) -> None:
        # A bundled sample's folder is inside the package: not where the user's images are.
        if path and not is_sample(path):
            self._last_folder = os.path.dirname(os.path.abspath(path))
            for picker in (self.content_picker, self.style_picker):
                picker.dialog_folder = self._last_folder  # kept for the next session too


def _absolute(path: str) -> str:
    """A path as the pickers hold it."""
    return os.path.abspath(os.path.expanduser(path)) if path else ""

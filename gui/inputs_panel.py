"""What the run works on: the content and style pickers, the method, the texture's
proportions, the style mix (strength, extra styles, regions) and the instant preview
that follows them.

A thin view over Settings like gui/layers_panel.py: values() gives the Settings fields
it shows, show_settings() puts a Settings' values in its controls. The pickers sit above
the window's tabs and the method group in the Run tab, so the panel is two widgets.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
from PyQt5.QtCore import QObject, pyqtSignal
from PyQt5.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from gui.instant_preview import InstantPreview
from gui.labels import METHOD_LABELS, TEXTURE_ASPECTS
from gui.picker import ImagePicker, is_sample
from gui.result_panel import CONTENT_PLACEHOLDER, PREVIEW_PLACEHOLDER
from gui.style_mix import StyleMix
from gui.widgets import ImageView, NumberBox, numpy_to_qimage, select_data
from nst.settings import METHODS, Settings, ratio_to_strength, strength_to_ratio


class InputsPanel(QObject):
    changed = pyqtSignal()  # anything that may change whether Run can start
    method_changed = pyqtSignal(str)
    message = pyqtSignal(str, str)  # title, text: a picker could not use an image
    status = pyqtSignal(str, int)  # a status-bar line and how long it stays (ms)

    def __init__(
        self,
        preview: InstantPreview,
        content_view: ImageView,
        preview_view: ImageView,
        folder: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.preview = preview
        self.content_view = content_view
        self.preview_view = preview_view
        self.content_picker = ImagePicker("content image", "Content", "photos")
        self.style_picker = ImagePicker("style image", "Style", "paintings")
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
        self.style_mix = StyleMix()
        self.style_mix.context = lambda: (self.content_picker.path, folder())
        self.style_mix.image_folder = self.image_folder
        self._last_folder = ""  # where the last image the user chose came from
        form.addRow(self.style_mix)
        self._connect()

    def _connect(self) -> None:
        for picker in (self.content_picker, self.style_picker):
            picker.changed.connect(self.changed)
            picker.busy.connect(lambda _busy: self.changed.emit())
            picker.failed.connect(lambda text: self.message.emit("Cannot use this image", text))
            picker.changed.connect(self._picked)
            picker.changed.connect(self._remember_folder)
        self.content_picker.changed.connect(self._show_content)
        self.style_picker.changed.connect(self.style_mix.set_main_name)
        self.style_mix.changed.connect(self.changed)
        self.style_mix.changed.connect(self.request_preview)
        self.style_mix.image_chosen.connect(self._remember_folder)
        # In the Gatys method the visible strength is the weights' ratio: the preview follows.
        self.style_mix.strength_moved.connect(lambda _position: self.request_preview())
        self.method_box.currentIndexChanged.connect(self.refresh_method)
        self.aspect_box.currentIndexChanged.connect(self.changed)
        self.preview.ready.connect(self._on_instant_preview)
        self.preview.failed.connect(self._on_instant_failed)

    @property
    def method(self) -> str:
        return self.method_box.currentData()

    def values(self) -> dict[str, Any]:
        return {
            "content": self.content_picker.path,
            "style": self.style_picker.path,
            "method": self.method,
            "texture_aspect": self.aspect_box.currentData(),
            "style_masks": self.style_mix.style_masks(),
            "style_strength": self.style_mix.style_strength(),
            "extra_styles": tuple(self.style_mix.extra_styles()),
            "style_image_weight": self.style_mix.main_style_weight(),
        }

    def show_settings(self, settings: Settings) -> None:
        """Images are loaded only when named: a recipe without images keeps the ones chosen."""
        for picker, path in (
            (self.content_picker, settings.content),
            (self.style_picker, settings.style),
        ):
            if path and path != picker.path:
                picker.set_path(path)
        self._show_aspect(settings.texture_aspect)
        select_data(self.method_box, settings.method)
        self.style_mix.set_values(
            settings.style_strength,
            settings.style_image_weight,
            settings.extra_styles,
            settings.style_masks,
        )

    def _show_aspect(self, aspect: float | None) -> None:
        index = next(
            (
                i
                for i, (_, v) in enumerate(TEXTURE_ASPECTS)
                if v is not None and aspect is not None and abs(v - aspect) < 1e-3
            ),
            0,
        )
        if aspect is not None and index == 0:  # proportions the list lacks: add them
            self.aspect_box.addItem(f"{aspect:.3g}:1", aspect)
            index = self.aspect_box.count() - 1
        self.aspect_box.setCurrentIndex(index)

    def set_enabled(self, enabled: bool) -> None:
        for picker in (self.content_picker, self.style_picker):
            picker.setEnabled(enabled)

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

    @property
    def is_loading(self) -> list[str]:
        """The roles of the pickers still loading their image."""
        return [p.role for p in (self.content_picker, self.style_picker) if p.is_loading]

    # ------------------------------------------------------------------ method, strength

    def refresh_method(self) -> None:
        method = self.method
        for widget in (self.aspect_label, self.aspect_box):
            widget.setVisible(method == "texture")
        self.style_mix.set_method(method)
        self._show_strength()
        self._show_content(self.content_picker.path)
        self.request_preview()
        self.method_changed.emit(method)
        self.changed.emit()

    def bind_weights(self, content_box: NumberBox, style_box: NumberBox) -> None:
        """The optimization's strength slider moves the style weight (log scale)."""
        self._weight_boxes = (content_box, style_box)
        self._moving_strength = False
        self.style_mix.strength_moved.connect(self._strength_moved)
        for box in self._weight_boxes:
            box.valueChanged.connect(self._show_strength)

    def _strength_moved(self, position: float) -> None:
        content_box, style_box = self._weight_boxes
        ratio = strength_to_ratio(position)
        content = content_box.value()
        self._moving_strength = True
        try:
            style_box.setValue(ratio * (content if content > 0 else 1.0))
            if content <= 0:
                content_box.setValue(1.0)
        finally:
            self._moving_strength = False

    def _show_strength(self) -> None:
        if getattr(self, "_moving_strength", True):
            return  # moved by the slider itself, or not bound to the weights yet
        content_box, style_box = self._weight_boxes
        content = content_box.value()
        ratio = style_box.value() / content if content > 0 else float("inf")
        self.style_mix.set_ratio_position(ratio_to_strength(ratio))
        if self.method == "gatys":
            self.request_preview()  # typed weights move the visible strength too

    # ------------------------------------------------------------------ views

    def _show_content(self, path: str) -> None:
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
                f"Content · {os.path.basename(path)} · {loaded.width} × {loaded.height}",
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
            (self.style_picker.path, self.style_mix.main_style_weight()),
            *self.style_mix.extra_styles(),
        ]
        asked = self.preview.request(
            self.content_picker.path, styles, self.style_mix.preview_strength()
        )
        if asked and view.image() is None:
            view.set_placeholder(
                "Making the instant preview…\nThe first one loads the network (a few seconds)."
            )
        elif not asked:
            view.set_image(None)
            view.set_placeholder(PREVIEW_PLACEHOLDER)
        return asked

    def _picked(self, path: str) -> None:
        self.preview.forget(path)
        self.request_preview()

    def _on_instant_preview(self, array: np.ndarray, seconds: float) -> None:
        height, width = array.shape[:2]
        self.preview_view.set_image(
            numpy_to_qimage(array), f"Instant preview · {width} × {height} · {seconds:.2f} s"
        )

    def _on_instant_failed(self, message: str) -> None:
        self.preview_view.set_image(None)
        self.preview_view.set_placeholder("No instant preview.")
        self.status.emit(message, 15000)

"""Each style image's region: the Region button (what its style covers, and its menu) and
the dialogs that make a mask, painted over the photo or loaded from a file.

The masks themselves are the model's (style_masks, one per style image, "" for the whole
picture or the rest); this module only asks for them and says what they are.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PyQt5.QtWidgets import QFileDialog, QMenu, QMessageBox, QToolButton, QWidget

from gui.widgets.mask_painter import MaskPainter
from gui.widgets.picker import file_dialog_filter

REGION_TEXTS = ("Whole", "Mask", "Rest")


def region_button(
    paint: Callable[[], object], load: Callable[[], object], whole: Callable[[], object]
) -> QToolButton:
    """The Region button of one style image, with its menu."""
    button = QToolButton()
    button.setPopupMode(QToolButton.InstantPopup)
    # As wide as its widest text: "Whole" turning into "Mask" must not move the row.
    widths = []
    for text in REGION_TEXTS:
        button.setText(text)
        widths.append(button.sizeHint().width())  # the frame and arrow as this style draws
    button.setFixedWidth(max(widths))
    menu = QMenu(button)
    menu.addAction("Paint the region…", paint)
    menu.addAction("Load a mask image…", load)
    menu.addAction("Whole picture (no mask)", whole)
    button.setMenu(menu)
    return button


def show_region(button: QToolButton, mask: str, masked: bool) -> None:
    """Say what the style covers: its mask, what the masks leave ("Rest"), or, while no
    style has a mask (``masked`` False), the whole picture."""
    if mask:
        button.setText("Mask")
        button.setToolTip(
            f"This style goes where the mask {mask} is white. Click to paint it again, load "
            "another, or use the whole picture."
        )
        return
    button.setText("Rest" if masked else "Whole")
    button.setToolTip(
        "This style covers "
        + ("what the other styles' masks leave" if masked else "the whole picture")
        + ". Click to paint or load a region for it."
    )


def paint_region(
    parent: QWidget, photo: str, folder: str, style: str, mask: str
) -> MaskPainter | None:
    """The painter over the photo, opened (None, and why on screen, when it cannot be)."""
    if not photo or not os.path.isfile(photo):
        QMessageBox.information(
            parent,
            "Choose a photo first",
            "Regions are painted over the content image: choose one first.",
        )
        return None
    if not folder:
        QMessageBox.information(
            parent,
            "Choose an output folder first",
            "Painted masks are saved in the output folder's 'masks' folder: choose an "
            "output folder first.",
        )
        return None
    name = os.path.basename(style) if style else "the style image"
    return MaskPainter(photo, name, folder, mask, parent)


def choose_mask(parent: QWidget, folder: str) -> str:
    """A mask image chosen in a file dialog ("" when cancelled)."""
    path, _ = QFileDialog.getOpenFileName(parent, "Load a mask image", folder, file_dialog_filter())
    return path

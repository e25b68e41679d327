"""The 2 x 2 view of a tileable picture: four copies laid edge to edge, so that a seam, if
there were one, would show in the middle (issue 22). Shown beside the result only for a
run whose settings say tileable; hidden otherwise."""

from __future__ import annotations

import numpy as np
from PyQt5.QtWidgets import QWidget

from gui.widgets.image_view import ImageView, numpy_to_qimage

PLACEHOLDER = "A tileable picture appears here laid 2 × 2."


class TiledView(ImageView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(PLACEHOLDER, parent)
        self.setToolTip(
            "The result laid 2 × 2, edge to edge: a tileable picture shows no seam where "
            "its copies meet."
        )
        self.hide()

    def show_tiled(self, image: np.ndarray | None, caption: str = "") -> None:
        """Show ``image`` (uint8 H x W x 3) laid 2 x 2; None hides the view."""
        if image is None:
            self.set_image(None)
            self.hide()
            return
        self.set_image(numpy_to_qimage(np.tile(image, (2, 2, 1))), caption)
        self.show()

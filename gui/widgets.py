"""Where the small widgets used to live, for the modules not yet importing their new homes
(gui/history*.py, gui/sweep*.py): gui/editors.py (number boxes, combo boxes),
gui/image_view.py (the image view, NumPy to QImage), gui/path_label.py (paths fitted to a
width). New code imports those; this module goes once nothing imports it."""

from gui.editors import NumberBox, int_box, rounded_text, select_data
from gui.image_view import ImageView, caption_lines, numpy_to_qimage
from gui.path_label import PathLabel, elide_path, muted_color

__all__ = [
    "ImageView", "NumberBox", "PathLabel", "caption_lines", "elide_path", "int_box",
    "muted_color", "numpy_to_qimage", "rounded_text", "select_data",
]  # fmt: skip

"""The bundled sample images (gui/samples), one click away wherever an image is chosen:
the pickers' and "Add a style image"'s Samples menu, and the sidebar of the image file
dialog."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PyQt5.QtCore import QSize, QStandardPaths, Qt, QUrl
from PyQt5.QtGui import QIcon, QImageReader, QPixmap
from PyQt5.QtWidgets import QFileDialog, QMenu, QSplitter, QWidget

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"  # gui/samples

# (file, label) of the bundled samples, photos first (content), then paintings (style).
SAMPLE_PHOTOS: tuple[tuple[str, str], ...] = (
    ("tubingen.jpg", "Tübingen, Neckarfront"),
    ("chelsea.png", "Chelsea the cat"),
    ("astronaut.png", "Astronaut"),
    ("coffee.png", "Coffee"),
)
SAMPLE_PAINTINGS: tuple[tuple[str, str], ...] = (
    ("starry_night.jpg", "The Starry Night (van Gogh)"),
    ("the_scream.jpg", "The Scream (Munch)"),
    ("shipwreck.jpg", "The Shipwreck (Turner)"),
    ("woman-with-hat-matisse.jpg", "Woman with a Hat (Matisse)"),
)


def samples_menu(parent: QWidget, first: str, pick: Callable[[str], None]) -> QMenu:
    """The bundled samples, photos and paintings (``first``: "photos" or "paintings"
    on top); choosing one calls ``pick`` with its path. The Style picker and "Add a style
    image" share it, so both offer the same paintings."""
    menu = QMenu(parent)
    groups = [("Photos", SAMPLE_PHOTOS), ("Paintings", SAMPLE_PAINTINGS)]
    if first == "paintings":
        groups.reverse()
    for heading, samples in groups:
        menu.addSection(heading)
        for filename, label in samples:
            action = menu.addAction(label)
            action.setData(str(SAMPLES_DIR / filename))
            action.setToolTip(f"Use the bundled sample '{filename}'.")
            action.triggered.connect(lambda _=False, a=action: pick(a.data()))

    def add_icons() -> None:
        # Icons are read when the menu first opens, not at start-up (8 image decodes).
        menu.aboutToShow.disconnect(add_icons)
        for action in menu.actions():
            path = action.data()
            if not path or not action.icon().isNull():
                continue
            reader = QImageReader(path)
            reader.setAutoTransform(True)
            size = reader.size()
            if size.isValid():
                # Decoding at a reduced size is much faster for JPEG (DCT scaling).
                reader.setScaledSize(size.scaled(QSize(48, 48), Qt.KeepAspectRatio))
            image = reader.read()
            if not image.isNull():
                action.setIcon(QIcon(QPixmap.fromImage(image)))

    menu.aboutToShow.connect(add_icons)
    return menu


def image_dialog(parent: QWidget | None, title: str, folder: str, name_filter: str) -> QFileDialog:
    """An Open dialog for one image, starting in ``folder``, with the bundled samples'
    folder in its sidebar: one click away, beside the user's own places. Qt's own dialog,
    not the platform's: a native one has no sidebar a program can add to."""
    dialog = QFileDialog(parent, title, folder, name_filter)
    dialog.setOption(QFileDialog.DontUseNativeDialog, True)
    dialog.setFileMode(QFileDialog.ExistingFile)
    dialog.setAcceptMode(QFileDialog.AcceptOpen)
    places = [QStandardPaths.writableLocation(QStandardPaths.PicturesLocation), str(Path.home())]
    places = [p for i, p in enumerate(places) if p and os.path.isdir(p) and p not in places[:i]]
    urls = [QUrl.fromLocalFile(p) for p in (*places, str(SAMPLES_DIR))]
    dialog.setSidebarUrls(urls)
    splitter = dialog.findChild(QSplitter, "splitter")  # Qt's own: the sidebar | the files
    if splitter is not None:
        splitter.setSizes([160, 640])  # room to read "samples" whole
    return dialog


def choose_image(parent: QWidget | None, title: str, folder: str, name_filter: str) -> str:
    """The image the user chose in an image_dialog; "" when they cancelled."""
    dialog = image_dialog(parent, title, folder, name_filter)
    if dialog.exec_() != QFileDialog.Accepted:
        return ""
    chosen = dialog.selectedFiles()
    return chosen[0] if chosen else ""

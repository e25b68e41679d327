"""The Output folder group: where every finished run is saved (not a Settings field: the
model's ``folder``)."""

from __future__ import annotations

from pathlib import Path

from PyQt5.QtWidgets import QFileDialog, QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from gui.model import Change, FolderChanged, WindowModel


class FolderGroup(QGroupBox):
    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__("Output folder", parent)
        self.model = model
        row = QHBoxLayout(self)
        self.folder_edit = QLineEdit(model.folder)
        self.folder_edit.setToolTip(
            "Every finished run is saved here as PNG with its recipe "
            "(.json); existing files are never overwritten."
        )
        self.folder_button = QPushButton("Browse…")
        self.folder_button.setToolTip("Choose the folder results are saved in.")
        self.folder_button.clicked.connect(self.choose_output_folder)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.folder_button)
        self.folder_edit.textChanged.connect(model.set_folder)
        model.subscribe(self._changed)

    def _changed(self, change: Change) -> None:
        if isinstance(change, FolderChanged) and change.folder != self.folder_edit.text().strip():
            self.folder_edit.setText(change.folder)

    def choose_output_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Choose the output folder", self.model.folder or str(Path.home())
        )
        if folder:
            self.model.set_folder(folder)

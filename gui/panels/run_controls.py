"""The Run tab's controls below the method, one group box each: Optimization
(gui/panels/optimization_box.py), Colours (colours_box.py), Speed (speed_box.py), Size
(size_box.py) and the Output folder (folder_box.py). Each is a view of the window's model;
this panel only stacks them."""

from __future__ import annotations

from typing import Any

from PyQt5.QtWidgets import QVBoxLayout, QWidget

from gui.model import WindowModel
from gui.panels.colours_box import ColoursGroup
from gui.panels.folder_box import FolderGroup
from gui.panels.optimization_box import OptimizationGroup
from gui.panels.size_box import SizeGroup
from gui.panels.speed_box import SpeedGroup


class RunControlsPanel(QWidget):
    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.optim_group = OptimizationGroup(model)
        self.colour_group = ColoursGroup(model)
        self.speed_group = SpeedGroup(model)
        self.size_group = SizeGroup(model)
        self.folder_group = FolderGroup(model)
        self.groups = (
            self.optim_group,
            self.colour_group,
            self.speed_group,
            self.size_group,
            self.folder_group,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for group in self.groups:
            layout.addWidget(group)
        layout.addStretch(1)

    def __getattr__(self, name: str) -> Any:
        # The groups' controls by name (controls.rate_box): the tab is one place to a user.
        for group in self.__dict__.get("groups", ()):
            if hasattr(group, name):
                return getattr(group, name)
        raise AttributeError(name)

    @property
    def folder(self) -> str:
        return self.model.folder

    def run_at_size(self, size: int) -> None:
        self.size_group.run_at_size(size)

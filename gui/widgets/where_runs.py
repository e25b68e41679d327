"""'Run queue and sweeps on: [This computer | A Ray cluster] [address]': a view of the
one WhereRuns value (gui/model/where_runs.py) that the Queue and Sweep tabs both show;
an edit in either goes to the value, and the value to both."""

from __future__ import annotations

from PyQt5.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from gui.model.where_runs import Placement, WhereRuns

CHOICES = ("This computer", "A Ray cluster")
CHOICE_TIP = (
    "This computer: the jobs or cells run one after another in this window.\n"
    "A Ray cluster: each one is a Ray task, several at once on the cluster's machines; "
    "this window sends the images and settings and writes every file itself."
)
ADDRESS_TIP = (
    "Empty or auto: a Ray cluster on this machine (the one `ray start --head` started, or "
    "one started for the run).\nHOST:PORT: a running cluster's head, as `ray start --head` "
    "printed it."
)


class WhereRunsBox(QWidget):
    def __init__(self, where: WhereRuns, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.where = where
        self.choice = QComboBox()
        self.choice.addItems(CHOICES)
        self.choice.setToolTip(CHOICE_TIP)
        self.address = QLineEdit()
        self.address.setPlaceholderText("auto, or HOST:PORT")
        self.address.setToolTip(ADDRESS_TIP)
        label = QLabel("Run queue and sweeps on:")
        label.setToolTip(CHOICE_TIP)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.choice)
        layout.addWidget(self.address, 1)
        layout.addStretch(0)  # the room the address leaves, while it is hidden
        self._show(where.placement)
        # Only the user's edits go to the value (a change shown here is no new edit).
        self.choice.activated.connect(lambda index: where.set_ray(index == 1))
        self.address.textEdited.connect(where.set_address)
        unsubscribe = where.subscribe(self._show)
        self.destroyed.connect(lambda _object=None: unsubscribe())

    def _show(self, placement: Placement) -> None:
        self.choice.setCurrentIndex(1 if placement.ray else 0)
        if self.address.text() != placement.address:
            self.address.setText(placement.address)
        self.address.setVisible(placement.ray)  # this computer needs no address

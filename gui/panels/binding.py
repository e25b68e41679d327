"""How a panel binds to the window's model (gui/model/): it names the settings groups it
edits (the table's ``group``), shows the model's values whenever one of its fields (or a
field it watches) changes, and writes the user's edits back. Nothing else: panels never
reach into each other, they meet in the model."""

from __future__ import annotations

from typing import Any

from gui.model import Change, SettingsChanged, WindowModel, fields_in


class ModelView:
    """Mixed into a panel: ``GROUPS`` it edits, ``WATCHES`` other fields it shows."""

    GROUPS: tuple[str, ...] = ()
    WATCHES: frozenset[str] = frozenset()

    def bind(self, model: WindowModel) -> None:
        self.model = model
        self.fields = frozenset(fields_in(*self.GROUPS))
        self._showing = False
        model.subscribe(self.model_changed)
        self.refresh()

    def model_changed(self, change: Change) -> None:
        if isinstance(change, SettingsChanged) and change.fields & (self.fields | self.WATCHES):
            self.refresh()

    def refresh(self) -> None:
        """Show the model's values; the widgets' signals meanwhile are not edits."""
        self._showing = True
        try:
            self.show_model()
        finally:
            self._showing = False

    def show_model(self) -> None:
        raise NotImplementedError

    def edit(self, **values: Any) -> None:
        """The user changed these fields (ignored while the panel shows the model)."""
        if not self._showing:
            self.model.set_fields(**values)

    def value(self, name: str) -> Any:
        return self.model.value(name)

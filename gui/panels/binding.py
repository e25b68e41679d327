"""How a panel binds to the window's model (gui/model/): it names the settings groups it
edits (the table's ``group``), shows the model's values whenever one of its fields (or a
field it watches) changes, and writes the user's edits back. Nothing else: panels never
reach into each other, they meet in the model."""

from __future__ import annotations

from typing import Any

from gui.model import Change, RunStateChanged, SettingsChanged, WindowModel, fields_in
from nst.settings import field_spec
from nst.settings.fields import NOT_STEERED


class ModelView:
    """Mixed into a panel: ``GROUPS`` it edits, ``WATCHES`` other fields it shows."""

    GROUPS: tuple[str, ...] = ()
    WATCHES: frozenset[str] = frozenset()

    def bind(self, model: WindowModel) -> None:
        self.model = model
        self.fields = frozenset(fields_in(*self.GROUPS))
        self._showing = False
        self._running = False
        self._tips: dict[int, str] = {}  # a fixed widget's own tooltip, while a run runs
        model.subscribe(self.model_changed)
        self.refresh()

    def model_changed(self, change: Change) -> None:
        if isinstance(change, RunStateChanged) and change.state.active != self._running:
            self._running = change.state.active
            self.refresh()
        elif isinstance(change, SettingsChanged) and change.fields & (self.fields | self.WATCHES):
            self.refresh()

    def refresh(self) -> None:
        """Show the model's values; the widgets' signals meanwhile are not edits. While a
        run runs, what it cannot change is disabled after (show_model may enable it); once
        it ends, given back before (show_model may disable it: another method's controls)."""
        if not self._running:
            self._show_running()
        self._showing = True
        try:
            self.show_model()
        finally:
            self._showing = False
        if self._running:
            self._show_running()

    def fixed_while_running(self) -> list[tuple[Any, str]]:
        """(widget, its group) for each control of a field a run cannot change while it
        runs (the settings table's ``steered``): by default the whole panel when none of
        its fields can; a panel with some overrides it."""
        if any(field_spec(name).steered for name in self.fields):
            return []
        return [(self, self.GROUPS[0])]

    def _show_running(self) -> None:
        """Disable the fixed controls during a run, each saying why; give them back after."""
        for widget, group in self.fixed_while_running():
            key = id(widget)
            if self._running:
                self._tips.setdefault(key, widget.toolTip())
                widget.setToolTip(f"Fixed while the run runs: {NOT_STEERED[group]}.")
                widget.setEnabled(False)
            elif key in self._tips:
                widget.setToolTip(self._tips.pop(key))
                widget.setEnabled(True)

    def show_model(self) -> None:
        raise NotImplementedError

    def edit(self, **values: Any) -> None:
        """The user changed these fields (ignored while the panel shows the model)."""
        if not self._showing:
            self.model.set_fields(**values)

    def value(self, name: str) -> Any:
        return self.model.value(name)

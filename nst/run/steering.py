"""Steering a run: the changes to its objective that its settings plan, and those asked
while it runs (from another thread: a window), made between two steps, in order.

A change is made before the step after the number of steps it names (nst/settings/
changes.py). Those asked while the run runs are stamped with the steps done when they are
made, and recorded with the planned ones, so that the run's recipe replays every change at
the step it was made: the replay evaluates the same objectives at the same points.
"""

from __future__ import annotations

import threading

from nst.settings import Settings
from nst.settings.changes import Change, apply_changes, check_name, settings_after, with_change
from nst.tf_runtime import tf


def objective_weights(settings: Settings) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """The loss's weights: per content layer, per style layer (of Settings.term_layers),
    and the global (content, style, tv) ones."""
    content_layers, style_layers = settings.term_layers
    return (
        tf.constant([settings.content_layers[n] for n in content_layers], tf.float32),
        tf.constant([settings.style_layers[n] for n in style_layers], tf.float32),
        tf.constant([settings.content_weight, settings.style_weight, settings.tv_weight]),
    )


class Steering:
    """A run's changes from ``done`` steps on (a resumed run: those before are made)."""

    def __init__(self, settings: Settings, done: int = 0) -> None:
        self._lock = threading.Lock()
        self._extra_styles = len(settings.extra_styles)
        self._made: list[Change] = [c for c in settings.changes if c[0] < done]
        self._planned: list[Change] = [c for c in settings.changes if c[0] >= done]
        self._asked: list[tuple[str, float]] = []
        # The settings in force (changes=()): the objective of the next step.
        self.now = settings_after(settings, done - 1)

    def ask(self, name: str, value: float) -> None:
        """Make this change before the next step (any thread). SettingsError (field
        "changes") if the run may not change ``name``, or the value is not allowed."""
        check_name(name, self._extra_styles)
        with self._lock:
            pending = self.now
            for asked in self._asked:
                pending = with_change(pending, *asked)
            with_change(pending, name, value)  # refuses a value the settings do not allow
            self._asked.append((name, float(value)))

    def due(self, done: int) -> tuple[Change, ...]:
        """The changes to make now, ``done`` steps done (planned for then, or asked since
        the last call), in order; ``now`` has them made from here on."""
        with self._lock:
            made = [c for c in self._planned if c[0] <= done]
            made += [(done, name, value) for name, value in self._asked]
            self._planned = [c for c in self._planned if c[0] > done]
            self._asked = []
        if made:
            self.now = apply_changes(self.now, made)
            self._made += made
        return tuple(made)

    @property
    def recorded(self) -> tuple[Change, ...]:
        """Every change made, then those planned for later steps: the run's changes, as its
        recipe holds them."""
        return tuple(self._made + self._planned)

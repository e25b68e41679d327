"""Where the queue's jobs and a sweep's cells run: on this computer (in the window's own
process, one after another) or on a Ray cluster (each one a Ray task, several at once).

One value for the Queue and Sweep tabs: both show it and either changes it, so each
binds to the same WhereRuns and hears every change. No Qt here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nst.cluster.connect import AUTO


@dataclass(frozen=True)
class Placement:
    """``ray`` off: this computer. On: the cluster at ``address`` ("" or "auto": a local
    cluster, the one `ray start` left on this machine or one started for the run)."""

    ray: bool = False
    address: str = ""

    @property
    def cluster_address(self) -> str:
        """What nst.cluster.connect takes: AUTO for an empty address."""
        text = self.address.strip()
        return AUTO if not text or text.lower() == AUTO else text


THIS_COMPUTER = Placement()


def cluster_device(description: str) -> str:
    """Where the work runs, for the status bar's device: 'a Ray cluster of 2 nodes, 2 CPUs'
    (``description``: nst.cluster.connect.Cluster.describe())."""
    return f"a Ray cluster of {description}"


Listener = Callable[[Placement], None]


class WhereRuns:
    """The chosen Placement, and who to tell when it changes."""

    def __init__(self, placement: Placement = THIS_COMPUTER) -> None:
        self._placement = placement
        self._listeners: list[Listener] = []

    @property
    def placement(self) -> Placement:
        return self._placement

    def set(self, placement: Placement) -> None:
        if placement != self._placement:
            self._placement = placement
            for listener in list(self._listeners):
                listener(placement)

    def set_ray(self, ray: bool) -> None:
        self.set(Placement(ray, self._placement.address))

    def set_address(self, address: str) -> None:
        self.set(Placement(self._placement.ray, address))

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every new Placement; returns the unsubscriber."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

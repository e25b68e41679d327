"""What can go wrong before a cluster runs anything: facts, worded by each face."""

from __future__ import annotations

from nst.errors import NstError

# The name of the package's optional extra that installs Ray (pyproject.toml).
RAY_EXTRA = "ray"


class RayMissing(NstError):
    """Ray is not installed in this Python; ``extra`` names the extra that installs it."""

    def __init__(self) -> None:
        super().__init__("Ray is not installed.")
        self.extra = RAY_EXTRA


class ClusterUnreachable(NstError):
    """Nothing answers at a Ray cluster's ``address``; ``reason`` says what the connection
    attempt met (refused, timed out, no such host)."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"No Ray cluster answers at {address} ({reason}).")
        self.address = address
        self.reason = reason

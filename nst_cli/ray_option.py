"""--ray, shared by `nst batch` and `nst sweep`: their items as tasks on a Ray cluster."""

from __future__ import annotations

import contextlib
from typing import Any

from nst.cluster.connect import AUTO, connect

RAY_HELP = (
    f"run the items as tasks on a Ray cluster: {AUTO} starts one on this machine (or joins "
    "the one `ray start` started here), HOST:PORT joins a running one; every file is "
    "written here, by this process"
)


def add_ray_option(parser: Any) -> None:
    parser.add_argument("--ray", metavar=f"{AUTO}|ADDRESS", help=RAY_HELP)


def cluster_for(address: str | None) -> contextlib.AbstractContextManager[Any]:
    """A block on the cluster --ray names (None: no cluster, the items run here)."""
    if address is None:
        return contextlib.nullcontext()
    return connect(address)

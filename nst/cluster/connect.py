"""Attaching to a Ray cluster, or starting a local one, without ever hanging.

    with connect("auto") as cluster:          # or "HEAD:6379", a running cluster
        pool = cluster.pool()                 # nst.cluster.tasks.TaskPool

ray.init() given an address where nothing answers retries for minutes, so the address is
first tried with a plain TCP connection and a short timeout. Ray is imported here only,
when a cluster is asked for: the app starts without it.
"""

from __future__ import annotations

import logging
import os
import socket
from types import ModuleType, TracebackType
from typing import Any

from nst.cluster.errors import ClusterUnreachable, RayMissing
from nst.errors import reason

log = logging.getLogger(__name__)

AUTO = "auto"  # the address that asks for a local cluster (or the one `ray start` left)
GCS_PORT = 6379  # `ray start --head`'s default port, where an address names none
# Seconds a cluster's head has to accept a TCP connection: a live one on a local network
# answers in milliseconds, and a user waits no longer than this for the one sentence.
CONNECT_TIMEOUT = 3.0


def import_ray() -> ModuleType:
    """The ray module; RayMissing when it is not installed."""
    try:
        import ray
    except ImportError:
        raise RayMissing() from None
    return ray


def host_port(address: str) -> tuple[str, int]:
    """'HOST:PORT' (or 'HOST', 'ray://HOST:PORT', '[IPv6]:PORT') -> (host, port)."""
    text = address.strip().removeprefix("ray://")
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":")
    else:
        host, sep, port = text.rpartition(":")
        if not sep:
            host, port = text, ""
    if not host:
        raise ClusterUnreachable(address, "no host in the address")
    if not port:
        return host, GCS_PORT
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ClusterUnreachable(address, f"'{port}' is not a port number")
    return host, int(port)


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """ClusterUnreachable unless something accepts a TCP connection at ``address``."""
    host, port = host_port(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        words = "no answer" if isinstance(exc, socket.timeout) else reason(exc).lower()
        raise ClusterUnreachable(address, words) from None


def local_address(ray: Any) -> str | None:
    """The cluster ray.init() would attach to without an address (RAY_ADDRESS, or the
    last `ray start` on this machine); None when it would start its own."""
    try:
        from ray._private.services import canonicalize_bootstrap_address
    except ImportError:  # moved in another Ray version: fall back to RAY_ADDRESS alone
        return os.environ.get("RAY_ADDRESS") or None
    try:
        return canonicalize_bootstrap_address(None)
    except Exception as exc:  # a malformed RAY_ADDRESS: ray.init() would say the same
        log.info("no local Ray cluster found: %s", exc)
        return None


class Cluster:
    """A connection to a Ray cluster for the length of a ``with`` block. A process already
    connected (ray.init() called by its caller) keeps its connection, and it stays open."""

    def __init__(self, address: str = AUTO) -> None:
        self.address = address
        self.ray: Any = None
        self._owned = False

    def __enter__(self) -> Cluster:
        ray = import_ray()
        self.ray = ray
        target = None if self.address == AUTO else self.address
        if target is not None:
            check_reachable(target)  # also when connected: a wrong address is a mistake
        if ray.is_initialized():
            return self
        found = local_address(ray) if target is None else target
        if target is None and found is not None:
            check_reachable(found)  # a cluster gone, whose address a file still holds
        # No dashboard (a web server nobody asked for) and no worker output on the
        # driver's terminal: the command line prints one line per finished item.
        try:
            ray.init(
                address=target,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.ERROR,
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            # Something answered, but not a Ray cluster this Ray can join (another
            # program on the port, another Ray version).
            raise ClusterUnreachable(found or "this machine", reason(exc)) from None
        self._owned = True
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._owned:
            self.ray.shutdown()
            self._owned = False

    def nodes(self) -> list[dict[str, Any]]:
        """The cluster's live nodes (ray.nodes() entries)."""
        return [n for n in self.ray.nodes() if n.get("Alive")]

    def task_resources(self) -> dict[str, float]:
        """What one run asks for: a GPU where the cluster has them (TensorFlow places the
        run there); else the CPUs of the smallest node, since TensorFlow spreads one run
        over every core it is given and two runs on the same cores only slow each other."""
        total = self.ray.cluster_resources()
        if total.get("GPU", 0) >= 1:
            return {"num_cpus": 1, "num_gpus": 1}
        cpus = [n["Resources"].get("CPU", 0) for n in self.nodes()]
        cpus = [c for c in cpus if c >= 1]
        return {"num_cpus": int(min(cpus)) if cpus else 1}

    def pool(self) -> Any:
        """A TaskPool that sends items to this cluster."""
        from nst.cluster.tasks import TaskPool

        return TaskPool(self.ray, self.task_resources())

    def describe(self) -> str:
        """'2 nodes, 4 CPUs' (for a progress line)."""
        total = self.ray.cluster_resources()
        nodes = len(self.nodes())
        text = f"{nodes} node{'s' if nodes != 1 else ''}, {int(total.get('CPU', 0))} CPUs"
        gpus = int(total.get("GPU", 0))
        return text + (f", {gpus} GPUs" if gpus else "")


def connect(address: str = AUTO) -> Cluster:
    """A Cluster to use in a ``with`` block: ``AUTO`` starts or attaches a local cluster,
    another address names a running one (RayMissing, ClusterUnreachable)."""
    return Cluster(address)

"""The same 2x2 sweep and 4-item batch in-process and on a local Ray cluster of two nodes
(one CPU each), and what Ray adds: start-up, a worker's first item, and per task.

    python -m bench.ray_overhead                  # 64 px, 20 iterations: about 2 minutes
    python -m bench.ray_overhead --size 128 --iterations 50

Real images from /work/shared/images/ where that folder exists, else the bundled samples.
In-process, one run at a time uses both cores (TensorFlow's threads); on the cluster each
node's task runs on its one CPU (nst.cluster.tasks holds TensorFlow to it), two at once.
Rows, in the order they are measured:

- cluster start-up: the head and a second node, and this process connected;
- a no-op task, first: a worker process started; then its round trip warm (mean of 50);
- a worker's first item: TensorFlow imported, the weights read, the loss traced, and the
  same item again on that warm worker; the difference is what a fresh worker costs;
- per item: an item's round trip seen from the driver minus the seconds it took on its
  worker (scheduling, the images and the result through the object store);
- the sweep, the batch, and the sweep again: in-process (the first sweep traces the loss),
  then on the cluster (one node's worker still cold for the first sweep). Every file is
  written, as the command line writes it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Ray's nodes on 127.0.0.1 only (read when ray is imported), TensorFlow's start-up quiet.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nst.settings import Settings  # noqa: E402

SHARED = Path("/work/shared/images")
PHOTOS = ("tubingen.jpg", "chelsea.png")
STYLES = ("starry_night.jpg", "the_scream.jpg")
AXES = ("style_weight=1,100", "tv_weight=0,1")
NOOP_CALLS = 50


def image(kind: str, name: str) -> str:
    shared = SHARED / kind / name
    return str(shared if shared.is_file() else ROOT / "gui" / "samples" / name)


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = work()
    return time.perf_counter() - started, value


def drain(events: Iterator[Any]) -> None:
    for _ in events:
        pass


def sweep_seconds(base: Settings, cell_size: int, out: Path, cluster: Any = None) -> float:
    from nst.cluster.sweep import RaySweepRun
    from nst.sweep.axes import parse_axis
    from nst.sweep.grid import Sweep
    from nst.sweep.runner import SweepRun

    def run() -> None:
        sweep = Sweep(base, [parse_axis(text) for text in AXES], cell_size)
        if cluster is None:
            drain(SweepRun(sweep, out).events())
        else:
            drain(RaySweepRun(sweep, out, cluster).events())

    return timed(run)[0]


def batch_seconds(base: Settings, out: Path, cluster: Any = None) -> float:
    from nst.batch.runner import BatchRun, create_batch
    from nst.cluster.batch import RayBatchRun

    def run() -> None:
        contents = [image("content", n) for n in PHOTOS]
        folder = create_batch(base, contents, [image("style", n) for n in STYLES], out)
        batch = BatchRun(folder) if cluster is None else RayBatchRun(folder, cluster)
        drain(batch.events())
        batch.close()

    return timed(run)[0]


def item_round_trip(pool: Any, settings: Settings, content: Any, style: Any) -> tuple[float, Any]:
    """One item through the pool, alone: (driver-side seconds, its outcome)."""

    def run() -> Any:
        pool.submit("item", settings, content, style)
        return next(iter(pool.finished(lambda: False)))[1]

    return timed(run)


def measure(size: int, iterations: int) -> dict[str, float]:
    import ray
    from ray.cluster_utils import Cluster

    from nst.cluster.connect import connect
    from nst.imaging.load import load_image
    from nst.vgg.weights import load_weights

    base = Settings(
        content=image("content", PHOTOS[0]),
        style=image("style", STYLES[0]),
        size=size,
        iterations=iterations,
    )
    found: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        load_weights()  # in-process: the weights read once, before the clock starts
        found["sweep here"] = sweep_seconds(base, size, out / "here")
        found["batch here"] = batch_seconds(base, out / "here")
        found["sweep here again"] = sweep_seconds(base, size, out / "here")

        def start() -> Any:
            nodes = Cluster(
                initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False}
            )
            nodes.add_node(num_cpus=1)
            ray.init(address=nodes.address, log_to_driver=False, logging_level="ERROR")
            return nodes

        found["start-up"], nodes = timed(start)
        try:
            assert {n["NodeManagerAddress"] for n in ray.nodes()} == {"127.0.0.1"}
            noop = ray.remote(num_cpus=1)(lambda: None)
            found["no-op first"] = timed(lambda: ray.get(noop.remote()))[0]
            calls = [timed(lambda: ray.get(noop.remote()))[0] for _ in range(NOOP_CALLS)]
            found["no-op warm"] = statistics.mean(calls)
            with connect(nodes.address) as cluster:
                pool = cluster.pool()
                content = pool.share("c", load_image(base.content, role="content image"))
                style = pool.share("s", load_image(base.style, role="style image"))
                first, _ = item_round_trip(pool, base, content, style)
                trips = [item_round_trip(pool, base, content, style) for _ in range(3)]
                warm = statistics.mean(t for t, _ in trips)
                found["item first"], found["item warm"] = first, warm
                found["per item"] = statistics.mean(t - o.seconds for t, o in trips)
                found["sweep ray"] = sweep_seconds(base, size, out / "ray", cluster)
                found["batch ray"] = batch_seconds(base, out / "ray", cluster)
                found["sweep ray again"] = sweep_seconds(base, size, out / "ray", cluster)
        finally:
            ray.shutdown()
            nodes.shutdown()
    return found


def report(found: dict[str, float], size: int, iterations: int, load: float) -> list[str]:
    from bench.machine_header import header_lines

    f = found
    rows = [
        ("cluster start-up (head + 1 node, connected)", f["start-up"]),
        ("no-op task, first (on a worker Ray started with its node)", f["no-op first"]),
        (f"no-op task round trip, warm (mean of {NOOP_CALLS})", f["no-op warm"]),
        ("one item on a fresh worker", f["item first"]),
        ("the same item on that warm worker (mean of 3)", f["item warm"]),
        ("-> a fresh worker (TensorFlow, weights, tracing)", f["item first"] - f["item warm"]),
        ("-> per item: round trip minus its time on the worker", f["per item"]),
    ]
    runs = [
        ("2x2 sweep, first", f["sweep here"], f["sweep ray"]),
        ("4-item batch", f["batch here"], f["batch ray"]),
        ("2x2 sweep, again", f["sweep here again"], f["sweep ray again"]),
    ]
    lines = [
        f"## Ray's overhead (`python -m bench.ray_overhead --size {size} "
        f"--iterations {iterations}`, {time.strftime('%Y-%m-%d')})",
        "",
        *header_lines(),
        f"- load average (1 min) at the start: {load:.1f} on {os.cpu_count()} CPUs",
        "",
        "| Ray, what it adds | seconds |",
        "| --- | --- |",
        *(f"| {what} | {value:.3f} |" for what, value in rows),
        "",
        f"| {size} px, {iterations} iterations, seconds | in-process | two-node cluster |",
        "| --- | --- | --- |",
        *(f"| {what} | {here:.2f} | {there:.2f} |" for what, here, there in runs),
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ray_overhead", description=__doc__)
    parser.add_argument("--size", type=int, default=64, help="px of each run (default 64)")
    parser.add_argument("--iterations", type=int, default=20, help="steps (default 20)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]  # other programs' share of the CPUs shows in every row
    found = measure(args.size, args.iterations)
    print("\n".join(report(found, args.size, args.iterations, load)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Ray (issue 20): sweeps and batches as tasks on a local cluster of two nodes give the
files, recipes and sheet they give in-process, spread over both nodes; a worker killed
mid-task has its item retried; Ray missing, or an address where nothing answers, is one
sentence. Every node listens on 127.0.0.1 only (conftest sets Ray's switch for that)."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.cli_helpers import tiny_run

ray = pytest.importorskip("ray")

pytestmark = pytest.mark.ray

Cli = Callable[..., tuple[int, str, str]]
SWEEP = ["--vary", "style_weight=1,100", "--vary", "tv_weight=0,1", "--cell-size", "32"]
LOSS_TOLERANCE = 0.01  # the same run on a worker: TensorFlow may sum in another order


@pytest.fixture(scope="module")
def cluster(ray_cluster: str) -> Iterator[str]:
    """The address of the run's local cluster (conftest), this process connected to it
    (the command line then uses that connection)."""
    ray.init(address=ray_cluster, log_to_driver=False, logging_level="WARNING")
    try:
        yield ray_cluster
    finally:
        ray.shutdown()


def _folder(code: int, out: str, err: str, expected: int = 0) -> Path:
    assert code == expected, err
    last = Path(out.strip().splitlines()[-1])
    return last.parent if last.suffix == ".png" else last  # a sweep prints its sheet


def _recipes(folder: Path) -> dict[str, dict[str, Any]]:
    index = {"sweep.json", "batch.json"}
    return {p.name: json.loads(p.read_text()) for p in folder.glob("*.json") if p.name not in index}


def _same_results(here: Path, there: Path) -> set[str]:
    """Check ``there`` (Ray) holds what ``here`` (in-process) holds; returns the nodes
    the recipes say the runs were made on."""
    assert sorted(p.name for p in here.iterdir()) == sorted(p.name for p in there.iterdir())
    ours, theirs = _recipes(here), _recipes(there)
    assert ours and ours.keys() == theirs.keys()
    for name, recipe in ours.items():
        other = theirs[name]
        assert other["settings"] == recipe["settings"], name
        for part, value in recipe["final_losses"].items():
            assert other["final_losses"][part] == pytest.approx(value, rel=LOSS_TOLERANCE, abs=1e-6)
    a = np.asarray(Image.open(here / "contact_sheet.png").convert("RGB"), dtype=float)
    b = np.asarray(Image.open(there / "contact_sheet.png").convert("RGB"), dtype=float)
    assert a.shape == b.shape
    assert np.abs(a - b).mean() < 2.0  # the same pictures, up to a few levels here and there
    return {r["ray_node"] for r in theirs.values()}


@pytest.mark.slow  # a local cluster, or real runs of the engine
def test_the_nodes_listen_on_loopback_only(cluster: str) -> None:
    nodes = [n for n in ray.nodes() if n["Alive"]]
    assert len(nodes) == 2
    assert {n["NodeManagerAddress"] for n in nodes} == {"127.0.0.1"}
    assert cluster.startswith("127.0.0.1:")


@pytest.mark.slow  # a local cluster, or real runs of the engine
def test_a_2x2_sweep_on_ray_gives_what_it_gives_here(
    cluster: str, run_cli: Cli, tmp_path: Path, content_path: str, style_path: str
) -> None:
    here = _folder(*run_cli("sweep", *tiny_run(content_path, style_path, tmp_path / "a"), *SWEEP))
    code, out, err = run_cli(
        "sweep", *tiny_run(content_path, style_path, tmp_path / "b"), *SWEEP, "--ray", cluster
    )
    there = _folder(code, out, err)
    assert "on a Ray cluster of 2 nodes, 2 CPUs" in err
    assert len(_same_results(here, there)) == 2  # both nodes ran cells
    index = json.loads((there / "sweep.json").read_text())
    assert all(cell["file"] and "error" not in cell for cell in index["cells"])


@pytest.mark.slow  # a local cluster, or real runs of the engine
def test_a_3_item_batch_on_ray_gives_what_it_gives_here(
    cluster: str, run_cli: Cli, tmp_path: Path, content_path: str, style_path: str, samples: Path
) -> None:
    # The third photo is too narrow for VGG19: on a worker too, it fails alone, in words.
    narrow = tmp_path / "narrow.png"
    Image.new("RGB", (2, 400), "red").save(narrow)
    photos = [content_path, str(samples / "chelsea.png"), str(narrow)]

    def batch(out: Path, *ray: str) -> Path:
        args = tiny_run(photos[0], style_path, out, "--content", *photos[1:], iterations=2)
        return _folder(*run_cli("batch", *args, *ray), expected=1)  # one failed

    here, there = batch(tmp_path / "a"), batch(tmp_path / "b", "--ray", cluster)
    assert len(_same_results(here, there)) == 2  # both nodes ran items
    ours, theirs = (json.loads((f / "batch.json").read_text())["items"] for f in (here, there))
    assert [i["state"] for i in theirs] == ["done", "done", "failed"]
    assert [i["files"] for i in theirs] == [i["files"] for i in ours]
    assert theirs[2]["reason"] == ours[2]["reason"] and "narrow.png" in theirs[2]["reason"]


def _task_pids() -> list[int]:
    """This user's Ray workers running an item now (Ray titles them ray::<function>)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid == os.getuid() and (
                (entry / "cmdline").read_bytes().startswith(b"ray::work")
            ):
                pids.append(int(entry.name))
        except OSError:  # it ended meanwhile
            continue
    return pids


@pytest.mark.slow  # a local cluster, or real runs of the engine
def test_a_worker_killed_mid_task_is_retried_and_its_item_completes(
    cluster: str, run_cli: Cli, tmp_path: Path, content_path: str, style_path: str
) -> None:
    killed: list[int] = []
    ended = threading.Event()

    def kill_the_first_worker_seen() -> None:
        while not ended.is_set() and not killed:
            pids = _task_pids()
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
            ended.wait(0.01)

    killer = threading.Thread(target=kill_the_first_worker_seen)
    killer.start()
    try:
        args = tiny_run(content_path, style_path, tmp_path, iterations=60)
        code, out, err = run_cli("batch", *args, "--ray", cluster)
    finally:
        ended.set()
        killer.join()
    folder = _folder(code, out, err)
    assert killed  # a worker died with the item on it ...
    item = json.loads((folder / "batch.json").read_text())["items"][0]
    assert item["state"] == "done"  # ... and Ray ran it again
    assert (folder / item["files"][0]).is_file()
    assert json.loads((folder / item["files"][1]).read_text())["steps"] == 60


def _axes(command: str) -> list[str]:
    return SWEEP[:2] if command == "sweep" else []


@pytest.mark.parametrize("command", ["sweep", "batch"])
def test_asking_for_ray_without_it_says_how_to_install_it(
    command: str,
    run_cli: Cli,
    tmp_path: Path,
    content_path: str,
    style_path: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails
    args = tiny_run(content_path, style_path, tmp_path, *_axes(command), "--ray", "auto")
    code, out, err = run_cli(command, *args)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        'error: Ray is not installed; install it with `pip install "nst[ray]"` '
        '(from the source: `pip install ".[ray]"`).'
    ]
    assert list(tmp_path.iterdir()) == []  # nothing to resume was left behind


@pytest.mark.timeout(60)  # ray.init would retry a dead address for minutes
@pytest.mark.parametrize("command", ["sweep", "batch"])
def test_an_address_where_nothing_answers_is_one_sentence(
    command: str, run_cli: Cli, tmp_path: Path, content_path: str, style_path: str
) -> None:
    with socket.socket() as free:  # a port nothing listens on once this is closed
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    args = tiny_run(content_path, style_path, tmp_path, *_axes(command))
    code, out, err = run_cli(command, *args, "--ray", f"127.0.0.1:{port}")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: No Ray cluster answers at 127.0.0.1:{port} (connection refused); start one "
        "there with `ray start --head`, or give --ray auto to start one on this machine."
    ]


@pytest.mark.slow  # a local cluster, or real runs of the engine
def test_an_items_other_files_travel_with_it(
    tmp_path: Path, content_path: str, style_path: str, samples: Path
) -> None:
    """Extra style and mask images go with the task: the worker needs no shared folder."""
    from nst.cluster.files import read_side_files
    from nst.cluster.item import run_item
    from nst.imaging.load import load_image
    from nst.settings import Settings

    extra, mask = tmp_path / "the_scream.jpg", tmp_path / "sky.png"
    extra.write_bytes((samples / "the_scream.jpg").read_bytes())
    Image.new("L", Image.open(content_path).size, 255).save(mask)
    settings = Settings(
        content=content_path,
        style=style_path,
        size=32,
        iterations=2,
        extra_styles=((str(extra), 1.0),),
        style_masks=(str(mask), ""),
    )
    files = read_side_files(settings)
    extra.unlink(), mask.unlink()  # as on a machine that has only the task
    content, style = load_image(content_path), load_image(style_path)
    outcome = run_item(settings.to_dict(), content, style, files)
    assert not outcome.error and outcome.image is not None
    assert outcome.recipe()["settings"] == settings.to_dict()  # the driver's paths
    unreadable = run_item(settings.to_dict(), content, style, {})
    assert "the_scream.jpg" in unreadable.error and unreadable.image is None


def test_the_app_starts_without_importing_ray() -> None:
    import subprocess

    modules = "nst_cli.main, nst_cli.batch, nst_cli.sweep, nst.cluster.batch, nst.cluster.sweep"
    script = f"import sys, {modules}\nassert 'ray' not in sys.modules, 'ray imported'\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent.parent)
    assert done.returncode == 0

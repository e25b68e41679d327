"""Every shared fixture: the bundled sample images, and the window with its settings and
folders kept inside tmp_path. The hypothesis profiles for the fuzz tests are set here too.

Helpers that tests call as functions live in modules beside this one (``tests.bad_inputs``,
``tests.gui_helpers``); no test module imports another.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from gui.app_settings import AppSettings
    from gui.main_window import MainWindow

# TensorFlow's C++ start-up chatter (no CUDA driver, CPU features) is noise in test logs.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Ray's nodes and workers on 127.0.0.1 only (read when ray is imported): the tests' local
# clusters never bind or reach this machine's other addresses.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "gui" / "samples"

# --------------------------------------------------------------------------- crashes


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Python's crash report back in place after every test. A Ray driver in this process
    (ray.init: tests/test_ray.py, the window's Ray tests) puts its own SIGSEGV handler in
    place of the one pytest's faulthandler plugin installs, and writes a crash's stack to
    Ray's log files: a segmentation fault in any later test then ends the run without a
    word of where it happened."""
    import faulthandler

    from _pytest.faulthandler import fault_handler_stderr_fd_key

    fd = item.config.stash.get(fault_handler_stderr_fd_key, None)
    if fd is not None:
        faulthandler.disable()  # enable() alone leaves the other handler where it is
        faulthandler.enable(file=fd, all_threads=True)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Once Qt is loaded, Python's garbage is collected on this (the GUI) thread only, as
    the window does (gui.gui_thread_gc): between tests as well as in Qt's event loop,
    since a test without an event loop would otherwise collect nothing."""
    if "PyQt5.QtWidgets" in sys.modules and sys.modules["PyQt5.QtWidgets"].QApplication.instance():
        from gui.gui_thread_gc import collect_due, collect_on_gui_thread

        collect_on_gui_thread()
        collect_due()


# --------------------------------------------------------------------------- fuzzing

# Each fuzz test tries NST_FUZZ_EXAMPLES examples (100 unless set): enough to catch a
# regression in every run of the suite. For a real hunt, ask for thousands:
# NST_FUZZ_EXAMPLES=5000, or --hypothesis-profile=thorough. No deadline, and no too_slow
# health check: on a machine shared with other jobs one example can stall for seconds,
# which says nothing about the code under test. function_scoped_fixture: the tests use
# tmp_path only as a scratch folder that each example overwrites.
_FUZZ = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile(
    "nst", max_examples=int(os.environ.get("NST_FUZZ_EXAMPLES", "100")), **_FUZZ
)
settings.register_profile("thorough", max_examples=5000, **_FUZZ)
settings.load_profile("nst")  # --hypothesis-profile=NAME, read after this file, overrides

# --------------------------------------------------------------------------- samples


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def content_path() -> str:
    return str(SAMPLES / "tubingen.jpg")


@pytest.fixture(scope="session")
def style_path() -> str:
    return str(SAMPLES / "starry_night.jpg")


# --------------------------------------------------------------------------- the engine


@pytest.fixture(scope="session")
def weights() -> Any:
    """The VGG19 weights (load_weights keeps them for the process; read once here too)."""
    from nst.vgg.weights import load_weights

    return load_weights()


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[str]:
    """The address of one local Ray cluster for the whole run, two nodes of one CPU each
    on 127.0.0.1, started by the first test that asks (once, not once per file); this
    fixture does not connect to it. Skips where Ray is not installed."""
    pytest.importorskip("ray")
    from ray.cluster_utils import Cluster

    nodes = Cluster(
        initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False}
    )
    try:
        nodes.add_node(num_cpus=1)
        yield nodes.address
    finally:
        nodes.shutdown()


# --------------------------------------------------------------------------- the CLI


@pytest.fixture(autouse=True)
def tiles_in_the_systems_allocator(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memory estimate of a stage in tiles is that of the allocator the process will
    have (nst.allocator.allocator_for_tiles): the pool once TensorFlow is loaded, which in
    a test run depends on the tests before. The system's here, as a run's own process has;
    tests/test_allocator.py tests the choice in processes of its own."""
    monkeypatch.setattr("nst.memory.allocator_for_tiles", lambda: "system")


@pytest.fixture(autouse=True)
def stages_by_any_machines_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stage, whole or in tiles, is estimated by the figures of the kernels that will
    compute it (nst.memory.whole_kernels and tile_kernels), read from the CPU's flags:
    here those of a machine not measured ("float32") on every machine, so that the plans
    the tests expect do not depend on the CPU they run on. tests/test_memory.py and
    tests/test_whole_memory.py set the flags where they test the others."""
    monkeypatch.setattr("nst.memory.cpu_has_fast_bfloat16", lambda: False)
    monkeypatch.setattr("nst.memory.cpu_has_avx512", lambda: False)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``run_cli(*args)`` runs the command line in this process: (exit status, stdout,
    stderr)."""
    from nst_cli.main import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


# --------------------------------------------------------------------------- the window
# Qt and the gui package are imported inside the fixtures, so that engine-only test runs
# never load them.


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder the process may read but not write. Root writes whatever the permission
    bits say: for root the folder is made immutable (chattr +i, as a read-only mount
    refuses writes), and the test is skipped where that cannot be done."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if not (hasattr(os, "geteuid") and os.geteuid() == 0):
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if (
        chattr is None
        or subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode
    ):
        pytest.skip("root writes into any folder, and this file system cannot make one immutable")
    try:
        yield folder
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME and the XDG folders inside tmp_path: nothing reaches the real ~/Pictures.
    The GUI test modules use it for every test (pytestmark usefixtures)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    return home


@pytest.fixture
def store(tmp_path: Path) -> AppSettings:
    """The window's settings in an INI file in tmp_path, never the user's."""
    from PyQt5.QtCore import QSettings

    from gui.app_settings import AppSettings

    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "results"


@pytest.fixture
def open_window(
    qtbot: Any, store: AppSettings, out_dir: Path
) -> Iterator[Callable[..., MainWindow]]:
    """``open_window(settings_store=None, *, restore=True, folder=out_dir, show=True)``: a
    new window on ``store`` (or the store given), results going to ``folder`` (None: the
    folder it restores). Every window a test opens is shut down after it: a test that
    failed mid-run must not leave its thread behind, nor a History thumbnail being made."""
    from gui.history.thumbnails import thumbnail_pool
    from gui.main_window import MainWindow

    opened: list[MainWindow] = []

    def open_(
        settings_store: AppSettings | None = None,
        *,
        restore: bool = True,
        folder: Path | None = out_dir,
        show: bool = True,
    ) -> MainWindow:
        win = MainWindow(store if settings_store is None else settings_store, restore=restore)
        qtbot.addWidget(win)
        opened.append(win)
        if folder is not None:
            win.controls.folder_edit.setText(str(folder))
        if show:
            win.show()
        return win

    yield open_
    for win in opened:
        win.shutdown()
    thumbnail_pool().waitForDone(10_000)


@pytest.fixture
def window(open_window: Callable[..., MainWindow]) -> MainWindow:
    """The window of the GUI tests, shown, its results going to ``out_dir`` (a test module
    that needs another folder overrides the ``out_dir`` fixture)."""
    return open_window()

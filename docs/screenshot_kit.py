"""What the take_*_screenshot(s).py scripts share: the real window opened with its settings
and results in a temporary folder (so the user's own are left alone), at 1440 x 900 in the
top left corner of the screen, and the shots of it.

The scripts run as ``python docs/take_....py``, so this folder is on sys.path and they
import this module by its bare name; it puts the repository root on sys.path for ``gui``.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PyQt5.QtCore import QSettings  # noqa: E402
from PyQt5.QtWidgets import QApplication, QWidget  # noqa: E402

from gui.app_settings import AppSettings  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402

SAMPLES = ROOT / "gui" / "samples"


@dataclass
class Shots:
    """The application, its window, the scratch folder and where the shots go."""

    app: QApplication
    window: MainWindow
    scratch: Path
    out: Path

    def shoot(self, name: str, widget: QWidget | None = None) -> Path:
        """Grab ``widget`` (the window unless given) from the screen as the X server shows
        it (QScreen.grabWindow), not a re-rendering of the widgets, and save it as ``name``."""
        self.app.processEvents()
        geometry = (widget or self.window).frameGeometry()
        pixmap = self.app.primaryScreen().grabWindow(
            0, geometry.x(), geometry.y(), geometry.width(), geometry.height()
        )
        path = self.out / name
        pixmap.save(str(path))
        print(f"saved {path} ({pixmap.width()}x{pixmap.height()})", flush=True)
        return path

    def render(self, name: str, widget: QWidget) -> Path:
        """Save ``widget`` as Qt renders it (QWidget.grab), as ``name``."""
        self.app.processEvents()
        path = self.out / name
        widget.grab().save(str(path))
        print(f"saved {path}", flush=True)
        return path


def open_window(out_dir: str, results: str | None = None, prefix: str = "nst-shots-") -> Shots:
    """Start the application and show the window. Settings go to a new temporary folder, and
    results to its ``results`` folder unless ``results`` names another; ``out_dir`` (made
    if missing) receives the shots."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    app = QApplication(sys.argv[:1])
    store = AppSettings(QSettings(str(scratch / "settings.ini"), QSettings.IniFormat))
    window = MainWindow(store, restore=False)
    window.controls.folder_edit.setText(
        results if results is not None else str(scratch / "results")
    )
    window.resize(1440, 900)
    window.move(0, 0)
    window.show()
    return Shots(app, window, scratch, out)

"""What the window remembers between sessions, behind one QSettings wrapper.

The run's settings are ONE value, ``run/settings``: the JSON of Settings.to_dict(), read
back with Settings.from_recipe, which keeps every field it can use and drops the rest. So a
value written by an older or newer version, or a hand-edited one, costs at most the fields
it got wrong, and a new Settings field needs no new key here. Beside it, the window's own
state (geometry, output folder, dialog folders).

``DEFAULTS`` is both the list of every key the app stores and its schema: a stored value
is read back as the type of its default, and a value that cannot be read as that type
gives the default instead of an exception. Asking for a key that is not in ``DEFAULTS``
is a programming error (KeyError), so a typo cannot silently create a new key. Tests
inject ``QSettings(path, QSettings.IniFormat)`` so that they never touch the user's real
settings.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Mapping
from typing import Any

from PyQt5.QtCore import QByteArray, QSettings, QStandardPaths

from gui.model.queue import QUEUE_FILE
from gui.model.where_runs import Placement
from nst.settings import Settings, SettingsError

log = logging.getLogger(__name__)

ORGANIZATION = "nst"
APPLICATION = "Style Transfer"
# The folder results go into unless the user picks another, under the user's Pictures.
OUTPUT_SUBFOLDER = "Style Transfer"

DEFAULTS: dict[str, Any] = {
    "run/settings": "",  # Settings.to_dict() as JSON; "": the defaults
    "output/folder": "",  # "": default_output_folder()
    "window/geometry": QByteArray(),
    "window/state": QByteArray(),
    "window/splitter": QByteArray(),
    "dialogs/image_folder": "",
    "dialogs/recipe_folder": "",
    # This machine's measured speed, JSON {precision: seconds per step per megapixel}
    # (nst/run/estimate.py); "": nothing measured yet.
    "estimate/step_rates": "",
    # Where the queue and sweeps run (gui/model/where_runs.py): on a Ray cluster, or here.
    "runs/ray": False,
    "runs/ray_address": "",  # "": a local cluster
}


def default_output_folder() -> str:
    """``<Pictures>/Style Transfer``; the home folder stands in where there is no Pictures."""
    pictures = QStandardPaths.writableLocation(QStandardPaths.PicturesLocation)
    base = pictures or os.path.expanduser("~")
    return os.path.join(base, OUTPUT_SUBFOLDER)


def _convert(value: Any, default: Any) -> Any:
    """``value`` as the type of ``default``; raises ValueError/TypeError if it is not one."""
    if isinstance(default, QByteArray):
        if isinstance(value, QByteArray):
            return value
        if isinstance(value, (bytes, bytearray)):
            return QByteArray(bytes(value))
        raise TypeError(f"expected bytes, not {type(value).__name__}")
    if isinstance(default, bool):  # before int: bool is an int
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValueError(f"{value!r} is not true or false")
    if isinstance(default, int):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        return int(str(value).strip()) if not isinstance(value, (int, float)) else int(value)
    if isinstance(default, float):
        result = float(value)
        if result != result or result in (float("inf"), float("-inf")):
            raise ValueError(f"{value!r} is not a finite number")
        return result
    if isinstance(default, str):
        if isinstance(value, (list, tuple)):
            # INI format splits an unquoted value with commas into a list.
            return ", ".join(str(v) for v in value)
        return str(value)
    raise TypeError(f"no conversion for {type(default).__name__}")


class AppSettings:
    """Typed access to the app's QSettings; every key must be in :data:`DEFAULTS`."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._injected = qsettings is not None
        self.qsettings = (
            qsettings
            if qsettings is not None
            else QSettings(QSettings.IniFormat, QSettings.UserScope, ORGANIZATION, APPLICATION)
        )

    def get(self, key: str) -> Any:
        default = DEFAULTS[key]
        if not self.qsettings.contains(key):
            return default
        raw = self.qsettings.value(key)
        try:
            return _convert(raw, default)
        except (TypeError, ValueError) as exc:
            log.warning("ignoring the stored %s (%s); using the default", key, exc)
            return default

    def set(self, key: str, value: Any) -> None:
        default = DEFAULTS[key]
        self.qsettings.setValue(key, _convert(value, default))

    def sync(self) -> None:
        self.qsettings.sync()

    def output_folder(self) -> str:
        return self.get("output/folder") or default_output_folder()

    def queue_path(self) -> str:
        """The window's queue (a job store): in the app's data folder, beside its log; beside
        an injected settings file (a test's), so that a test never touches the user's."""
        if self._injected:
            folder = os.path.dirname(os.path.abspath(self.qsettings.fileName()))
        else:
            folder = os.path.dirname(log_file_path())
        return os.path.join(folder, QUEUE_FILE)

    # --- the run's settings ---

    def run_settings(self) -> Settings:
        """The stored run settings; a field that does not validate gets its default, and
        a value that is not a JSON object at all gives the defaults."""
        text = self.get("run/settings")
        if not text:
            return Settings()
        try:
            settings, unknown, wrong = Settings.from_recipe(json.loads(text))
        except (ValueError, SettingsError) as exc:
            log.warning("ignoring the stored run settings (%s)", exc)
            return Settings()
        if unknown or wrong:
            log.info("stored settings: ignored %s, defaults for %s", unknown, sorted(wrong))
        return settings

    def store_run(self, values: Mapping[str, Any]) -> None:
        """Store the run's settings, given as Settings.to_dict() or the window's values
        (a field of the window's still being edited is stored as it is, and dropped on
        reading if it does not validate)."""
        data = {
            name: dict(value) if isinstance(value, Mapping) else value
            for name, value in values.items()
        }
        self.set("run/settings", json.dumps(data, default=list))

    # --- where the queue and sweeps run ---

    def placement(self) -> Placement:
        return Placement(self.get("runs/ray"), self.get("runs/ray_address").strip())

    def store_placement(self, placement: Placement) -> None:
        self.set("runs/ray", placement.ray)
        self.set("runs/ray_address", placement.address.strip())

    # --- the measured speed, for the estimate before a run ---

    def step_rates(self) -> dict[str, float]:
        """{precision: seconds per step per megapixel} measured on this machine; a value
        that is not a positive finite number is dropped (hand-edited or damaged)."""
        text = self.get("estimate/step_rates")
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = None
        if not isinstance(data, dict):
            log.warning("ignoring the stored step rates %r", text)
            return {}
        rates = {}
        for precision, rate in data.items():
            if isinstance(rate, (int, float)) and not isinstance(rate, bool):
                if math.isfinite(rate) and rate > 0:
                    rates[str(precision)] = float(rate)
        return rates

    def step_rate(self, precision: str) -> float | None:
        return self.step_rates().get(precision)

    def remember_step_rate(self, precision: str, rate: float) -> None:
        """Keep the rate the last run measured at ``precision`` (the latest replaces the
        one before: it reflects the machine as it is now, its load and its updates)."""
        if not (math.isfinite(rate) and rate > 0):
            return
        rates = self.step_rates()
        rates[precision] = rate
        self.set("estimate/step_rates", json.dumps(rates))


def log_file_path() -> str:
    """Where main.py writes the app's log (tracebacks of unexpected errors go there)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.AppLocalDataLocation)
    if not folder:
        folder = os.path.join(os.path.expanduser("~"), ".local", "share", APPLICATION)
    return os.path.join(folder, "style-transfer.log")

"""What the window remembers between sessions, behind one QSettings wrapper.

``DEFAULTS`` is both the list of every key the app stores and its schema: a stored value
is read back as the type of its default, and a value that cannot be read as that type (a
hand-edited or corrupt file, a value from an older version) gives the default instead of
an exception. Asking for a key that is not in ``DEFAULTS`` is a programming error
(KeyError), so a typo cannot silently create a new key.

Run parameters take their defaults from :class:`nst.settings.Settings`, so each default is
written once. Tests inject ``QSettings(path, QSettings.IniFormat)`` so that they never
touch the user's real settings.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from typing import Any

from PyQt5.QtCore import QByteArray, QSettings, QStandardPaths

from nst.settings import Settings, SettingsError

log = logging.getLogger(__name__)

ORGANIZATION = "nst"
APPLICATION = "Style Transfer"
# The folder results go into unless the user picks another, under the user's Pictures.
OUTPUT_SUBFOLDER = "Style Transfer"

_RUN = Settings()

DEFAULTS: dict[str, Any] = {
    # --- the run (Settings fields; see RUN_KEYS for the mapping) ---
    "images/content": _RUN.content,
    "images/style": _RUN.style,
    "run/optimizer": _RUN.optimizer,
    "run/learning_rate": 0.0,  # 0: not set by the user, use the optimizer's own default
    "run/iterations": _RUN.iterations,
    "run/init": _RUN.init,
    "run/seed": _RUN.seed,
    "run/precision": _RUN.precision,
    "run/stages": 0,  # 0: automatic (Settings.stages None)
    "run/colour": _RUN.colour,
    "run/colour_strength": _RUN.colour_strength,
    "size/output": _RUN.size,
    "size/work": 0,  # 0: the same as the output size
    "size/style": 0,  # 0: the same as the working size
    "size/style_scale": _RUN.style_scale,
    "texture/aspect": 0.0,  # 0: the painting's proportions
    "weights/content": _RUN.content_weight,
    "weights/style": _RUN.style_weight,
    "weights/tv": _RUN.tv_weight,
    "layers/content": json.dumps(dict(_RUN.content_layers)),
    "layers/style": json.dumps(dict(_RUN.style_layers)),
    "instant/method": _RUN.method,
    "instant/style_strength": _RUN.style_strength,
    "instant/style_image_weight": _RUN.style_image_weight,
    # --- the window ---
    "output/folder": "",  # "": default_output_folder()
    "window/geometry": QByteArray(),
    "window/state": QByteArray(),
    "window/splitter": QByteArray(),
    "dialogs/image_folder": "",
    "dialogs/recipe_folder": "",
}

# Settings field -> key. Optional sizes and the learning rate are stored as 0 for None
# (QSettings has no portable null), layer dicts as JSON text (readable in the INI file).
RUN_KEYS: dict[str, str] = {
    "content": "images/content",
    "style": "images/style",
    "optimizer": "run/optimizer",
    "learning_rate": "run/learning_rate",
    "iterations": "run/iterations",
    "init": "run/init",
    "seed": "run/seed",
    "precision": "run/precision",
    "stages": "run/stages",
    "colour": "run/colour",
    "colour_strength": "run/colour_strength",
    "size": "size/output",
    "work_size": "size/work",
    "style_size": "size/style",
    "style_scale": "size/style_scale",
    "texture_aspect": "texture/aspect",
    "content_weight": "weights/content",
    "style_weight": "weights/style",
    "tv_weight": "weights/tv",
    "content_layers": "layers/content",
    "style_layers": "layers/style",
    "method": "instant/method",
    "style_strength": "instant/style_strength",
    "style_image_weight": "instant/style_image_weight",
}
_NONE_AS_ZERO = ("learning_rate", "work_size", "style_size", "stages", "texture_aspect")
_JSON_FIELDS = ("content_layers", "style_layers")


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

    # --- the run's settings ---

    def run_values(self) -> dict[str, Any]:
        """The stored run parameters as keyword arguments for :class:`Settings`."""
        values: dict[str, Any] = {}
        for name, key in RUN_KEYS.items():
            value = self.get(key)
            if name in _NONE_AS_ZERO:
                value = value or None
            elif name in _JSON_FIELDS:
                try:
                    value = json.loads(value)
                except ValueError:
                    log.warning("ignoring the stored %s (not JSON)", key)
                    value = json.loads(DEFAULTS[key])
            values[name] = value
        return values

    def run_settings(self) -> Settings:
        """The stored run parameters; any value that does not validate falls back to its
        default, so a bad stored value costs that one value, never the whole set."""
        values = self.run_values()
        for _ in range(len(values) + 1):
            try:
                return Settings(**values)
            except SettingsError as exc:
                name = exc.field.split(".")[0]
                log.warning("ignoring the stored %s: %s", name, exc)
                if name not in values:
                    break
                del values[name]
            except TypeError as exc:  # a value of a shape Settings cannot take at all
                log.warning("ignoring the stored run settings: %s", exc)
                break
        return Settings()

    def store_run(self, settings_dict: Mapping[str, Any]) -> None:
        """Store run parameters given as a Settings-style dict (missing ones are kept)."""
        for name, key in RUN_KEYS.items():
            if name not in settings_dict:
                continue
            value = settings_dict[name]
            if name in _NONE_AS_ZERO:
                value = value or 0
            elif name in _JSON_FIELDS:
                value = json.dumps(dict(value))
            self.set(key, value)


def log_file_path() -> str:
    """Where main.py writes the app's log (tracebacks of unexpected errors go there)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.AppLocalDataLocation)
    if not folder:
        folder = os.path.join(os.path.expanduser("~"), ".local", "share", APPLICATION)
    return os.path.join(folder, "style-transfer.log")

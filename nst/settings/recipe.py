"""Reading a recipe: the settings of a run, from a .json file or a result PNG.

One reader and one rule for the command line, the window and the history: relative paths
in a recipe (content, style, weights, extra_styles, style_masks) are relative to the
recipe's own folder, so a folder of results moved together with its images keeps working,
whatever the current folder. Errors are one sentence naming the file.

    read = read_recipe("results/tubingen_starry_night_001.json")
    read.values     # the known settings, paths made absolute
    read.unknown    # fields this version does not know (a newer recipe's): ignored
    read.load()     # Settings, a bad value replaced by its default and named
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nst.errors import NstError, reason
from nst.imaging.save import read_recipe_from_png
from nst.settings.constants import DEFAULT_LEARNING_RATES
from nst.settings.fields import PATH_FIELDS, field_names
from nst.settings.model import Settings, default

# A recipe is a few kilobytes; a "recipe" many times that size is not one of ours, and
# reading it whole (for every refresh of a history of hundreds) would be slow.
MAX_RECIPE_BYTES = 1_000_000

_CHOOSE = "choose a .json file written beside a result"


class RecipeError(NstError):
    """A recipe file cannot be used; the message is one sentence naming the file."""


class RecipeMissing(RecipeError):
    """The recipe file is not there (the history lists a result without one quietly)."""


@dataclass(frozen=True)
class LoadedRecipe:
    """Settings from a recipe read leniently, and what could not be used."""

    settings: Settings
    unknown_fields: tuple[str, ...]  # fields this version does not know, ignored
    # known fields whose value is not allowed -> why; dropped, their defaults used
    wrong_fields: tuple[tuple[str, str], ...] = ()

    def warning(self, name: str) -> str:
        """One sentence naming what was ignored, or "" when everything was used."""
        parts = []
        if self.unknown_fields:
            parts.append(
                f"fields this version does not know, ignored ({', '.join(self.unknown_fields)})"
            )
        if self.wrong_fields:
            bad = "; ".join(f"{field} {why}" for field, why in self.wrong_fields)
            parts.append(f"values that are not allowed, replaced by the defaults ({bad})")
        if not parts:
            return ""
        return f"The recipe '{name}' has {' and '.join(parts)}; the rest was loaded."


@dataclass(frozen=True)
class RecipeRead:
    """A recipe's settings as found in the file, before they are checked."""

    name: str  # the file's name, for messages
    values: dict[str, Any]  # the known settings, relative paths anchored at the recipe
    unknown: tuple[str, ...]  # names this version does not know, ignored

    def load(self) -> LoadedRecipe:
        """Settings that never fail over one field: a value that is not allowed (a hand
        edit's) is replaced by its default and named, as the window wants it."""
        settings, _unknown, wrong = Settings.from_recipe(self.values)
        return LoadedRecipe(settings, self.unknown, tuple(wrong.items()))


def read_recipe(path: str | os.PathLike[str]) -> RecipeRead:
    """The settings of a recipe file (.json, or a result PNG's embedded copy), its
    relative paths taken from the file's folder; RecipeError with one sentence if the
    file is not a usable recipe."""
    fspath = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(fspath))
    return recipe_settings(read_recipe_data(fspath), folder, os.path.basename(fspath))


def recipe_settings(data: Any, folder: str, name: str = "") -> RecipeRead:
    """The settings in a recipe's JSON object (bare, or under "settings" as written beside
    a result), relative paths taken from ``folder``, the recipe's folder."""
    older = False
    if isinstance(data, Mapping) and isinstance(data.get("settings"), Mapping):
        older = "steps" in data and "learning_rate_used" not in data
        data = data["settings"]
    if not isinstance(data, Mapping):
        raise RecipeError(f"The recipe '{name}' does not hold a JSON object of settings.")
    known = set(field_names())
    values = {k: v for k, v in data.items() if k in known}
    if older:
        values = _rate_as_chosen(values)
    unknown = tuple(sorted(str(k) for k in data if k not in known))
    return RecipeRead(name, resolve_paths(values, folder), unknown)


def _rate_as_chosen(values: dict[str, Any]) -> dict[str, Any]:
    """An optimization recipe written before the rate was saved as chosen held the rate
    the run used: its optimizer's default rate reads as "the optimizer's default" (None),
    which is what it was unless the user typed that very number."""
    optimizer = values.get("optimizer", default("optimizer"))
    rate = values.get("learning_rate")
    if isinstance(optimizer, str) and rate == DEFAULT_LEARNING_RATES.get(optimizer, object()):
        return {**values, "learning_rate": None}
    return values


def resolve_paths(values: Mapping[str, Any], folder: str) -> dict[str, Any]:
    """``values`` with every relative image or weights path joined to ``folder``.

    Absolute paths are kept; "" (no image, or a mask's "the rest") stays ""; a value of
    the wrong shape is left for Settings to name.
    """
    folder = os.path.abspath(folder)

    def anchored(value: Any) -> Any:
        if isinstance(value, str) and value and not os.path.isabs(value):
            return os.path.normpath(os.path.join(folder, os.path.expanduser(value)))
        return value

    result = dict(values)
    for name in PATH_FIELDS:
        if name in result:
            result[name] = anchored(result[name])
    masks = result.get("style_masks")
    if isinstance(masks, (list, tuple)):
        result["style_masks"] = [anchored(m) for m in masks]
    styles = result.get("extra_styles")
    if isinstance(styles, (list, tuple)):
        result["extra_styles"] = [
            [anchored(item[0]), *item[1:]] if isinstance(item, (list, tuple)) and item else item
            for item in styles
        ]
    return result


def read_recipe_data(path: str) -> dict[str, Any]:
    """The whole JSON object of a recipe file, or of a result PNG's text chunk."""
    name = os.path.basename(path) or path
    if path.lower().endswith(".png"):
        try:
            recipe = read_recipe_from_png(path)
        except NstError as exc:  # missing, a folder, unreadable: already one sentence
            raise RecipeError(str(exc)) from None
        if recipe is None:
            raise RecipeError(
                f"The image '{name}' holds no recipe; choose a result saved by this app, "
                "or its .json file."
            )
        return recipe
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_RECIPE_BYTES + 1)
    except FileNotFoundError:
        raise RecipeMissing(f"The recipe '{name}' does not exist; check the path.") from None
    except OSError as exc:
        raise RecipeError(f"The recipe '{name}' cannot be read ({reason(exc)}).") from None
    if len(raw) > MAX_RECIPE_BYTES:
        raise RecipeError(f"The recipe '{name}' is too large to be a recipe of this app.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RecipeError(
            f"The recipe '{name}' is not valid JSON (it is not UTF-8 text, so it cannot be "
            f"read); {_CHOOSE}."
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecipeError(
            f"The recipe '{name}' is not valid JSON (line {exc.lineno}: {exc.msg}); {_CHOOSE}."
        ) from None
    except (ValueError, RecursionError):  # a 5000-digit number; arrays nested 10^5 deep
        raise RecipeError(
            f"The recipe '{name}' is not valid JSON this app can read (nested too deeply or "
            f"a number too long); {_CHOOSE}."
        ) from None
    if not isinstance(data, dict):
        raise RecipeError(f"The recipe '{name}' does not hold a JSON object of settings.")
    return data

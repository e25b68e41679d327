"""The results in an output folder, each with its recipe: for browsing and comparing them.

    for entry in list_results(folder):      # newest first
        print(entry.name, entry.steps, entry.losses.get("total"))
    recipe_differences(a.recipe, b.recipe)   # [(field, value_a, value_b), ...]

A result is a PNG that :func:`nst.imaging.save.save_result` wrote, with its recipe in the JSON
file beside it and again in a text chunk of the PNG. Listing reads only the JSON files
(or, where one is missing, the PNG's header), never the pixels, so a folder of hundreds of
results lists in a fraction of a second. A PNG without any recipe (renamed, saved by
another program) is still listed, marked as having none; a damaged file never raises, it
becomes an entry without a recipe whose ``problem`` says why.

This module is part of the engine: NumPy and Pillow only, never Qt.
"""

from __future__ import annotations

import logging
import math
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from nst.errors import ImageError
from nst.imaging.load import MAX_PIXELS
from nst.imaging.save import read_recipe_from_png
from nst.settings import Settings, field_names
from nst.settings.changes import change_text
from nst.settings.fields import automatic_fields, compared_fields
from nst.settings.recipe import RecipeError, RecipeMissing, read_recipe_data, recipe_settings
from nst.settings.text import number_text

log = logging.getLogger(__name__)

# Settings whose None means "chosen for you" (the working size follows the output size,
# the rate the optimizer, ...), and those that change the picture: from the table.
_AUTOMATIC = automatic_fields()
_COMPARED = compared_fields()


@dataclass(frozen=True, eq=False)
class Entry:
    """One result in the folder: the PNG, its recipe (None if it has none), its time."""

    path: str
    recipe: dict[str, Any] | None
    modified: float  # the PNG's modification time, seconds since the epoch
    problem: str = ""  # why the recipe could not be read, in one sentence ("" if fine)
    # (PNG, JSON) (modification time in ns, size) when read: list_results reuses an entry
    # whose files have not changed since.
    stamp: tuple[Any, Any] = ()

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def has_recipe(self) -> bool:
        return self.recipe is not None

    @cached_property
    def settings(self) -> Settings | None:
        """The run's settings, read leniently as File > Load recipe reads them (relative
        paths from the result's folder, see nst.settings.recipe); None without a recipe."""
        if self.recipe is None:
            return None
        try:
            return recipe_settings(self.recipe, os.path.dirname(self.path)).load().settings
        except RecipeError:  # only for a recipe that is not a JSON object
            return None

    @cached_property
    def losses(self) -> dict[str, float]:
        """The final losses the recipe records ("total", "content", ...); {} if none."""
        losses = (self.recipe or {}).get("final_losses")
        if not isinstance(losses, Mapping):
            return {}
        numbers = {str(k): _number(v) for k, v in losses.items()}
        return {k: v for k, v in numbers.items() if v is not None}

    @property
    def duration(self) -> float | None:
        """The run's wall time in seconds, as the recipe records it."""
        recipe = self.recipe or {}
        for key in ("duration_s", "wall_time_s", "duration"):
            seconds = _number(recipe.get(key))
            if seconds is not None:
                return seconds
        return None

    @property
    def steps(self) -> int | None:
        """Optimizer steps actually done (fewer than asked for when stopped early)."""
        steps = _number((self.recipe or {}).get("steps"))
        return int(steps) if steps is not None else None

    @property
    def stopped(self) -> bool:
        """The run was stopped before its last step (the recipe says so)."""
        return (self.recipe or {}).get("stopped") is True

    @property
    def content_name(self) -> str:
        return os.path.basename(self.settings.content) if self.settings else ""

    @property
    def style_name(self) -> str:
        return os.path.basename(self.settings.style) if self.settings else ""


def list_results(
    folder: str | os.PathLike[str], *, known: Mapping[str, Entry] | None = None
) -> list[Entry]:
    """Every PNG in ``folder`` (not its sub-folders), newest first, with its recipe.

    ``known``: the entries of an earlier listing, by path; those whose PNG and JSON are
    unchanged (same time and size) are reused rather than read again, so that following
    a folder of hundreds of results costs little more than listing its names.

    A folder that does not exist or cannot be read has no results: [] (the window shows
    "no results yet" for an output folder the first run has not made).
    """
    try:
        with os.scandir(os.fspath(folder)) as found:
            items = list(found)
    except OSError as exc:
        log.debug("cannot list %s: %s", os.fspath(folder), exc)
        return []
    recipes = {item.name: item for item in items if item.name.endswith(".json")}
    entries = []
    for item in items:
        if not _is_result_png(item):
            continue
        beside = recipes.get(os.path.splitext(item.name)[0] + ".json")
        stamp = (_stamp(item), _stamp(beside))
        earlier = known.get(item.path) if known else None
        if earlier is not None and earlier.stamp == stamp:
            entries.append(earlier)
        else:
            entries.append(_entry(item, stamp))
    # Newest first; for results saved within the same clock tick, the higher counter
    # (the later name) first.
    entries.sort(key=lambda e: (e.modified, e.name), reverse=True)
    return entries


def _is_result_png(item: os.DirEntry[str]) -> bool:
    # Names starting with "." are save_result's temporary files, not yet results.
    if item.name.startswith(".") or not item.name.lower().endswith(".png"):
        return False
    try:
        return item.is_file()
    except OSError:
        return False


def _stamp(item: os.DirEntry[str] | None) -> tuple[int, int] | None:
    """(modification time in ns, size) of a file: whether it changed since last time."""
    if item is None:
        return None
    try:
        info = item.stat()  # cached by the DirEntry: one system call per file
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def _entry(item: os.DirEntry[str], stamp: tuple[Any, Any]) -> Entry:
    modified = stamp[0][0] / 1e9 if stamp[0] else 0.0
    recipe, problem = read_recipe(item.path)
    return Entry(path=item.path, recipe=recipe, modified=modified, problem=problem, stamp=stamp)


def read_recipe(png_path: str) -> tuple[dict[str, Any] | None, str]:
    """The recipe of a result PNG and, if it could not be read, why (else "").

    The JSON beside the PNG comes first (the one a user may have edited); when it is
    missing or unreadable, the copy in the PNG's text chunk is used. Never raises.
    """
    json_path = os.path.splitext(png_path)[0] + ".json"
    recipe, problem = _read_json(json_path)
    if recipe is not None:
        return recipe, ""
    try:
        recipe = read_recipe_from_png(png_path)
    except ImageError as exc:
        return None, str(exc)
    if recipe is not None:
        return recipe, problem  # the JSON's problem, if any: the PNG's copy stands in
    name = os.path.basename(png_path)
    return None, problem or f"'{name}' holds no recipe (not saved by this app, or edited)."


def _read_json(path: str) -> tuple[dict[str, Any] | None, str]:
    """A recipe JSON file's object, or None and why ("" when there is no such file)."""
    try:
        return read_recipe_data(path), ""
    except RecipeMissing:
        return None, ""
    except RecipeError as exc:
        return None, str(exc)


def recipe_differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """The settings in which two recipes differ: [(field, value in a, value in b), ...].

    Both are read as Settings would read them (missing fields take their defaults, so an
    older recipe differs only where its run did), in the order of Settings' fields, then
    any fields this version does not know, by name. The learning rate is compared as the
    rate used (None means the optimizer's default). Settings that do not change the
    picture (the preview interval) are left out.
    """
    left, right = _comparable(a), _comparable(b)
    names = list(_COMPARED)
    names += sorted((set(left) | set(right)) - set(field_names()))
    return [(n, left.get(n), right.get(n)) for n in names if left.get(n) != right.get(n)]


def _comparable(recipe: Mapping[str, Any]) -> dict[str, Any]:
    settings, unknown, _wrong = Settings.from_recipe(recipe)
    values = settings.to_dict()
    if settings.method == "gatys":
        values["learning_rate"] = settings.resolved_learning_rate
    raw = recipe.get("settings") if isinstance(recipe.get("settings"), Mapping) else recipe
    values.update({name: raw[name] for name in unknown})
    return values


def format_value(name: str, value: Any) -> str:
    """A setting's value as plain text for the compare view: file names, not whole paths;
    a named choice as its name ("lbfgs"), which the window puts in its own words."""
    if value is None:
        return "automatic" if name in _AUTOMATIC else "none"
    if name in ("content", "style", "weights") and isinstance(value, str):
        return os.path.basename(value) or "none"
    if name == "extra_styles" and isinstance(value, (list, tuple)):
        pairs = [pair for pair in value if isinstance(pair, (list, tuple)) and len(pair) == 2]
        return (
            "; ".join(f"{format_value('style', p)} {format_value('', w)}" for p, w in pairs)
            or "none"
        )
    if name == "changes" and isinstance(value, (list, tuple)):
        triples = [c for c in value if isinstance(c, (list, tuple)) and len(c) == 3]
        return "; ".join(change_text(tuple(c)) for c in triples) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {format_value('', v)}" for k, v in value.items()) or "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(name, v) for v in value) or "none"
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def thumbnail(path: str, size: int) -> np.ndarray:
    """A result's picture scaled to fit ``size`` x ``size`` (its longest side ``size``),
    as H x W x 3 uint8.

    For the history view's grid; raises ImageError with one sentence when the file cannot
    be shown. Pillow decodes with the GIL released, so this can run on a thread.
    """
    name = os.path.basename(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=["PNG"]) as im:
                if im.width * im.height > MAX_PIXELS:
                    raise ImageError(f"The image '{name}' is too large to show.")
                # reducing_gap: shrink by a whole factor first (fast), then resample.
                im.thumbnail((size, size), Image.Resampling.BILINEAR, reducing_gap=2.0)
                rgb = im.convert("RGB")
        if max(rgb.size) < size:  # a small result: enlarged, so that the grid is even
            rgb = ImageOps.contain(rgb, (size, size), Image.Resampling.BICUBIC)
        return np.asarray(rgb)
    except ImageError:
        raise
    except Exception as exc:  # OSError, SyntaxError, ValueError, DecompressionBomb...
        raise ImageError(f"The image '{name}' cannot be shown ({exc}).") from None


def _number(value: Any) -> float | None:
    """A finite number from a recipe, else None (a hand edit may hold anything there)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # a JSON integer with hundreds of digits
        return None
    return number if math.isfinite(number) else None

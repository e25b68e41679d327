"""Parsed options -> Settings: the defaults, then the recipe (--config), then the options.

The recipe is read by the engine (nst.settings.recipe: its relative paths are relative to
its own folder); the paths typed on the command line are relative to the current folder,
as a shell user expects.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from nst.settings import FIELDS, Settings, SettingsError, strength_to_ratio
from nst.settings.recipe import read_recipe, resolve_paths
from nst_cli.options import DEFAULTS, UsageError, option_for


def settings_from_args(args: argparse.Namespace) -> tuple[Settings, list[str]]:
    """Defaults, then the recipe, then the options given; returns warnings too."""
    values: dict[str, Any] = {}
    warnings: list[str] = []
    if args.config:
        recipe = read_recipe(args.config)
        for key in recipe.unknown:
            warnings.append(f"warning: the recipe's field {key!r} is not a setting; ignored")
        values.update(recipe.values)
    from_recipe = set(values)
    given = {
        spec.name: getattr(args, spec.name)
        for spec in FIELDS
        if getattr(args, spec.name, None) is not None
    }
    strength = given.pop("style_strength", None)
    values.update(resolve_paths(given, os.getcwd()))
    from_recipe -= set(given)
    if strength is not None:
        _apply_strength(strength, values, from_recipe)
    try:
        settings = Settings(**values)
    except SettingsError as exc:
        field = exc.field.split(".")[0]
        if field in from_recipe:
            # The run is refused rather than run with a default the user did not choose.
            raise UsageError(
                f"The recipe '{args.config}' has a bad {field}: {_after_field(exc)}; "
                f"fix it there or give {option_for(field)}."
            ) from None
        raise UsageError(f"{option_for(field)}: {_after_field(exc)}") from None
    except TypeError as exc:  # a recipe field of the wrong shape
        raise UsageError(f"The recipe '{args.config}' has a bad field: {exc}.") from None
    needed = ("style",) if settings.method == "texture" else ("content", "style")
    missing = [f"--{n}" for n in needed if not getattr(settings, n)]
    if missing:
        raise UsageError(f"{' and '.join(missing)} required: name the image file(s) to use")
    return settings, warnings


def refuse_beside_resume(args: argparse.Namespace, what: str) -> None:
    """--resume ``what`` with its own settings and folder: a setting, --config or
    --output-dir beside it would be ignored, so it is refused instead."""
    given = [option_for(f.name) for f in FIELDS if getattr(args, f.name, None) is not None]
    others = (("--config", args.config), ("--output-dir", args.output_dir))
    given += [option for option, value in others if value]
    if given:
        raise UsageError(f"--resume {what} with its own settings; leave out {', '.join(given)}")


def _apply_strength(strength: float, values: dict[str, Any], from_recipe: set[str]) -> None:
    """--style-strength: the instant network's blend of style vectors (Settings.style_strength)
    with the instant method and with the instant head start (--init instant); with the
    optimization, the style weight too (strength_to_ratio times the content weight)."""
    method = values.get("method", DEFAULTS.method)
    if method == "instant" or values.get("init", DEFAULTS.init) == "instant":
        values["style_strength"] = strength
        from_recipe.discard("style_strength")
    if method == "instant":
        return
    if "style_weight" in values and "style_weight" not in from_recipe:
        raise UsageError(
            "--style-strength and --style-weight both set the style's weight; give one of them"
        )
    if not 0.0 <= strength <= 1.0:
        raise UsageError(f"--style-strength: must be between 0 and 1, not {strength:g}")
    content_weight = values.get("content_weight", DEFAULTS.content_weight)
    if isinstance(content_weight, (int, float)) and not isinstance(content_weight, bool):
        values["style_weight"] = strength_to_ratio(strength) * content_weight
        from_recipe.discard("style_weight")


def _after_field(exc: SettingsError) -> str:
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text

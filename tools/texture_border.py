"""How much more saturated a texture's border is than its middle (issue 19).

    python -m tools.texture_border [--style gui/samples/starry_night.jpg] [--size 256]
        [--iterations 300] [--aspect 1]
        [--style-scale 0.5] [--padding zeros] [--save texture.png]
    python -m tools.texture_border --image texture.png      # measure a saved image

Makes a texture (``method="texture"``) and prints, for its border band and its middle,
the mean HSV saturation and the share of pixels with a clipped channel (0 or 255). The
border band is :func:`border_width` px wide: a sixteenth of the short side, the stride of
VGG19's block5 (nst.vgg.layers: four 2x2 poolings), so one block5 position deep, the
depth to which the convolutions' padding reaches in the deepest style layer's input.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from nst.run.result import Result

SAMPLES = Path(__file__).resolve().parent.parent / "gui" / "samples"


def border_width(shape: tuple[int, ...]) -> int:
    """The border band's width in px: a sixteenth of the short side (at least 1)."""
    return max(1, min(shape[:2]) // 16)


def saturation(image: np.ndarray) -> np.ndarray:
    """HSV saturation, (max - min) / max per pixel (0 for black), of an (H, W, 3) image."""
    pixels = image.astype(np.float64)
    high, low = pixels.max(axis=-1), pixels.min(axis=-1)
    return np.divide(high - low, high, out=np.zeros_like(high), where=high > 0)


def border_stats(image: np.ndarray, band: int | None = None) -> dict[str, float]:
    """Mean saturation and clipped-channel share of the border band and of the middle."""
    band = border_width(image.shape) if band is None else band
    border = np.ones(image.shape[:2], bool)
    border[band:-band, band:-band] = False
    sat = saturation(image)
    clipped = ((image == 0) | (image == 255)).any(axis=-1)
    return {
        "band_px": float(band),
        "saturation_border": float(sat[border].mean()),
        "saturation_middle": float(sat[~border].mean()),
        "clipped_border": float(clipped[border].mean()),
        "clipped_middle": float(clipped[~border].mean()),
    }


def make_texture(
    style: str,
    size: int,
    iterations: int,
    seed: int,
    padding: str | None = None,
    aspect: float | None = None,
    style_scale: float = 1.0,
) -> Result:
    """A texture of ``style`` (its own proportions, or ``aspect`` = width / height; the
    painting at ``style_scale`` of the texture's size), the engine's defaults otherwise.

    ``padding`` (nst.vgg.extractor.PADDINGS) overrides the engine's choice for textures
    (nst.run.inputs.extractor_padding) in this process, to measure another one: "zeros"
    is what the engine did before textures mirrored their edge.
    """
    from nst.run import session
    from nst.settings import Settings

    settings = Settings(
        method="texture",
        style=style,
        size=size,
        iterations=iterations,
        seed=seed,
        texture_aspect=aspect,
        style_scale=style_scale,
    )
    chosen = session.extractor_padding
    if padding is not None:
        session.extractor_padding = lambda _settings: padding
    try:
        return session.run(settings)
    finally:
        session.extractor_padding = chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--style", default=str(SAMPLES / "starry_night.jpg"))
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--aspect", type=float, help="width / height; the style's if not given")
    parser.add_argument("--style-scale", type=float, default=1.0)
    parser.add_argument("--padding", help="the convolutions' padding, not the engine's choice")
    parser.add_argument("--image", help="measure this image instead of making one")
    parser.add_argument("--save", help="save the texture here (PNG)")
    args = parser.parse_args(argv)
    if args.image:
        from nst.imaging.load import load_image

        image, note = load_image(args.image), args.image
    else:
        started = time.perf_counter()
        result = make_texture(
            args.style,
            args.size,
            args.iterations,
            args.seed,
            args.padding,
            args.aspect,
            args.style_scale,
        )
        image = result.image
        note = (
            f"{Path(args.style).name}, {args.size} px, {result.steps} steps, padding "
            f"{args.padding or 'default'}, "
            f"{time.perf_counter() - started:.0f} s, "
            f"style loss {result.losses['style']:.4f}"
        )
        if args.save:
            from PIL import Image

            Image.fromarray(image).save(args.save)
    stats = border_stats(image)
    print(note)
    print(f"border band {stats['band_px']:.0f} px of {image.shape[1]}x{image.shape[0]}")
    print(
        f"saturation: border {stats['saturation_border']:.3f}, middle "
        f"{stats['saturation_middle']:.3f}"
    )
    print(
        f"clipped channel: border {stats['clipped_border']:.1%}, middle "
        f"{stats['clipped_middle']:.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Make the README's creative-control figures with the command line, on the bundled images.

    .venv/bin/python docs/make_creative_figures.py docs [--size 192] [--iterations 100]

Each figure is a labelled strip of results that `python -m nst` made (nothing is edited
afterwards but the layout): several styles blended, regions (a mask per style), textures,
style scale, and style strength. The runs' PNGs and recipes stay in a scratch folder whose
path is printed, so any panel can be re-run from its recipe.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "gui" / "samples"
PHOTO = SAMPLES / "tubingen.jpg"
STARRY = SAMPLES / "starry_night.jpg"
SCREAM = SAMPLES / "the_scream.jpg"
GAP = 8
LABEL_HEIGHT = 26


def run(out: Path, *options: str) -> Path:
    """One `python -m nst` run; the saved PNG's path (stdout's last line)."""
    command = [sys.executable, "-m", "nst", "--output-dir", str(out), "-q", *options]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr}")
    path = Path(done.stdout.strip().splitlines()[-1])
    print(f"{time.perf_counter() - started:6.1f} s  {' '.join(options)}", flush=True)
    return path


def strip(panels: list[tuple[Path | Image.Image, str]], height: int = 256) -> Image.Image:
    """Images side by side at one height, each with its label underneath."""
    font = ImageFont.load_default(size=15)
    scaled = []
    for source, label in panels:
        image = source if isinstance(source, Image.Image) else Image.open(source)
        image = image.convert("RGB")
        width = round(image.width * height / image.height)
        scaled.append((image.resize((width, height), Image.LANCZOS), label))
    total = sum(i.width for i, _ in scaled) + GAP * (len(scaled) - 1)
    sheet = Image.new("RGB", (total, height + LABEL_HEIGHT), "white")
    draw = ImageDraw.Draw(sheet)
    x = 0
    for image, label in scaled:
        sheet.paste(image, (x, 0))
        text_width = draw.textlength(label, font=font)
        draw.text((x + (image.width - text_width) / 2, height + 5), label, fill="black",
                  font=font)  # fmt: skip
        x += image.width + GAP
    return sheet


def sky_mask(out: Path) -> Path:
    """A mask of Tübingen's sky (bluish pixels connected to the top edge), as an image file:
    what a user would paint with the brush, made reproducible here."""
    photo = np.asarray(Image.open(PHOTO).convert("RGB")).astype(np.float32)
    red, green, blue = photo[..., 0], photo[..., 1], photo[..., 2]
    bluish = (blue > red + 40) & (blue > green + 10)
    # keep rows from the top down while they are sky: a column's sky ends at its first
    # non-sky pixel (the houses' roofs and the trees)
    sky = np.cumprod(bluish, axis=0).astype(bool)
    mask = Image.fromarray((sky * 255).astype(np.uint8)).filter(ImageFilter.MaxFilter(5))
    path = out / "sky_mask.png"
    mask.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("docs")
    parser.add_argument("--size", type=int, default=192)
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--only", nargs="+", default=["styles", "regions", "texture", "scale",
                                                      "strength"])  # fmt: skip
    args = parser.parse_args()
    docs = Path(args.docs)
    out = Path(tempfile.mkdtemp(prefix="nst-figures-"))
    print(f"runs go to {out}")
    base = ["--content", str(PHOTO), "--size", str(args.size),
            "--iterations", str(args.iterations)]  # fmt: skip

    if "styles" in args.only:
        one = run(out, *base, "--style", str(STARRY))
        two = run(out, *base, "--style", str(SCREAM))
        both = run(out, *base, "--style", str(STARRY), "--extra-style", f"{SCREAM}=1")
        strip([(STARRY, "The Starry Night"), (SCREAM, "The Scream"), (one, "Starry Night only"),
               (two, "The Scream only"), (both, "both, weights 1:1")]).save(
            docs / "styles.jpg", quality=88)  # fmt: skip

    if "regions" in args.only:
        mask = sky_mask(out)
        regions = run(out, *base, "--style", str(STARRY), "--extra-style", str(SCREAM),
                      "--style-mask", str(mask), "--style-mask", "rest")  # fmt: skip
        strip([(PHOTO, "photo"), (mask, "mask: sky"),
               (regions, "sky: Starry Night; rest: The Scream")]).save(
            docs / "regions.jpg", quality=88)  # fmt: skip

    if "texture" in args.only:
        size = str(2 * args.size)
        options = ["--method", "texture", "--size", size, "--iterations",
                   str(2 * args.iterations), "--texture-aspect", "2:1"]  # fmt: skip
        starry = run(out, *options, "--style", str(STARRY))
        scream = run(out, *options, "--style", str(SCREAM))
        strip([(starry, "texture of The Starry Night, 2:1"),
               (scream, "texture of The Scream, 2:1")]).save(
            docs / "textures.jpg", quality=88)  # fmt: skip

    if "scale" in args.only:
        panels = []
        for scale in ("0.5", "1", "2"):
            path = run(out, *base, "--size", str(2 * args.size), "--style", str(STARRY),
                       "--style-scale", scale)  # fmt: skip
            panels.append((path, f"style scale {scale}"))
        strip(panels).save(docs / "style_scale.jpg", quality=88)

    if "strength" in args.only:
        panels = []
        for strength in ("0", "0.25", "0.5", "0.75", "1"):
            path = run(out, *base, "--style", str(STARRY), "--style-strength", strength)
            panels.append((path, f"strength {strength}"))
        strip(panels, height=192).save(docs / "strength.jpg", quality=88)


if __name__ == "__main__":
    main()

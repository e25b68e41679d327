"""The images a run optimizes against, prepared from the settings: colour modes, the
texture canvas, region masks, the coarse-to-fine plan that fits the photo, and the
result's final colours.

NumPy and Pillow only: the command line uses ``texture_canvas`` before TensorFlow loads.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from PIL import Image

from nst.errors import RunError, TooNarrowError
from nst.imaging import colour
from nst.imaging.load import load_image
from nst.imaging.resize import least_size, longest_dims, resize_longest, to_uint8
from nst.settings import MAX_SIZE, MIN_SIZE, Settings, texture_dims


def optimized_inputs(
    colour_mode: str, content: np.ndarray, styles: list[np.ndarray]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The content and style images the optimization sees, for a ``Settings.colour`` mode:
    as given ("style"); the styles recoloured to the content's colour statistics ("match");
    all as luminance, the styles' matched to the content's ("luminance")."""
    if colour_mode == "match":
        return content, [to_uint8(colour.match_colours(s, content)) for s in styles]
    if colour_mode == "luminance":
        grey_content = to_uint8(colour.grey(content))
        return grey_content, [to_uint8(colour.grey(s, like=content)) for s in styles]
    return content, list(styles)


def run_images(
    settings: Settings, read: Callable[..., np.ndarray] = load_image
) -> tuple[np.ndarray | None, np.ndarray]:
    """A run's photo (None for a texture, which has none) and style image, read from the
    settings' paths by ``read`` (load_image: an ImageError names the file and its role)."""
    texture = settings.method == "texture"
    content = None if texture else read(settings.content, role="content image")
    return content, read(settings.style, role="style image")


def session_images(
    settings: Settings, content: np.ndarray | None, style: np.ndarray | None
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray | None]:
    """A run's photo (a texture's canvas), its style images (the main one first) and its
    region masks (None without regions): ``content`` and ``style`` as given, else read
    from the settings; refused in one sentence, before anything slow, when one cannot be
    used (check_proportions)."""
    given = {"content image": content, "style image": style}

    def read(path: str, role: str) -> np.ndarray:
        return given[role] if given[role] is not None else load_image(path, role=role)

    content, style = run_images(settings, read)
    styles = [style] + [load_image(p, role="style image") for p, _ in settings.extra_styles]
    if content is None:  # a texture: no photo
        content = texture_canvas(style, settings.texture_aspect)
    check_proportions(settings, content, styles)
    masks = region_masks(settings.style_masks, content.shape[:2]) if settings.style_masks else None
    return content, styles, masks


def texture_canvas(style: np.ndarray, aspect: float | None) -> np.ndarray:
    """A mid-grey stand-in for the photo in texture mode: it gives the output its shape
    (``aspect`` = width / height, or the style image's own) and nothing else."""
    # Its longest side is what resize_longest scales to the working size (texture_dims: the
    # window's memory check sizes a texture by the same rule).
    width, height = texture_dims(aspect, (style.shape[1], style.shape[0]))
    return np.full((height, width, 3), 128, dtype=np.uint8)


def check_proportions(settings: Settings, content: np.ndarray, styles: list[np.ndarray]) -> None:
    """Refuse, before anything slow, an image VGG19 cannot see: the content image (or a
    texture's canvas, from texture_canvas) under MIN_SIZE px across at the working size,
    or a style image that would have to be longer than MAX_SIZE px to be MIN_SIZE across
    (see style_at). VGG19 pools four times: an image under MIN_SIZE px across leaves its
    deepest style layer no rows, and oneDNN's pooling refuses such an input outright."""
    s = settings
    work = s.resolved_work_size
    short = min(longest_dims(content.shape, work))
    if short < MIN_SIZE:
        needed = least_size(content.shape, MIN_SIZE)
        needed = needed if needed <= MAX_SIZE else None
        if s.method == "texture":
            role, path = "texture", s.style
            image = styles[0]
            if s.texture_aspect is None:
                what = f"A texture shaped like the style image {_named(path, image)}"
            else:
                what = f"A {_ratio(s.texture_aspect)} texture"
            square = "or proportions nearer square"
        else:
            role, path, image = "content image", s.content, content
            what = f"The content image {_named(path, image)}"
            square = "or crop the image nearer square"
        where = f"{work} px" if s.work_size is None else f"a working size of {work} px"
        if needed is None:
            ratio = f"proportions of at most {MAX_SIZE // MIN_SIZE}:1"
            advice = f"choose {ratio}" if role == "texture" else f"crop the image to {ratio}"
        elif s.work_size is None:
            advice = f"choose a size of at least {needed} px {square}"
        elif needed <= s.size:
            advice = f"choose a working size of at least {needed} px {square}"
        else:
            advice = f"choose a size and working size of at least {needed} px {square}"
        raise TooNarrowError(
            f"{what} is too narrow to paint at {where}: its short side would be {short} px, "
            f"under the {MIN_SIZE} px VGG19 needs; {advice}.",
            **_parts(role, path, image),
            size=work,
            short_side=short,
            needed=needed,
        )
    for path, style in zip([s.style, *(p for p, _ in s.extra_styles)], styles):
        long = least_size(style.shape, MIN_SIZE)
        if long > MAX_SIZE:
            raise TooNarrowError(
                f"The style image {_named(path, style)} is too narrow to take a style from: "
                f"at the {MIN_SIZE} px across VGG19 needs it would be {long} px long, over "
                f"the {MAX_SIZE} px limit; crop it to proportions of at most "
                f"{MAX_SIZE // MIN_SIZE}:1.",
                **_parts("style image", path, style),
                size=s.resolved_style_size,
                short_side=min(longest_dims(style.shape, s.resolved_style_size)),
                needed=None,
            )


def extractor_padding(settings: Settings) -> str:
    """How VGG19's convolutions pad in this run (nst.vgg.extractor.PADDINGS). A texture
    mirrors its edge: zero padding's frame made its border more saturated and clipped than
    its middle, and mirroring takes from a third of that to all of it away
    (bench/RESULTS.md). A picture of a photo keeps zeros, as VGG19 was trained and as its
    measurements were made. A tileable picture wraps around (nst.vgg.extractor.PADDINGS)."""
    return "circular" if settings.tileable else style_padding(settings)


def style_padding(settings: Settings) -> str:
    """How VGG19 pads when it measures the style images: as for a picture that does not
    tile, whatever the run's own. A painting's edges do not meet: wrapped, its left edge
    would sit beside its right, and its Grams would ask a tileable texture for those
    seams (straight edges across it, seen in the first tileable textures)."""
    return "symmetric" if settings.method == "texture" else "zeros"


def style_at(style: np.ndarray, size: int) -> np.ndarray:
    """The style image scaled to ``size`` px on its longest side (resize_longest), but
    never under MIN_SIZE px across: a long painting at a coarse stage or a small style
    size is seen a little larger instead (check_proportions refuses one that would have
    to grow past MAX_SIZE). A style's statistics, not its shape, make its target."""
    if min(longest_dims(style.shape, size)) < MIN_SIZE:
        size = least_size(style.shape, MIN_SIZE)
    return resize_longest(style, size)


def _named(path: str, image: np.ndarray) -> str:
    name = os.path.basename(path)
    shape = f"({image.shape[1]} x {image.shape[0]} px)"
    return f"'{name}' {shape}" if name else shape


def _parts(role: str, path: str, image: np.ndarray) -> dict[str, object]:
    name = os.path.basename(path)
    return {"role": role, "name": name, "width": image.shape[1], "height": image.shape[0]}


def _ratio(aspect: float) -> str:
    return f"{aspect:.3g}:1" if aspect >= 1 else f"1:{1 / aspect:.3g}"


# A mask may differ from the photo's proportions by this much (a mask saved at another
# size, rounded): beyond it, it was made for another picture.
MASK_ASPECT_TOLERANCE = 0.03


def region_masks(paths: tuple[str, ...], shape: tuple[int, int]) -> np.ndarray:
    """The styles' regions as float32 (R, H, W, 1) weights in 0..1 at the photo's ``shape``.

    Each mask image is read as grey (white: its style; black: not), scaled to the photo.
    The styles whose path is "" share the rest equally: 1 minus the masks' sum. Where masks
    overlap to more than 1 they are divided by their sum, so no pixel gets more than one
    style's worth of weight.
    """
    height, width = shape
    planes: list[np.ndarray | None] = []
    for path in paths:
        if not path:
            planes.append(None)
            continue
        image = load_image(path, role="mask")
        mask_h, mask_w = image.shape[:2]
        if abs(mask_w / mask_h - width / height) > MASK_ASPECT_TOLERANCE * width / height:
            raise RunError(
                f"The mask '{path}' is {mask_w}x{mask_h} px, not the shape of the content "
                f"image ({width}x{height} px); paint or save a mask of the photo's proportions."
            )
        grey = Image.fromarray(image).convert("L").resize((width, height), Image.BILINEAR)
        planes.append(np.asarray(grey, dtype=np.float32) / 255.0)
    given = np.sum([p for p in planes if p is not None], axis=0)
    rest = np.clip(1.0 - given, 0.0, 1.0) / max(1, sum(p is None for p in planes))
    stack = np.stack([rest if p is None else p for p in planes])
    total = stack.sum(axis=0)
    stack = np.where(total > 1.0, stack / np.maximum(total, 1e-8), stack)
    return stack[..., np.newaxis].astype(np.float32)


def feasible_plan(
    plan: tuple[tuple[int, int], ...], shape: tuple[int, int]
) -> tuple[tuple[int, int], ...]:
    """The plan without coarse stages whose short side would be under MIN_SIZE px (VGG19's
    four poolings would leave block5 no rows); their iterations go to the next stage."""
    short, long = min(shape), max(shape)
    kept: list[tuple[int, int]] = []
    carried = 0
    for index, (size, iterations) in enumerate(plan):
        if index < len(plan) - 1 and round(short * size / long) < MIN_SIZE:
            carried += iterations
            continue
        kept.append((size, iterations + carried))
        carried = 0
    return tuple(kept)


def instant_start(
    content: np.ndarray, styles: list[np.ndarray], weights: list[float], strength: float
) -> np.ndarray:
    """A head start (init "instant"): the feed-forward stylization (nst.instant) of the
    ``content`` with the ``styles`` of weight above 0, all float or uint8 (H, W, 3)."""
    from nst.instant import stylizer as instant  # TensorFlow: loaded only when asked for

    chosen = [(to_uint8(s), w) for s, w in zip(styles, weights) if w > 0]
    return instant.stylize(to_uint8(content), chosen, strength)


def in_chosen_colours(image: np.ndarray, photo: np.ndarray, settings: Settings) -> np.ndarray:
    """The optimized ``image`` with the colours the settings ask for (colour.py); ``photo``
    is the content image as given, whose colours come back at the end."""
    s = settings
    strength = 1.0 if s.colour == "luminance" else s.colour_strength
    if s.colour == "match" or strength <= 0 or s.method == "texture":
        return image  # "match" has the photo's colours already; 0 keeps the painting's
    height, width = image.shape[:2]
    content = np.asarray(Image.fromarray(photo).resize((width, height), Image.LANCZOS))
    return to_uint8(colour.blend(image, content, strength))

"""Images of extreme size and proportion (issue 19): every image Pillow opens either runs or
is refused in one sentence naming the file, at any output and working size. Before these
fixes a strip under 16 px across at the working size, a long painting at a 16 px coarse
stage or a small style size, and a one-pixel image with the content's colours each ended
in a TensorFlow (oneDNN pooling) or NumPy traceback. Images are 1 to 96 px, runs 1 step."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nst.errors import TooNarrowError
from nst.imaging import colour
from nst.imaging.resize import least_size, longest_dims
from nst.run import inputs
from nst.run import session as transfer
from nst.settings import MAX_SIZE, MIN_SIZE, Settings

pytestmark = pytest.mark.slow


def picture(tmp_path: Path, width: int, height: int, name: str | None = None) -> str:
    """A noise image of ``width`` x ``height`` px, saved as a PNG; its path."""
    rng = np.random.default_rng(width * 7919 + height)
    path = tmp_path / (name or f"{width}x{height}.png")
    Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(path)
    return str(path)


def one_sentence(text: str) -> bool:
    return text.count(". ") == 0 and text.endswith(".") and "\n" not in text


# --- refused in one sentence ----------------------------------------------------------------

# (content w x h, or None for a texture; style w x h; an extra style's w x h, or None;
# settings; the file named; the size that would do, or None when none does)
REFUSED = [
    ((1, 50), (64, 64), None, {"size": 16}, "1x50.png", 775),
    ((50, 3), (64, 64), None, {"size": 32}, "50x3.png", 259),
    ((2, 2000), (64, 64), None, {"size": 64}, "2x2000.png", None),
    ((90, 40), (64, 64), None, {"size": 32}, "90x40.png", 35),
    ((1, 50), (64, 64), None, {"size": 64, "work_size": 16}, "1x50.png", 775),
    (None, (64, 64), None, {"size": 16, "texture_aspect": 10.0}, None, 156),
    (None, (64, 64), None, {"size": 96, "work_size": 16, "texture_aspect": 0.1}, None, 156),
    (None, (1000, 10), None, {"size": 64}, "1000x10.png", 1588),
    ((64, 64), (1, 1000), None, {"size": 32}, "1x1000.png", None),
    ((64, 64), (64, 64), (1000, 1), {"size": 32}, "1000x1.png", None),
]


@pytest.mark.parametrize(("content", "style", "extra", "changes", "named", "needed"), REFUSED)
def test_too_narrow_is_refused_before_the_weights(
    tmp_path: Path, content, style, extra, changes, named, needed
) -> None:
    values = {"style": picture(tmp_path, *style), "iterations": 1, **changes}
    if extra:
        values["extra_styles"] = ((picture(tmp_path, *extra), 1.0),)
    if content is None:
        values["method"] = "texture"
    else:
        values["content"] = picture(tmp_path, *content)
    # No weights given: the refusal must come before they load.
    session = transfer.Transfer(Settings(**values))
    with pytest.raises(TooNarrowError) as caught:
        session.prepare()
    error = caught.value
    assert session.weights is None
    assert one_sentence(str(error)), str(error)
    assert "VGG19 needs" in str(error)
    if named:
        assert f"'{named}'" in str(error)
        assert error.name == named
    assert error.needed == needed
    if needed is not None:
        assert f"at least {needed} px" in str(error)
    else:
        assert f"at most {MAX_SIZE // MIN_SIZE}:1" in str(error)


def test_the_command_line_says_it_in_one_line(tmp_path: Path, run_cli) -> None:
    strip = picture(tmp_path, 4000, 1, "strip.png")
    style = picture(tmp_path, 64, 64)
    options = ["--size", "64", "--iterations", "1", "--output-dir", str(tmp_path), "-q"]
    status, out, err = run_cli("--content", strip, "--style", style, *options)
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: The content image 'strip.png'")
    assert "Traceback" not in err


def test_too_narrow_for_any_size_is_said_before_the_memory_check(tmp_path: Path, run_cli) -> None:
    """A 1 x 4000 strip at 8192 px does not fit in memory either: the command line says the
    one thing that helps (its proportions), not a size that would not help."""
    strip = picture(tmp_path, 1, 4000, "strip.png")
    style = picture(tmp_path, 64, 64)
    options = ["--size", "8192", "--iterations", "1", "--output-dir", str(tmp_path), "-q"]
    status, _out, err = run_cli("--content", strip, "--style", style, *options)
    assert status == 2
    assert "too narrow" in err and "512:1" in err and "--size" not in err


# --- runs -----------------------------------------------------------------------------------

# Each crashed in VGG19's pooling before: a style under 16 px across at some stage.
RUNS = [
    ((64, 64), (90, 30), {"size": 64, "stages": 3, "iterations": 3}),  # 16 px stage: 16 x 5
    ((64, 64), (90, 30), {"size": 32, "style_size": 16}),
    ((64, 64), (60, 30), {"size": 96, "style_scale": 0.1}),
    ((64, 64), (1000, 10), {"size": 64}),  # a 100:1 painting is seen 16 px across
    ((1, 1), (1, 1), {"size": 16}),
    ((2, 2), (64, 64), {"size": 16, "init": "style"}),
    (None, (90, 30), {"size": 64, "stages": 3, "iterations": 3}),
]


@pytest.mark.parametrize(("content", "style", "changes"), RUNS)
def test_extreme_but_possible_runs(weights, tmp_path: Path, content, style, changes) -> None:
    values = {"style": picture(tmp_path, *style), "iterations": 1, **changes}
    if content is None:
        values["method"] = "texture"
    else:
        values["content"] = picture(tmp_path, *content)
    settings = Settings(**values)
    result = transfer.run(settings, weights=weights)
    assert max(result.image.shape[:2]) == settings.size
    assert np.isfinite(result.losses["total"])


def test_a_long_extra_style_at_a_coarse_stage_runs(weights, tmp_path: Path) -> None:
    settings = Settings(
        content=picture(tmp_path, 64, 64),
        style=picture(tmp_path, 64, 64),
        extra_styles=((picture(tmp_path, 96, 24), 1.0),),
        size=64,
        stages=3,
        iterations=3,
    )
    assert transfer.run(settings, weights=weights).image.shape == (64, 64, 3)


@pytest.mark.parametrize("mode", ["match", "luminance"])
@pytest.mark.parametrize("which", ["content", "style"])
def test_one_pixel_images_keep_the_photos_colours(mode: str, which: str) -> None:
    """np.cov of one pixel divided by N - 1 = 0: NaN, and eigh raised LinAlgError."""
    rng = np.random.default_rng(1)
    one, many = rng.integers(0, 256, (1, 1, 3), np.uint8), rng.integers(0, 256, (9, 7, 3), np.uint8)
    content, style = (one, many) if which == "content" else (many, one)
    got_content, (got_style,) = inputs.optimized_inputs(mode, content, [style])
    assert got_style.shape == style.shape and got_content.shape == content.shape
    if mode == "match" and which == "content":  # the style takes the one pixel's colour
        assert np.abs(got_style.astype(int) - one.astype(int)).max() <= 1
    assert np.isfinite(colour.match_colours(style, content)).all()


# --- the sizes behind the refusals ----------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 50), (50, 1), (3, 150), (10, 1000), (40, 90), (1, 1)])
def test_least_size_is_the_least_that_leaves_min_size_across(shape) -> None:
    size = least_size(shape, MIN_SIZE)
    assert min(longest_dims(shape, size)) >= MIN_SIZE
    assert size == MIN_SIZE or min(longest_dims(shape, size - 1)) < MIN_SIZE


@pytest.mark.parametrize(
    ("shape", "size"), [((30, 90, 3), 16), ((10, 1000, 3), 64), ((5, 5, 3), 32)]
)
def test_a_style_is_never_under_min_size_across(shape, size) -> None:
    style = np.zeros(shape, np.uint8)
    got = inputs.style_at(style, size)
    assert min(got.shape[:2]) >= MIN_SIZE
    if min(longest_dims(shape, size)) >= MIN_SIZE:
        assert max(got.shape[:2]) == size  # only a style too narrow is seen larger

"""Colour preservation (Gatys et al. 2017) against direct NumPy statistics."""

from __future__ import annotations

import numpy as np

from nst.imaging import colour


def _random_image(seed: int, tint: tuple[float, float, float]) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = rng.uniform(0, 1, size=(40, 30, 1)) * 120
    return np.clip(base + np.array(tint) + rng.normal(0, 20, (40, 30, 3)), 0, 255)


def test_matched_style_takes_the_contents_mean_and_covariance() -> None:
    style = _random_image(0, (150, 40, 20))  # reddish
    content = _random_image(1, (20, 60, 140))  # bluish
    matched = colour.match_colours(style, content)
    flat_m, flat_c = matched.reshape(-1, 3), content.reshape(-1, 3)
    np.testing.assert_allclose(flat_m.mean(0), flat_c.mean(0), atol=1.5)
    np.testing.assert_allclose(
        np.cov(flat_m, rowvar=False), np.cov(flat_c, rowvar=False), rtol=0.1, atol=15
    )
    # the structure is the style's: pixel order and contrast pattern are kept
    assert (
        np.corrcoef(colour.luminance(matched).ravel(), colour.luminance(style).ravel())[0, 1] > 0.9
    )


def test_yiq_matrices_are_inverse_and_luminance_is_the_standard_one() -> None:
    np.testing.assert_allclose(colour.RGB_TO_YIQ @ colour.YIQ_TO_RGB, np.eye(3), atol=1e-9)
    white = np.full((1, 1, 3), 255.0)
    assert abs(colour.luminance(white)[0, 0] - 255.0) < 1e-6


def test_luminance_joined_with_the_contents_colours() -> None:
    image = _random_image(2, (90, 50, 50))  # mild tints: most joins stay inside RGB
    content = _random_image(3, (50, 50, 90))
    kept = colour.with_colours_of(image, content)
    # equal but where the joined colour falls outside RGB and is clipped
    diff = np.abs(colour.luminance(kept) - colour.luminance(image))
    assert np.median(diff) < 1e-3 and diff.mean() < 3
    iq = lambda im: (im.astype(np.float64) @ colour.RGB_TO_YIQ.T)[..., 1:]  # noqa: E731
    # the hue now follows the content: blue dominates red
    assert kept[..., 2].mean() > kept[..., 0].mean()
    assert np.abs(iq(kept) - iq(content)).mean() < np.abs(iq(image) - iq(content)).mean() / 3


def test_grey_is_three_equal_channels_with_matched_luminance_stats() -> None:
    style = _random_image(4, (10, 10, 10))
    content = _random_image(5, (120, 120, 120))
    g = colour.grey(style, like=content)
    assert g.shape == style.shape
    np.testing.assert_array_equal(g[..., 0], g[..., 1])
    assert abs(g[..., 0].mean() - colour.luminance(content).mean()) < 2


def test_blend_goes_from_the_image_to_the_contents_colours() -> None:
    image = _random_image(6, (200, 30, 30))
    content = _random_image(7, (30, 30, 200))
    np.testing.assert_allclose(colour.blend(image, content, 0.0), image, atol=1e-4)
    full = colour.blend(image, content, 1.0)
    np.testing.assert_allclose(full, colour.with_colours_of(image, content), atol=1e-4)
    half = colour.blend(image, content, 0.5)
    np.testing.assert_allclose(half, (image + full) / 2, atol=1e-3)

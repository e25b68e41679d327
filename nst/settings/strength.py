"""The style strength (a slider position 0..1) and the style/content weight ratio."""

from __future__ import annotations

import math

# The style strength slider (window) and --style-strength (CLI, with the optimization) map a
# position t in 0..1 onto the style/content weight ratio, so that equal steps of the slider
# change the result by about equal amounts. Measured with `python -m tools.strength_curve`
# (tubingen/starry_night, 96 px, 60 L-BFGS steps, ratios 10^-2 .. 10^4 by half decades):
# the mean absolute pixel change from one half decade to the next was 1.8 below 10^-1 (no
# visible effect), then 4.5, 6.5, 8.8, 18.3, 17.1, 15.9, 12.6, 11.6, 10.6 up to 10^3, where
# the photo is gone but for its layout (from there on the changes are reshuffled strokes,
# not more style). The slider spans 10^-1 .. 10^3, and each knot below sits at its share of
# that summed change, so the mapping is piecewise linear in log10(ratio) between knots.
# The default ratio (style_weight 10 / content_weight 1) falls at t = 0.5.
STRENGTH_KNOTS: tuple[tuple[float, float], ...] = (
    # (slider position, log10 of the style/content ratio)
    (0.0, -1.0),
    (0.064, -0.5),
    (0.151, 0.0),
    (0.331, 0.5),
    (0.5, 1.0),
    (0.657, 1.5),
    (0.781, 2.0),
    (0.895, 2.5),
    (1.0, 3.0),
)
STRENGTH_LOG_LOW = STRENGTH_KNOTS[0][1]
STRENGTH_LOG_HIGH = STRENGTH_KNOTS[-1][1]


def _interpolate(x: float, points: tuple[tuple[float, float], ...]) -> float:
    """Piecewise-linear y(x) through ``points`` (x ascending), flat past the ends."""
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def strength_to_ratio(strength: float) -> float:
    """The style/content weight ratio at slider position ``strength`` (0..1)."""
    return 10.0 ** _interpolate(strength, STRENGTH_KNOTS)


def ratio_to_strength(ratio: float) -> float:
    """The slider position (0..1, clamped) of a style/content weight ratio."""
    if ratio <= 0:
        return 0.0
    if math.isinf(ratio):
        return 1.0
    inverse = tuple((k, t) for t, k in STRENGTH_KNOTS)
    return _interpolate(math.log10(ratio), inverse)

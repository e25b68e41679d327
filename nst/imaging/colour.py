"""Keeping the content image's colours (Gatys, Bethge, Hertzmann, Shechtman 2017,
"Preserving Color in Neural Artistic Style Transfer", arXiv:1606.05897).

Two ways, as in that paper:

- ``match``: before the optimization, the style image's colours are transformed so that
  their mean and covariance equal the content image's (the paper's section 2, the linear
  "Image Analogies" transfer, x' = A (x - mu_s) + mu_c with A = Sigma_c^1/2 Sigma_s^-1/2).
- ``luminance``: the optimization sees only luminance (both images turned grey, the
  style's luminance matched to the content's mean and deviation); at the end the result's
  luminance is joined with the content's colour channels (the paper's section 3, in YIQ).

Then ``colour_strength`` blends the image the optimization made (``style`` colours) with
the same image in the content's colours, so a slider can go from one to the other.

NumPy only: these run once per run, outside the compiled step.
"""

from __future__ import annotations

import numpy as np

# RGB -> YIQ (NTSC 1953, FCC's coefficients), the colour space Gatys et al. 2017 use for
# luminance-only transfer: Y is luminance, I and Q carry the colour.
RGB_TO_YIQ = np.array(
    [
        [0.299, 0.587, 0.114],
        [0.595716, -0.274453, -0.321263],
        [0.211456, -0.522591, 0.311135],
    ]
)
YIQ_TO_RGB = np.linalg.inv(RGB_TO_YIQ)

# Added to variances before inverting them: a flat (one-colour) image has a singular
# covariance. 1e-3 in 0..255 units squared is far below any visible difference.
_EPSILON = 1e-3


def _flat(image: np.ndarray) -> np.ndarray:
    return image.reshape(-1, 3).astype(np.float64)


def _sqrt_matrix(cov: np.ndarray, power: float) -> np.ndarray:
    """cov ** power for a symmetric positive semi-definite 3x3 matrix (eigen-decomposition)."""
    values, vectors = np.linalg.eigh(cov)
    values = np.maximum(values, _EPSILON) ** power
    return (vectors * values) @ vectors.T


def match_colours(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``source`` (H, W, 3, 0..255) with its colour mean and covariance made ``target``'s."""
    src, tgt = _flat(source), _flat(target)
    mu_s, mu_t = src.mean(axis=0), tgt.mean(axis=0)
    # Divided by N, not N - 1: a one-pixel image's covariance is then 0 (which _EPSILON
    # handles), not 0 / 0; the factor is the same on both sides and cancels out of A.
    cov_s = np.cov(src, rowvar=False, bias=True)
    cov_t = np.cov(tgt, rowvar=False, bias=True)
    transform = _sqrt_matrix(cov_t, 0.5) @ _sqrt_matrix(cov_s, -0.5)
    out = (src - mu_s) @ transform.T + mu_t
    return np.clip(out, 0, 255).reshape(source.shape).astype(np.float32)


def luminance(image: np.ndarray) -> np.ndarray:
    """The Y channel of an (H, W, 3) RGB image, same units."""
    return image.astype(np.float64) @ RGB_TO_YIQ[0]


def grey(image: np.ndarray, like: np.ndarray | None = None) -> np.ndarray:
    """The image's luminance as a 3-channel grey image (VGG19 wants 3 channels).

    With ``like``, the luminance is shifted and scaled to ``like``'s luminance mean and
    deviation first (Gatys et al. 2017, section 3: "match the luminance histograms").
    """
    y = luminance(image)
    if like is not None:
        ref = luminance(like)
        y = (y - y.mean()) / (y.std() + _EPSILON) * ref.std() + ref.mean()
    y = np.clip(y, 0, 255)
    return np.repeat(y[..., np.newaxis], 3, axis=-1).astype(np.float32)


def with_colours_of(image: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """``image``'s luminance joined with ``colours``' I and Q channels (same H, W)."""
    yiq = colours.astype(np.float64) @ RGB_TO_YIQ.T
    yiq[..., 0] = luminance(image)
    return np.clip(yiq @ YIQ_TO_RGB.T, 0, 255).astype(np.float32)


def blend(image: np.ndarray, content: np.ndarray, strength: float) -> np.ndarray:
    """Between ``image``'s own colours (strength 0) and the content's (strength 1)."""
    if strength <= 0:
        return image.astype(np.float32)
    kept = with_colours_of(image, content)
    if strength >= 1:
        return kept
    return ((1 - strength) * image.astype(np.float32) + strength * kept).astype(np.float32)

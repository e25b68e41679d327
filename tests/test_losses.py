"""The loss terms against plain NumPy references computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from nst.objective import losses

rng = np.random.default_rng(0)


def np_gram(f: np.ndarray) -> np.ndarray:
    _, h, w, c = f.shape
    flat = f.reshape(h * w, c).astype(np.float64)
    return flat.T @ flat / (h * w)


def test_gram_matches_numpy() -> None:
    f = rng.random((1, 5, 7, 4)).astype(np.float32)
    np.testing.assert_allclose(losses.gram(tf.constant(f)).numpy(), np_gram(f), rtol=1e-5)


def test_gram_of_a_tiny_map_by_hand() -> None:
    # two positions, two channels: [[1, 2], [3, 4]] -> (1/2) [[1+9, 2+12], [2+12, 4+16]]
    f = np.array([[[[1, 2], [3, 4]]]], dtype=np.float32)
    np.testing.assert_allclose(losses.gram(tf.constant(f)).numpy(), [[5, 7], [7, 10]])


def test_gram_does_not_grow_with_the_image() -> None:
    f = rng.random((1, 4, 4, 3)).astype(np.float32)
    tiled = np.tile(f, (1, 3, 3, 1))  # the same statistics over 9x the positions
    np.testing.assert_allclose(
        losses.gram(tf.constant(tiled)).numpy(), losses.gram(tf.constant(f)).numpy(), rtol=1e-5
    )


def test_content_loss_is_relative_squared_error() -> None:
    f = rng.random((1, 3, 3, 2)).astype(np.float32)
    p = rng.random((1, 3, 3, 2)).astype(np.float32)
    expected = np.sum((f - p) ** 2) / np.sum(p**2)
    assert losses.content_loss(tf.constant(f), tf.constant(p)).numpy() == pytest.approx(
        expected, rel=1e-5
    )
    assert losses.content_loss(tf.constant(p), tf.constant(p)).numpy() == 0.0
    # an all-black image against the target: exactly 1
    assert losses.content_loss(tf.zeros_like(p), tf.constant(p)).numpy() == pytest.approx(1.0)


def test_style_loss_is_relative_squared_error_of_grams() -> None:
    g = np_gram(rng.random((1, 4, 4, 3)))
    a = np_gram(rng.random((1, 6, 2, 3)))
    expected = np.sum((g - a) ** 2) / np.sum(a**2)
    got = losses.style_loss(tf.constant(g, tf.float32), tf.constant(a, tf.float32)).numpy()
    assert got == pytest.approx(expected, rel=1e-5)


def test_style_loss_of_zero_target_is_finite() -> None:
    z = tf.zeros((3, 3))
    assert np.isfinite(losses.style_loss(tf.ones((3, 3)), z).numpy())


def test_total_variation_by_hand() -> None:
    img = np.zeros((1, 2, 3, 3), np.float32)
    img[0, :, 1, :] = 255.0  # a bright middle column: every horizontal pair differs by 255
    # dx: 2 rows x 2 pairs x 3 channels, all (255/255)^2 = 1 -> mean 1; dy: all 0 -> mean 0
    assert losses.total_variation(tf.constant(img)).numpy() == pytest.approx(1.0)
    flat = np.full((1, 4, 4, 3), 100, np.float32)
    assert losses.total_variation(tf.constant(flat)).numpy() == 0.0


def test_total_variation_matches_numpy_on_noise() -> None:
    img = rng.uniform(0, 255, (1, 6, 5, 3)).astype(np.float32)
    x = img / 255.0
    expected = np.mean(np.diff(x, axis=1) ** 2) + np.mean(np.diff(x, axis=2) ** 2)
    assert losses.total_variation(tf.constant(img)).numpy() == pytest.approx(expected, rel=1e-5)


def test_weighted_mean_keeps_layer_weights_relative() -> None:
    parts = [tf.constant(1.0), tf.constant(3.0)]
    assert losses.weighted_mean(parts, tf.constant([1.0, 1.0])).numpy() == pytest.approx(2.0)
    assert losses.weighted_mean(parts, tf.constant([2.0, 2.0])).numpy() == pytest.approx(2.0)
    assert losses.weighted_mean(parts, tf.constant([3.0, 1.0])).numpy() == pytest.approx(1.5)
    assert losses.weighted_mean([], tf.constant([], tf.float32)).numpy() == 0.0

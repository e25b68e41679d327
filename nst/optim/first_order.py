"""The first-order optimizers that move the image's pixels, on flat float32 tensors.

First-order methods (Adam, Adadelta, RMSprop, SGD) follow their papers' update rules with
Keras's default constants; they are written out here, a few lines each, so that they act
on a plain tensor with no Keras variable tracking and so that each keeps the state the
engine can inspect.
"""

from __future__ import annotations

import math

from nst.tf_runtime import tf


class FirstOrder:
    """Base of the first-order methods: ``step(x, g)`` returns the new x."""

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate
        self.iterations = 0

    def step(self, x: tf.Tensor, g: tf.Tensor) -> tf.Tensor:
        self.iterations += 1
        return x - self.delta(g)

    def delta(self, g: tf.Tensor) -> tf.Tensor:
        raise NotImplementedError


class SGD(FirstOrder):
    """Gradient descent with heavy-ball momentum 0.9 (Polyak 1964; Sutskever et al. 2013)."""

    MOMENTUM = 0.9

    def __init__(self, learning_rate: float) -> None:
        super().__init__(learning_rate)
        self.velocity: tf.Tensor | None = None

    def delta(self, g: tf.Tensor) -> tf.Tensor:
        step = self.learning_rate * g
        self.velocity = step if self.velocity is None else self.MOMENTUM * self.velocity + step
        return self.velocity


class Adam(FirstOrder):
    """Kingma & Ba 2015, algorithm 1, with their defaults beta1 0.9, beta2 0.999."""

    BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-8

    def __init__(self, learning_rate: float) -> None:
        super().__init__(learning_rate)
        self.m: tf.Tensor | None = None
        self.v: tf.Tensor | None = None

    def delta(self, g: tf.Tensor) -> tf.Tensor:
        if self.m is None:
            self.m, self.v = tf.zeros_like(g), tf.zeros_like(g)
        self.m = self.BETA1 * self.m + (1 - self.BETA1) * g
        self.v = self.BETA2 * self.v + (1 - self.BETA2) * tf.square(g)
        t = self.iterations
        rate = self.learning_rate * math.sqrt(1 - self.BETA2**t) / (1 - self.BETA1**t)
        return rate * self.m / (tf.sqrt(self.v) + self.EPSILON)


class RMSprop(FirstOrder):
    """Tieleman & Hinton 2012 (lecture 6e), decay 0.9 as in Keras."""

    RHO, EPSILON = 0.9, 1e-8

    def __init__(self, learning_rate: float) -> None:
        super().__init__(learning_rate)
        self.mean_square: tf.Tensor | None = None

    def delta(self, g: tf.Tensor) -> tf.Tensor:
        sq = tf.square(g)
        if self.mean_square is None:
            # start from the first gradient's square, not 0, so that the first step is not
            # 1/sqrt(1 - rho) ~ 3x larger than the rest
            self.mean_square = sq
        self.mean_square = self.RHO * self.mean_square + (1 - self.RHO) * sq
        return self.learning_rate * g / (tf.sqrt(self.mean_square) + self.EPSILON)


class Adadelta(FirstOrder):
    """Zeiler 2012, algorithm 1 (rho 0.95, epsilon 1e-6 as in the paper), times the rate."""

    RHO, EPSILON = 0.95, 1e-6

    def __init__(self, learning_rate: float) -> None:
        super().__init__(learning_rate)
        self.mean_square_g: tf.Tensor | None = None
        self.mean_square_dx: tf.Tensor | None = None

    def delta(self, g: tf.Tensor) -> tf.Tensor:
        if self.mean_square_g is None:
            self.mean_square_g, self.mean_square_dx = tf.zeros_like(g), tf.zeros_like(g)
        self.mean_square_g = self.RHO * self.mean_square_g + (1 - self.RHO) * tf.square(g)
        rms_dx = tf.sqrt(self.mean_square_dx + self.EPSILON)
        dx = rms_dx / tf.sqrt(self.mean_square_g + self.EPSILON) * g
        self.mean_square_dx = self.RHO * self.mean_square_dx + (1 - self.RHO) * tf.square(dx)
        return self.learning_rate * dx


FIRST_ORDER: dict[str, type[FirstOrder]] = {
    "adam": Adam,
    "adadelta": Adadelta,
    "rmsprop": RMSprop,
    "sgd": SGD,
}

"""TensorFlow's own answers, the independent reference the numpy readers are checked against.

The Draw page dreams with a gradient written by hand in numpy (explainer.concepts.models.dream,
and the small CNN's in explainer.concepts.models.convnet). :func:`input_gradient` gets the same
numbers from TensorFlow's automatic differentiation, for the tests and the benchmarks; the web
process never imports this module.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

INPUT_SHAPES = {"mlp": (1, 784), "cnn": (1, 28, 28, 1)}


def input_gradient(model, kind: str, input_scale: float
                   ) -> Callable[[np.ndarray, int], tuple[float, np.ndarray]]:
    """A function of (784 pixels in 0-1, digit): log P(digit) and its gradient with respect to
    the pixels, by ``tf.GradientTape`` through the Keras ``model`` (an "mlp" or a "cnn")."""
    import tensorflow as tf

    shape = INPUT_SHAPES[kind]

    def gradient(pixels: np.ndarray, digit: int) -> tuple[float, np.ndarray]:
        x = tf.constant(np.asarray(pixels, dtype=np.float32).reshape(shape) * 255.0 * input_scale)
        with tf.GradientTape() as tape:
            tape.watch(x)
            objective = tf.math.log(tf.clip_by_value(model(x, training=False)[0, digit], 1e-30, 1))
        grad = tape.gradient(objective, x).numpy().reshape(784).astype(np.float64)
        return float(objective.numpy()), grad * 255.0 * input_scale

    return gradient

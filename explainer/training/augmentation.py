"""Data augmentation: train on moved, turned, resized, thicker or thinner copies of the digits.

The network itself does not change: it still reads 784 flat values. The changes happen in the
input pipeline (``tf.data``), a fresh random copy of every digit each epoch, so the network never
sees the same picture twice and has to learn what a 7 is rather than where MNIST puts its ink.
In the pipeline each batch is viewed as 28 x 28 pictures, gets a thicker or thinner pen, goes
through Keras' own random layers, and goes back to 784 values:

    thickness           thicker: blend towards a 3 x 3 max-pool (a dilation); thinner: cut
                        the strokes' soft edges (explainer/concepts/inputs/distort.py)
    RandomTranslation   up to 3 pixels each way
    RandomRotation      up to 15 degrees either way
    RandomZoom          the digit 0.8 to 1.2 times its size

The ranges are those of the robustness set (:func:`explainer.concepts.inputs.distort.
robustness_set`). Runs only in worker processes: TensorFlow is imported inside the functions.
"""

from __future__ import annotations

import numpy as np

from explainer.concepts.inputs.distort import (
    MAX_DEGREES,
    MAX_SHIFT,
    MAX_THICKNESS,
    SCALES,
    SIDE,
    THIN_LEVEL,
)

SHIFT_FACTOR = MAX_SHIFT / SIDE  # Keras counts shifts as a share of the picture's side
ROTATION_FACTOR = MAX_DEGREES / 360  # and turns as a share of a full turn
# Keras zooms by looking up each pixel at `zoom` times its distance from the centre, so the digit
# ends up 1 / zoom times its size: 0.8-1.2 times is a zoom of 1/1.2-1/0.8, a factor of zoom - 1.
ZOOM_FACTOR = (1 / SCALES[1] - 1, 1 / SCALES[0] - 1)


def geometry(seed: int):
    """Keras' random shift, turn and zoom, one after the other; empty corners stay paper (0)."""
    import keras
    from keras import layers

    paper = {"fill_mode": "constant", "fill_value": 0.0}
    return keras.Sequential([
        layers.RandomTranslation(SHIFT_FACTOR, SHIFT_FACTOR, seed=seed, **paper),
        layers.RandomRotation(ROTATION_FACTOR, seed=seed + 1, **paper),
        layers.RandomZoom(ZOOM_FACTOR, seed=seed + 2, **paper),
    ], name="augment")


def thicker_or_thinner(images, amount, ink: float):
    """The strokes of a (N, 28, 28, 1) batch made thicker or thinner, one amount per picture.

    The same rule as :func:`explainer.concepts.inputs.distort.thickness_float`, in TensorFlow:
    a dilation is a 3 x 3 max-pool with stride 1.
    """
    import tensorflow as tf

    weight = tf.reshape(tf.cast(amount, images.dtype), (-1, 1, 1, 1))
    dilated = tf.nn.max_pool2d(images, ksize=3, strides=1, padding="SAME")
    grown = images + tf.maximum(weight, 0.0) * (dilated - images)
    level = tf.maximum(-weight, 0.0) * THIN_LEVEL * ink
    return tf.clip_by_value((grown - level) * ink / (ink - level), 0.0, ink)


def augmenter(seed: int, ink: float, shape: tuple[int, ...] = (SIDE * SIDE,)):
    """A function: a batch of inputs of ``shape`` -> a randomly changed batch of the same shape.

    ``ink`` is the value of full ink in the inputs (1.0 when pixels are divided by 255).
    """
    import keras
    import tensorflow as tf

    moves = geometry(seed)
    thickness_seed = keras.random.SeedGenerator(seed + 3)

    def augment(batch):
        pictures = tf.reshape(batch, (-1, SIDE, SIDE, 1))
        amount = keras.random.uniform((tf.shape(pictures)[0],), -MAX_THICKNESS, MAX_THICKNESS,
                                      seed=thickness_seed)
        pictures = moves(thicker_or_thinner(pictures, amount, ink), training=True)
        return tf.reshape(pictures, (-1, *shape))

    return augment


def training_dataset(inputs: np.ndarray, targets: np.ndarray, batch_size: int, seed: int,
                     ink: float):
    """Shuffled batches of freshly changed digits, every epoch anew; for ``model.fit``.

    Shuffled with ``seed`` each epoch (as ``fit`` shuffles arrays), changed after batching (one
    vectorised step per batch), in order, so the same seed gives the same batches.
    """
    import tensorflow as tf

    augment = augmenter(seed, ink, tuple(inputs.shape[1:]))
    return (tf.data.Dataset.from_tensor_slices((inputs, targets))
            .shuffle(len(inputs), seed=seed, reshuffle_each_iteration=True)
            .batch(batch_size)
            .map(lambda x, y: (augment(x), y))
            .prefetch(tf.data.AUTOTUNE))

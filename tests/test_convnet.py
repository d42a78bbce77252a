"""The small CNN in numpy: known values, the gradient vs the nudge, and both vs Keras itself."""

from __future__ import annotations

import numpy as np
import pytest

from explainer.concepts.models import convnet, dream
from explainer.concepts.models.convnet import ConvNet
from explainer.data.mnist import load_sample


def random_weights(seed: int = 0, hidden: int = 16) -> list[np.ndarray]:
    """Weights shaped like Keras' get_weights() of the small CNN, with a smaller hidden layer."""
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 0.3, (3, 3, 1, 32)), rng.normal(0, 0.05, 32),
            rng.normal(0, 0.06, (3, 3, 32, 64)), rng.normal(0, 0.05, 64),
            rng.normal(0, 0.04, (1600, hidden)), rng.normal(0, 0.05, hidden),
            rng.normal(0, 0.3, (hidden, 10)), rng.normal(0, 0.05, 10)]


def log_probability(net: ConvNet, pixels: np.ndarray, digit: int) -> float:
    """The forward pass alone: log P(digit) for pixels in 0-1."""
    return float(np.log(net.probabilities(pixels.reshape(1, 28, 28) * 255.0)[0, digit]))


def nudge_slope(net: ConvNet, pixels: np.ndarray, digit: int, pixel: int, h: float) -> float:
    up, down = pixels.copy(), pixels.copy()
    up[pixel] += h
    down[pixel] -= h
    return (log_probability(net, up, digit) - log_probability(net, down, digit)) / (2 * h)


def test_convolution_is_keras_cross_correlation_on_known_values():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    kernel = np.zeros((3, 3, 1, 2))
    kernel[0, 0, 0, 0] = 1.0  # filter 0 reads each patch's top-left cell (no flip)
    kernel[:, :, 0, 1] = 1.0  # filter 1 adds up the patch
    out = convnet.convolve(x, kernel, np.array([0.0, -1.0]))
    np.testing.assert_array_equal(out[0, :, :, 0], [[0, 1], [4, 5]])
    np.testing.assert_array_equal(out[0, :, :, 1], [[44, 53], [80, 89]])


def test_max_pooling_keeps_the_largest_of_each_block_and_drops_an_odd_edge():
    x = np.array([[1, 5, 2], [3, 4, 9], [7, 7, 7]], dtype=float).reshape(1, 3, 3, 1)
    pooled, winner = convnet.max_pool(x), convnet.pool_winners(x)
    assert pooled.shape == (1, 1, 1, 1) and pooled[0, 0, 0, 0] == 5
    back = convnet.max_pool_back(np.ones_like(pooled), winner, x.shape)
    expected = np.zeros((3, 3))
    expected[0, 1] = 1.0  # only the winner gets the gradient; the dropped edge gets none
    np.testing.assert_array_equal(back[0, :, :, 0], expected)


def test_probabilities_are_a_distribution_for_one_digit_or_many():
    net = ConvNet.from_weights(random_weights(), 1 / 255)
    digits = load_sample().x_test[:300]
    many = net.probabilities(digits)
    assert many.shape == (300, 10)
    np.testing.assert_allclose(many.sum(axis=1), 1.0)
    np.testing.assert_allclose(net.probabilities(digits[7]), many[7:8], rtol=1e-12)
    assert repr(net) == "ConvNet(conv 32-64, dense 1600-16-10)"


@pytest.mark.parametrize("digit", [0, 6])
def test_gradient_matches_the_nudge(digit):
    """Each pixel nudged up and down: the slope of log P must match the backprop gradient."""
    net = ConvNet.from_weights(random_weights(1), 1 / 255)
    pixels = np.random.default_rng(2).uniform(0, 1, 784)
    objective, grad = net.gradient(pixels, digit)
    assert grad.shape == (784,)
    assert objective == pytest.approx(log_probability(net, pixels, digit), abs=1e-12)
    for pixel in np.random.default_rng(3).choice(784, 12, replace=False):
        slope = nudge_slope(net, pixels, digit, pixel, 1e-6)
        assert grad[pixel] == pytest.approx(slope, rel=1e-4, abs=1e-7)


def test_a_dream_runs_in_numpy_and_raises_the_probability():
    net = ConvNet.from_weights(random_weights(4), 1 / 255)
    result = dream.dream(net.gradient, 2, start="noise", steps=10, step_size=0.1)
    assert result.probability > result.history[0]


@pytest.mark.parametrize("weights, message", [
    (random_weights()[:5], "6 or 8 arrays, got 5"),
    (random_weights()[:2] + random_weights()[:2] + random_weights()[4:], "Convolution layer 2"),
    (random_weights()[:4] + [np.zeros((1599, 16)), np.zeros(16)] + random_weights()[6:],
     r"Dense layer 1: expected weights \(1600, cells\)"),
    (random_weights()[:6] + [np.zeros((16, 9)), np.zeros(9)], "10 cells"),
    (random_weights()[:7] + [np.full(10, np.nan)], "NaN"),
])
def test_bad_weight_lists_are_refused_with_a_clear_message(weights, message):
    with pytest.raises(ValueError, match=message):
        ConvNet.from_weights(weights, 1 / 255)


@pytest.fixture(scope="module")
def keras_cnn():
    """The "cnn" recipe trained for one short epoch (about 300 steps) on the shipped sample."""
    from explainer.training.keras_fit import build_model
    from explainer.training.spec import PRESETS, one_hot, prepare_inputs

    config = PRESETS["cnn"]
    data = load_sample()
    model = build_model(config)
    model.fit(prepare_inputs(data.x_train, config), one_hot(data.y_train), epochs=1,
              batch_size=20, verbose=0)
    return model, config


@pytest.mark.slow
def test_probabilities_match_keras_on_real_test_digits(keras_cnn):
    from explainer.training.spec import prepare_inputs

    model, config = keras_cnn
    data = load_sample()
    digits = data.x_test[::5][:200]
    net = ConvNet.from_weights(model.get_weights(), 1 / 255 if config.scale_inputs else 1.0)
    ours = net.probabilities(digits)
    theirs = np.asarray(model.predict(prepare_inputs(digits, config), verbose=0))
    assert np.abs(ours - theirs).max() < 1e-5
    # trained, so the answers are not flat: mostly right and mostly sure
    assert (ours.argmax(axis=1) == data.y_test[::5][:200]).mean() > 0.8
    assert np.median(ours.max(axis=1)) > 0.8


def tensorflow_gradient(model, input_scale: float):
    """pixels (784,) in 0-1 -> (log P(digit), its gradient), by TensorFlow's autodiff: the
    independent reference (the app itself never imports TensorFlow outside its workers)."""
    import tensorflow as tf

    def gradient(pixels: np.ndarray, digit: int) -> tuple[float, np.ndarray]:
        scaled = np.asarray(pixels, dtype=np.float32).reshape(1, 28, 28, 1) * 255.0 * input_scale
        x = tf.constant(scaled)
        with tf.GradientTape() as tape:
            tape.watch(x)
            probabilities = model(x, training=False)
            objective = tf.math.log(tf.clip_by_value(probabilities[0, digit], 1e-30, 1.0))
        grad = tape.gradient(objective, x).numpy().reshape(784).astype(np.float64)
        return float(objective.numpy()), grad * 255.0 * input_scale

    return gradient


@pytest.mark.slow
def test_gradient_matches_tensorflow_autodiff_and_the_nudge(keras_cnn):
    model, _ = keras_cnn
    net = ConvNet.from_weights(model.get_weights(), 1 / 255)
    by_tensorflow = tensorflow_gradient(model, 1 / 255)
    sample = load_sample()
    images = (sample.x_test[0].reshape(784) / 255.0,
              np.random.default_rng(5).uniform(0, 1, 784))
    for pixels in images:
        for digit in (int(sample.y_test[0]), 3):
            ours, grad = net.gradient(pixels, digit)
            theirs, tf_grad = by_tensorflow(pixels, digit)
            assert ours == pytest.approx(theirs, abs=1e-4)
            np.testing.assert_allclose(grad, tf_grad, atol=1e-4 * np.abs(grad).max())

    # On noise no two cells of a pooling block are equal, so log P is smooth there and the nudge
    # applies. (On a real digit the blank paper gives blocks of equal cells: a nudge up and a
    # nudge down pick different winners, and both gradients above pick the first, as TF does.)
    pixels = images[1]
    _, grad = net.gradient(pixels, 3)
    for pixel in np.argsort(-np.abs(grad))[:6]:  # the pixels that matter most
        slope = nudge_slope(net, pixels, 3, pixel, 1e-6)
        assert grad[pixel] == pytest.approx(slope, rel=1e-4, abs=1e-7)

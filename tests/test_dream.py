"""Gradient ascent on the pixels: the gradient checked twice, and what the dream looks like."""

from __future__ import annotations

import numpy as np
import pytest
from draw_support import keras_trained_on_sample, trained_on_sample

from explainer.concepts.models import dream
from explainer.concepts.models.reading import Reader
from explainer.concepts.nn.dense import forward_layers
from explainer.concepts.nn.network import Network
from explainer.data.mnist import load_sample
from explainer.training.keras_reference import input_gradient


@pytest.fixture(scope="module")
def mlp():
    return Reader.of(trained_on_sample()).mlp


def random_mlp(activation: str, seed: int = 0) -> Network:
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.05, (784, 16)), rng.normal(0, 0.3, (16, 8)),
               rng.normal(0, 0.5, (8, 10))]
    biases = [rng.normal(0, 0.1, 16), rng.normal(0, 0.1, 8), rng.normal(0, 0.1, 10)]
    return Network(weights, biases, activation, input_scale=1 / 255)


def log_p(net: Network, pixels: np.ndarray, digit: int) -> float:
    """log P(digit), by the one forward pass: the objective the dream climbs."""
    _, values = forward_layers(np.asarray(pixels).reshape(1, 784) * 255.0 * net.input_scale,
                               net.weights, net.biases, net.activation)
    return float(np.log(values[-1][0, digit]))


def dream_of(net: Network, digit: int, **options):
    return dream.dream(lambda pixels, d: dream.mlp_gradient(net, pixels, d), digit, **options)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_gradient_matches_the_nudge(activation):
    """Each pixel nudged up and down: the slope of log P must match the backprop gradient."""
    net = random_mlp(activation)
    pixels = np.random.default_rng(1).uniform(0, 1, 784)
    objective, grad = dream.mlp_gradient(net, pixels, 4)
    assert objective == pytest.approx(log_p(net, pixels, 4))
    h = 1e-6
    for pixel in np.random.default_rng(2).choice(784, 25, replace=False):
        up, down = pixels.copy(), pixels.copy()
        up[pixel] += h
        down[pixel] -= h
        nudge = (log_p(net, up, 4) - log_p(net, down, 4)) / (2 * h)
        assert grad[pixel] == pytest.approx(nudge, rel=1e-4, abs=1e-8)


def test_a_large_float32_network_dreams_without_a_float64_copy_of_its_weights():
    """A visitor's 2048 x 2048 network: each step's products stay in float32 (the 2048 x 2048
    kernel alone would be a 33 MB float64 copy per step)."""
    import tracemalloc

    rng = np.random.default_rng(0)
    sizes = [(784, 2048), (2048, 2048), (2048, 10)]
    net = Network([rng.normal(0, 0.02, shape).astype(np.float32) for shape in sizes],
                  [np.zeros(shape[1], np.float32) for shape in sizes], "relu", input_scale=1 / 255)
    pixels = rng.uniform(0, 1, 784)
    dream.mlp_gradient(net, pixels, 3)  # warm: numpy's own first-call buffers
    tracemalloc.start()
    objective, grad = dream.mlp_gradient(net, pixels, 3)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1_000_000, peak
    assert grad.dtype == np.float32 and np.isfinite(objective)
    wide = Network([w.astype(np.float64) for w in net.weights],
                   [b.astype(np.float64) for b in net.biases], "relu", input_scale=1 / 255)
    reference, wide_grad = dream.mlp_gradient(wide, pixels, 3)  # the same network in float64
    assert objective == pytest.approx(reference, abs=1e-4)
    np.testing.assert_allclose(grad, wide_grad, atol=1e-4 * np.abs(wide_grad).max())


def test_gradient_matches_tensorflow_autodiff(mlp):
    by_tensorflow = input_gradient(keras_trained_on_sample()[0], "mlp", 1 / 255)
    pixels = np.random.default_rng(3).uniform(0, 1, 784)
    for digit in (0, 9):
        ours, grad = dream.mlp_gradient(mlp, pixels, digit)
        theirs, tf_grad = by_tensorflow(pixels, digit)
        assert ours == pytest.approx(theirs, abs=1e-4)
        np.testing.assert_allclose(grad, tf_grad, atol=1e-4 * np.abs(grad).max())


def test_the_network_is_sure_of_a_picture_that_looks_little_like_a_nine(mlp):
    result = dream_of(mlp, 9, start="blank", steps=100)
    assert result.image.shape == (28, 28)
    assert 0 <= result.image.min() and result.image.max() <= 1
    assert result.history[0] < 0.5 < 0.99 < result.probability
    assert len(result.history) == 101
    # it matches the average 9 worse than real 9s do
    sample = load_sample()
    nines = sample.x_train[sample.y_train == 9] / 255.0
    average = nines.mean(axis=0).ravel()
    dream_match = np.corrcoef(result.image.ravel(), average)[0, 1]
    real_match = np.median([np.corrcoef(n.ravel(), average)[0, 1]
                            for n in sample.x_test[sample.y_test == 9] / 255.0])
    assert dream_match < real_match - 0.1, (dream_match, real_match)


def test_noise_start_is_repeatable_and_also_converges(mlp):
    first = dream_of(mlp, 3, start="noise", steps=60, seed=5)
    again = dream_of(mlp, 3, start="noise", steps=60, seed=5)
    np.testing.assert_array_equal(first.image, again.image)
    assert first.probability > 0.99


def test_a_cnn_dreams_with_its_numpy_gradient_which_matches_autodiff():
    convnet = pytest.importorskip("explainer.concepts.models.convnet")
    from explainer.training.keras_fit import build_model
    from explainer.training.spec import PRESETS

    model = build_model(PRESETS["cnn"])  # untrained: gradient ascent still raises P(2)
    net = convnet.ConvNet.from_weights(model.get_weights(), 1 / 255)
    pixels = np.random.default_rng(4).uniform(0, 0.3, 784)
    ours, grad = net.gradient(pixels, 2)
    theirs, tf_grad = input_gradient(model, "cnn", 1 / 255)(pixels, 2)
    assert ours == pytest.approx(theirs, abs=1e-4)
    np.testing.assert_allclose(grad, tf_grad, atol=1e-4 * np.abs(tf_grad).max())
    result = dream.dream(net.gradient, 2, start="noise", steps=8, step_size=0.1)
    assert result.probability > result.history[0]


def test_bad_requests_are_refused(mlp):
    with pytest.raises(ValueError, match="digit"):
        dream_of(mlp, 10)
    with pytest.raises(ValueError, match="start"):
        dream_of(mlp, 1, start="a cat")

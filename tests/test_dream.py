"""Gradient ascent on the pixels: the gradient checked twice, and what the dream looks like."""

from __future__ import annotations

import numpy as np
import pytest
from draw_support import trained_on_sample

from explainer.concepts import dream, inside
from explainer.data.mnist import load_sample
from explainer.training.model import PRESETS, build_model


@pytest.fixture(scope="module")
def mlp():
    return inside.mlp_from_keras(trained_on_sample().model, 1 / 255)


def random_mlp(activation: str, seed: int = 0) -> inside.Mlp:
    rng = np.random.default_rng(seed)
    hidden = (inside.DenseLayer(rng.normal(0, 0.05, (784, 16)), rng.normal(0, 0.1, 16),
                                activation),
              inside.DenseLayer(rng.normal(0, 0.3, (16, 8)), rng.normal(0, 0.1, 8), activation))
    output = inside.DenseLayer(rng.normal(0, 0.5, (8, 10)), rng.normal(0, 0.1, 10), "softmax")
    return inside.Mlp(hidden, output, 1 / 255)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_gradient_matches_the_nudge(activation):
    """Each pixel nudged up and down: the slope of log P must match the backprop gradient."""
    net = random_mlp(activation)
    pixels = np.random.default_rng(1).uniform(0, 1, 784)
    objective, grad = dream.mlp_gradient(net, pixels, 4)
    assert objective == pytest.approx(dream.mlp_objective(net, pixels, 4))
    h = 1e-6
    for pixel in np.random.default_rng(2).choice(784, 25, replace=False):
        up, down = pixels.copy(), pixels.copy()
        up[pixel] += h
        down[pixel] -= h
        nudge = (dream.mlp_objective(net, up, 4) - dream.mlp_objective(net, down, 4)) / (2 * h)
        assert grad[pixel] == pytest.approx(nudge, rel=1e-4, abs=1e-8)


def test_gradient_matches_tensorflow_autodiff(mlp):
    trained = trained_on_sample()
    by_tensorflow = dream.keras_gradient(trained.model, "mlp", 1 / 255)
    pixels = np.random.default_rng(3).uniform(0, 1, 784)
    for digit in (0, 9):
        ours, grad = dream.mlp_gradient(mlp, pixels, digit)
        theirs, tf_grad = by_tensorflow(pixels, digit)
        assert ours == pytest.approx(theirs, abs=1e-4)
        np.testing.assert_allclose(grad, tf_grad, atol=1e-4 * np.abs(grad).max())


def test_the_network_is_sure_of_a_picture_that_looks_little_like_a_nine(mlp):
    result = dream.mlp_dream(mlp, 9, start="blank", steps=100)
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
    first = dream.mlp_dream(mlp, 3, start="noise", steps=60, seed=5)
    again = dream.mlp_dream(mlp, 3, start="noise", steps=60, seed=5)
    np.testing.assert_array_equal(first.image, again.image)
    assert first.probability > 0.99


def test_any_keras_model_can_dream_through_autodiff():
    model = build_model(PRESETS["cnn"])  # untrained: gradient ascent still raises P(2)
    result = dream.dream(dream.keras_gradient(model, "cnn", 1 / 255), 2, start="noise", steps=8,
                         step_size=0.1)
    assert result.probability > result.history[0]


def test_bad_requests_are_refused(mlp):
    with pytest.raises(ValueError, match="digit"):
        dream.mlp_dream(mlp, 10)
    with pytest.raises(ValueError, match="start"):
        dream.mlp_dream(mlp, 1, start="a cat")

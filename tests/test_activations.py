"""Every activation, softmax, one-hot and parameter count in the package, against independent math.

The references are the textbook formulas evaluated in extended precision (numpy's longdouble,
about 19 digits), so they neither overflow nor round where float64 would; derivatives are checked
against centred nudges. Each copy of a concept the package has ever had is listed, so a copy
written again and written differently fails here.
"""

from __future__ import annotations

import numpy as np
import pytest

from explainer.concepts import backprop, descent, dream, evaluation, inside, neuron, softmax_loss

EXTENDED = np.longdouble
GRID = np.concatenate([np.linspace(-40.0, 40.0, 801),
                       [-1000.0, -745.0, -700.0, -50.0, -1e-9, 0.0, 1e-9, 50.0, 700.0, 1000.0]])
SMOOTH = np.linspace(-6.0, 6.0, 121) + 0.013  # away from ReLU's kink at 0
LEAKY_SLOPE = 0.1


def as_float(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def sigmoid_reference(x):
    x = np.asarray(x, dtype=EXTENDED)
    return as_float(1 / (1 + np.exp(-x)))


def tanh_reference(x):
    return as_float(np.tanh(np.asarray(x, dtype=EXTENDED)))


def softplus_reference(x):
    return as_float(np.log1p(np.exp(np.asarray(x, dtype=EXTENDED))))


def relu_reference(x):
    return np.array([v if v > 0 else 0.0 for v in x])


def leaky_relu_reference(x):
    return np.array([v if v > 0 else LEAKY_SLOPE * v for v in x])


def softmax_reference(scores):
    e = np.exp(np.asarray(scores, dtype=EXTENDED))  # the naive formula: no shift needed here
    return as_float(e / e.sum(axis=-1, keepdims=True))


def log_softmax_reference(scores):
    e = np.exp(np.asarray(scores, dtype=EXTENDED))
    return as_float(np.log(e / e.sum(axis=-1, keepdims=True)))


def nudge(f, x, h=1e-6):
    return (as_float(f(x + h)) - as_float(f(x - h))) / (2 * h)


SIGMOIDS = {
    "neuron.sigmoid": neuron.sigmoid,
    "descent.sigmoid": descent.sigmoid,
    "inside.sigmoid": inside.sigmoid,
    "backprop sigmoid": backprop.ACTIVATIONS["sigmoid"][0],
    "evaluation sigmoid": lambda x: evaluation.hidden_activations(
        np.atleast_1d(x)[:, None], np.ones((1, 1)), np.zeros(1), "sigmoid")[:, 0],
}
RELUS = {
    "neuron.relu": neuron.relu,
    "inside.relu": inside.relu,
    "backprop relu": backprop.ACTIVATIONS["relu"][0],
    "evaluation relu": lambda x: evaluation.hidden_activations(
        np.atleast_1d(x)[:, None], np.ones((1, 1)), np.zeros(1), "relu")[:, 0],
}
TANHS = {
    "neuron.tanh": neuron.tanh,
    "inside tanh": inside.ACTIVATIONS["tanh"],
    "backprop tanh": backprop.ACTIVATIONS["tanh"][0],
}
SOFTMAXES = {"softmax_loss.softmax": softmax_loss.softmax, "inside.softmax": inside.softmax}
ONE_HOTS = {"softmax_loss.one_hot": softmax_loss.one_hot,
            "training one_hot": lambda labels, n=10: __import__(
                "explainer.training.model", fromlist=["one_hot"]).one_hot(labels)}


@pytest.mark.parametrize("name", SIGMOIDS)
def test_every_sigmoid_is_one_over_one_plus_e_to_the_minus_x(name):
    with np.errstate(over="ignore"):  # the old evaluation copy overflowed exp(-x) to inf
        values = as_float(SIGMOIDS[name](GRID))
    assert np.all(np.isfinite(values))
    if name == "inside.sigmoid":
        # the old copy, 0.5 (1 + tanh(x / 2)), lost every digit below about x = -37
        # (1 + tanh rounds to 0): right to 1e-16 in absolute terms, not in relative ones
        np.testing.assert_allclose(values, sigmoid_reference(GRID), rtol=1e-15, atol=1e-16)
    elif name in ("descent.sigmoid", "backprop sigmoid"):
        # the old copies, exp(-log(1 + e^-x)), carried log's rounding through exp: 4e-15
        np.testing.assert_allclose(values, sigmoid_reference(GRID), rtol=4e-15, atol=1e-300)
    else:
        np.testing.assert_allclose(values, sigmoid_reference(GRID), rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("name", RELUS)
def test_every_relu_passes_positive_values_and_blocks_negative_ones(name):
    np.testing.assert_array_equal(as_float(RELUS[name](GRID)), relu_reference(GRID))


@pytest.mark.parametrize("name", TANHS)
def test_every_tanh_matches_extended_precision(name):
    np.testing.assert_allclose(as_float(TANHS[name](GRID)), tanh_reference(GRID), rtol=1e-15)


def test_leaky_relu_and_softplus():
    np.testing.assert_array_equal(as_float(neuron.leaky_relu(GRID)), leaky_relu_reference(GRID))
    np.testing.assert_allclose(as_float(descent.softplus(GRID)), softplus_reference(GRID),
                               rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_backprop_derivatives_match_nudges(name):
    f, slope = backprop.ACTIVATIONS[name]
    np.testing.assert_allclose(slope(SMOOTH), nudge(f, SMOOTH), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "linear"])
def test_dream_derivatives_match_nudges(name):
    f = inside.ACTIVATIONS[name]
    np.testing.assert_allclose(dream._derivative(name, SMOOTH, f(SMOOTH)), nudge(f, SMOOTH),
                               rtol=1e-7, atol=1e-9)


def test_the_small_models_sigmoid_is_the_slope_of_its_softplus():
    np.testing.assert_allclose(descent.sigmoid(SMOOTH), nudge(descent.softplus, SMOOTH),
                               rtol=1e-7, atol=1e-9)


SCORES = np.array([[1.0, 2.0, 3.0], [1000.0, 999.0, -1000.0], [-5.0, -5.0, -5.0],
                   [0.0, 700.0, 710.0], [-1000.0, 0.0, 1000.0]])


@pytest.mark.parametrize("name", SOFTMAXES)
def test_every_softmax_matches_the_naive_formula_in_extended_precision(name):
    values = SOFTMAXES[name](SCORES)
    np.testing.assert_allclose(values, softmax_reference(SCORES), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(values.sum(axis=-1), 1.0, rtol=1e-15)


def test_log_softmax_matches_extended_precision():
    np.testing.assert_allclose(softmax_loss.log_softmax(SCORES), log_softmax_reference(SCORES),
                               rtol=1e-14, atol=1e-12)


def test_dream_objective_is_the_log_softmax_of_the_digit():
    rng = np.random.default_rng(0)
    layer = inside.DenseLayer(rng.normal(size=(784, 5)), rng.normal(size=5), "tanh")
    output = inside.DenseLayer(rng.normal(size=(5, 10)) * 40, rng.normal(size=10), "softmax")
    mlp = inside.Mlp((layer,), output, 1 / 255)
    pixels = rng.uniform(0, 1, 784)
    scores = np.tanh(pixels @ layer.weights + layer.bias) @ output.weights + output.bias
    for digit in range(10):
        assert dream.mlp_objective(mlp, pixels, digit) == pytest.approx(
            float(log_softmax_reference(scores)[digit]), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", ONE_HOTS)
def test_every_one_hot_puts_a_single_one_in_the_labels_cell(name):
    labels = np.array([3, 0, 9, 3])
    rows = np.asarray(ONE_HOTS[name](labels, 10))
    expected = np.zeros((4, 10))
    for row, label in enumerate(labels):
        expected[row, label] = 1.0
    np.testing.assert_array_equal(rows, expected)


SIZES = [(784, 512, 10), (784, 32, 10), (2, 3, 2), (784, 512, 256, 10), (784, 1, 10)]


def parameters_by_hand(sizes) -> int:
    total = 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        total += n_in * n_out + n_out  # one weight per connection, one bias per cell
    return total


@pytest.mark.parametrize("sizes", SIZES)
def test_every_parameter_count_agrees(sizes):
    expected = parameters_by_hand(sizes)
    assert neuron.total_parameters(sizes) == expected
    assert sum(c.total for c in neuron.parameter_counts(sizes)) == expected
    assert descent.count_weights(sizes) == expected
    assert backprop.init_network(sizes).n_parameters == expected
    assert parameters_by_hand((784, 512, 10)) == 407_050

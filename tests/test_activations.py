"""Every activation, softmax, one-hot and parameter count in the package, against independent math.

The references are the textbook formulas evaluated in extended precision (numpy's longdouble,
about 19 digits), so they neither overflow nor round where float64 would; derivatives are checked
against centred nudges. Each copy of a concept the package has ever had is listed, so a copy
written again and written differently fails here.
"""

from __future__ import annotations

import numpy as np
import pytest

from explainer.concepts.lessons import neuron
from explainer.concepts.models import dream, evaluation
from explainer.concepts.nn import activations, dense, parameters, softmax_loss
from explainer.concepts.nn import activations as act
from explainer.concepts.nn.network import Network, init_network
from explainer.training.spec import one_hot as training_one_hot

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


def through_a_dense_layer(name):
    """The activation as the evaluation page applies it: one cell, weight 1, bias 0."""
    return lambda x: evaluation.hidden_activations(np.atleast_1d(x)[:, None], np.ones((1, 1)),
                                                   np.zeros(1), name)[:, 0]


SIGMOIDS = {"activations": act.sigmoid,
            "neuron by name": neuron.CELL_ACTIVATIONS["sigmoid"],
            "softplus slope": act.softplus_derivative,
            "dense layer": through_a_dense_layer("sigmoid")}
RELUS = {"activations": act.relu,
         "neuron by name": neuron.CELL_ACTIVATIONS["ReLU"],
         "dense layer": through_a_dense_layer("relu")}
TANHS = {"activations": act.tanh,
         "gallery by name": neuron.GALLERY["tanh"], "dense layer": through_a_dense_layer("tanh")}
SOFTMAXES = {"activations": act.softmax, "softmax_loss": softmax_loss.softmax}
ONE_HOTS = {"activations": act.one_hot, "softmax_loss": softmax_loss.one_hot,
            "training": training_one_hot}


@pytest.mark.parametrize("name", SIGMOIDS)
def test_every_sigmoid_is_one_over_one_plus_e_to_the_minus_x(name):
    # Merging changed two old copies' values by rounding only: inside's 0.5 (1 + tanh(x / 2))
    # lost every digit below x = -37 (absolute error under 1e-16), and descent's and backprop's
    # exp(-log(1 + e^-x)) were off by up to 4e-15 relative; both pass within those bounds here
    # before the merge (commit "Tests: every copy of sigmoid ...").
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values = as_float(SIGMOIDS[name](GRID))
    np.testing.assert_allclose(values, sigmoid_reference(GRID), rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("name", RELUS)
def test_every_relu_passes_positive_values_and_blocks_negative_ones(name):
    np.testing.assert_array_equal(as_float(RELUS[name](GRID)), relu_reference(GRID))


@pytest.mark.parametrize("name", TANHS)
def test_every_tanh_matches_extended_precision(name):
    np.testing.assert_allclose(as_float(TANHS[name](GRID)), tanh_reference(GRID), rtol=1e-15)


def test_leaky_relu_and_softplus():
    np.testing.assert_array_equal(as_float(activations.leaky_relu(GRID)),
                                  leaky_relu_reference(GRID))
    np.testing.assert_allclose(as_float(act.softplus(GRID)), softplus_reference(GRID),
                               rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("name", list(act.ACTIVATIONS))
def test_every_derivative_matches_the_nudge(name):
    a = act.activation(name)
    np.testing.assert_allclose(a.derivative(SMOOTH), nudge(a.function, SMOOTH),
                               rtol=1e-7, atol=1e-9)
    assert a(SMOOTH) == pytest.approx(a.function(SMOOTH))


def test_the_derivatives_backprop_and_dream_used_are_the_ones_here():
    s = act.sigmoid(SMOOTH)
    np.testing.assert_allclose(act.sigmoid_derivative(SMOOTH), s * (1 - s), rtol=1e-15)
    np.testing.assert_allclose(act.tanh_derivative(SMOOTH), 1 - np.tanh(SMOOTH) ** 2, rtol=1e-15)
    np.testing.assert_array_equal(act.relu_derivative([-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(act.identity_derivative(SMOOTH), np.ones_like(SMOOTH))


def test_an_unknown_activation_is_named_in_the_error():
    with pytest.raises(ValueError, match="unknown activation 'swish'.*relu"):
        act.activation("swish")


SCORES = np.array([[1.0, 2.0, 3.0], [1000.0, 999.0, -1000.0], [-5.0, -5.0, -5.0],
                   [0.0, 700.0, 710.0], [-1000.0, 0.0, 1000.0]])


@pytest.mark.parametrize("name", SOFTMAXES)
def test_every_softmax_matches_the_naive_formula_in_extended_precision(name):
    values = SOFTMAXES[name](SCORES)
    np.testing.assert_allclose(values, softmax_reference(SCORES), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(values.sum(axis=-1), 1.0, rtol=1e-15)


def test_log_softmax_matches_extended_precision():
    np.testing.assert_allclose(act.log_softmax(SCORES), log_softmax_reference(SCORES),
                               rtol=1e-14, atol=1e-12)


def test_dream_objective_is_the_log_softmax_of_the_digit():
    rng = np.random.default_rng(0)
    weights, biases = [rng.normal(size=(784, 5)), rng.normal(size=(5, 10)) * 40], \
        [rng.normal(size=5), rng.normal(size=10)]
    net = Network(weights, biases, "tanh", input_scale=1 / 255)
    pixels = rng.uniform(0, 1, 784)
    scores = np.tanh(pixels @ weights[0] + biases[0]) @ weights[1] + biases[1]
    for digit in range(10):
        objective, _ = dream.mlp_gradient(net, pixels, digit)
        assert objective == pytest.approx(float(log_softmax_reference(scores)[digit]),
                                          rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", ONE_HOTS)
def test_every_one_hot_puts_a_single_one_in_the_labels_cell(name):
    labels = np.array([3, 0, 9, 3])
    rows = np.asarray(ONE_HOTS[name](labels))
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
    assert parameters.total_parameters(sizes) == expected
    assert sum(c.total for c in parameters.parameter_counts(sizes)) == expected
    assert parameters.total_parameters(sizes) == expected
    assert init_network(sizes).n_parameters == expected
    assert parameters_by_hand((784, 512, 10)) == 407_050


def test_a_dense_layer_is_activation_of_x_times_weights_plus_bias():
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    by_hand = np.array([[np.tanh(sum(x[n, i] * w[i, j] for i in range(3)) + b[j])
                         for j in range(2)] for n in range(4)])
    np.testing.assert_allclose(dense.dense(x, w, b, "tanh"), by_hand, rtol=1e-14)
    np.testing.assert_allclose(dense.weighted_sums(x, w, b), np.arctanh(by_hand), rtol=1e-12)


def test_the_forward_pass_keeps_every_layer_and_ends_in_softmax():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(5, 4))
    weights = [rng.normal(size=(4, 3)), rng.normal(size=(3, 2))]
    biases = [rng.normal(size=3), rng.normal(size=2)]
    z, a = dense.forward_layers(x, weights, biases, "relu")
    assert z[0] is None and np.array_equal(a[0], x)
    hidden = np.maximum(x @ weights[0] + biases[0], 0)
    np.testing.assert_allclose(a[1], hidden, rtol=1e-15)
    np.testing.assert_allclose(a[2], softmax_reference(hidden @ weights[1] + biases[1]), rtol=1e-14)
    np.testing.assert_array_equal(dense.scores(x, weights, biases, "relu"), z[2])

"""Backprop gradients against centred nudges and against TensorFlow's autodiff."""

from __future__ import annotations

import numpy as np
import pytest

from explainer.concepts.lessons import backprop as bp
from explainer.concepts.nn import backward_pass, gradient_check, network
from explainer.concepts.nn.optimizers import Adam, GradientDescent, RMSprop
from explainer.data.mnist import load_sample

SHAPES = [(2, 3, 2), (4, 5, 3), (3, 4, 4, 2), (6, 2, 5)]
ACTIVATIONS = list(network.HIDDEN_ACTIVATIONS)


def random_case(sizes, activation, loss, seed, batch=5):
    rng = np.random.default_rng(seed)
    net = network.init_network(sizes, activation, loss, seed=seed, bias_scale=0.5)
    x = rng.normal(size=(batch, sizes[0]))
    labels = rng.integers(0, sizes[-1], batch)
    return net, x, labels


@pytest.mark.parametrize("sizes", SHAPES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", list(network.LOSS_LABELS))
def test_backprop_matches_centred_nudges(sizes, activation, loss):
    for seed in range(3):
        net, x, labels = random_case(sizes, activation, loss, seed)
        exact = gradient_check.flatten(backward_pass.gradients(net, x, labels))
        nudged = gradient_check.nudge_gradients(net, x, labels, h=1e-5)
        assert exact.shape == (net.n_parameters,)
        np.testing.assert_allclose(exact, nudged, rtol=1e-6, atol=1e-9)
        assert np.any(np.abs(exact) > 1e-3)  # the check is not all zeros


def test_cross_entropy_output_delta_is_p_minus_y():
    net, x, labels = random_case((3, 4, 5), "tanh", "cross_entropy", 0, batch=1)
    fp = network.forward(net, x, labels)
    back = backward_pass.backward(net, fp, labels)
    y = np.eye(5)[labels]
    assert back.dloss_dz[-1] == pytest.approx(fp.probabilities - y)
    # the chain rule's pieces multiply as written on the page
    assert back.dloss_dz[1] == pytest.approx(back.dloss_da[1] * back.slopes[1])
    assert back.weight_grads[0] == pytest.approx(x.T @ back.dloss_dz[1])
    assert fp.probabilities.sum() == pytest.approx(1.0)
    assert fp.loss == pytest.approx(-np.log(fp.probabilities[0, labels[0]]))


def test_forward_pass_by_hand():
    net = network.Network([np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([[1.0], [-1.0]])],
                     [np.array([0.0, 0.5]), np.array([0.0])], "relu")
    fp = network.forward(net, np.array([[1.0, 1.0]]), [0])
    assert fp.z[1].tolist() == [[3.0, 0.0]]
    assert fp.a[1].tolist() == [[3.0, 0.0]]
    assert fp.probabilities.tolist() == [[1.0]]
    assert fp.loss == 0.0


def test_names_and_gradient_check_rows_of_the_tiny_network():
    net = network.init_network((2, 3, 2), "sigmoid", seed=4, bias_scale=0.5, decimals=2)
    assert net.n_parameters == 17
    flat = gradient_check.flatten(net.parameters())
    assert np.all(np.round(flat, 2) == flat)
    names = network.parameter_names(net)
    assert names[:2] == ["w x1→h1", "w x1→h2"] and names[-1] == "b o2" and len(names) == 17
    rows = gradient_check.gradient_check_rows(net, np.array([[0.5, -1.0]]), [1])
    assert all(r["matching digits"] >= 6 for r in rows)
    assert gradient_check.matching_digits(2.0, 2.0000004) == 6
    assert gradient_check.matching_digits(3.0, 3.0) == 16
    assert network.cell_names((2, 3, 3, 1))[1] == ["h1_1", "h1_2", "h1_3"]


def test_training_lowers_the_loss_with_every_optimizer():
    net, x, labels = random_case((2, 3, 2), "sigmoid", "cross_entropy", 1, batch=1)
    for optimizer in (GradientDescent(0.5), RMSprop(0.05), Adam(0.05)):
        trained, history = bp.train(net, x, labels, optimizer, 50)
        assert len(history) == 50
        assert network.loss(trained, x, labels) < 0.3 * history[0]
    exploded, history = bp.train(net, x, labels, GradientDescent(1e308), 20)
    assert len(history) < 20 and np.all(np.isfinite(gradient_check.flatten(exploded.parameters())))


def test_training_on_sample_digits_in_minibatches():
    data = load_sample()
    x, y = network.digit_inputs(data.x_train[:1000]), data.y_train[:1000]
    net = network.init_network((784, 16, 10), "relu", seed=0)
    before = network.loss(net, x, y)
    trained, _ = bp.train(net, x, y, RMSprop(0.002), 60, batch_size=64)
    assert network.loss(trained, x, y) < 0.5 * before


def test_timing_nudges_a_sample_and_agrees_with_backprop():
    data = load_sample()
    net = network.init_network((784, 32, 10), "relu", seed=0)
    x, y = network.digit_inputs(data.x_train[:16]), data.y_train[:16]
    seen = []
    timing = gradient_check.time_gradients(net, x, y, n_nudged=40, progress=seen.append)
    assert timing.n_parameters == 25_450 and timing.forward_passes == 50_900
    assert timing.overall_relative_difference < 1e-6
    assert timing.median_matching_digits >= 6
    assert seen[-1] == 1.0
    assert timing.nudge_all_seconds == pytest.approx(
        timing.nudge_seconds * 25_450 / 40)
    with pytest.raises(ValueError):
        gradient_check.nudge_gradients(net, x, y, h=0.0)


def test_backprop_matches_tensorflow_autodiff():
    """The same weights in a float64 Keras model; TensorFlow's GradientTape gives the slopes."""
    import keras
    import tensorflow as tf

    for sizes, activation, loss, seed in [((2, 3, 2), "relu", "cross_entropy", 0),
                                          ((4, 5, 3), "sigmoid", "squared_error", 1),
                                          ((3, 4, 4, 2), "tanh", "cross_entropy", 2),
                                          ((5, 6, 4), "tanh", "squared_error", 3)]:
        net, x, labels = random_case(sizes, activation, loss, seed, batch=4)
        layers = [keras.Input((sizes[0],), dtype="float64")]
        for i, n in enumerate(sizes[1:]):
            last = i == len(sizes) - 2
            layers.append(keras.layers.Dense(n, activation="softmax" if last else activation,
                                             dtype="float64"))
        model = keras.Sequential(layers)
        model.set_weights(net.parameters())
        y = tf.constant(np.eye(sizes[-1])[labels])
        with tf.GradientTape() as tape:
            p = model(tf.constant(x), training=False)
            if loss == "cross_entropy":
                value = tf.reduce_mean(-tf.reduce_sum(y * tf.math.log(p), axis=-1))
            else:
                value = tf.reduce_mean(tf.reduce_sum((p - y) ** 2, axis=-1))
        expected = [g.numpy() for g in tape.gradient(value, model.trainable_variables)]
        assert float(value) == pytest.approx(network.loss(net, x, labels), rel=1e-12)
        for ours, theirs in zip(backward_pass.gradients(net, x, labels), expected):
            np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)

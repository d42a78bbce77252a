"""Inside the network: the numpy forward pass against Keras, pushes that add up, honest readings."""

from __future__ import annotations

import numpy as np
import pytest
from draw_support import keras_trained_on_sample, on_canvas, strokes, trained_on_sample

from explainer.concepts.inputs.preprocess import mnist_steps
from explainer.concepts.models import inside
from explainer.concepts.models.reading import CONFIDENT, Reader, Reading, looks_like_a_blob
from explainer.data.mnist import load_sample
from explainer.training.keras_fit import build_model
from explainer.training.spec import PRESETS, prepare_inputs
from explainer.training.trained import TrainedModel


@pytest.fixture(scope="module")
def trained():
    return trained_on_sample()


@pytest.fixture(scope="module")
def mlp(trained):
    return Reader.of(trained).mlp


def test_numpy_forward_pass_matches_keras(trained, mlp):
    digits = load_sample().x_test[:64]
    keras_model, _ = keras_trained_on_sample()
    expected = keras_model.predict_on_batch(prepare_inputs(digits, trained.config))
    run = inside.forward(mlp, digits)
    assert run.probabilities.shape == (64, 10)
    np.testing.assert_allclose(run.probabilities, expected, atol=2e-5)
    assert run.hidden[0].shape == (64, 512) and run.hidden[0].min() == 0  # ReLU
    np.testing.assert_allclose(run.probabilities.sum(axis=1), 1.0, rtol=1e-6)  # float32


def test_a_dropout_mlp_with_two_hidden_layers_is_read_too():
    config = PRESETS["better-mlp"]
    model = build_model(config)  # untrained is enough: the arithmetic must agree
    net = Reader.of(TrainedModel(model.get_weights(), config)).mlp
    assert net.sizes == (784, 512, 512, 10) and len(net.hidden) == 2
    assert net.hidden[0].weights.dtype == np.float32  # kept as float32: half the memory
    digits = load_sample().x_test[:8]
    run = inside.forward(net, digits)
    assert run.probabilities.dtype == np.float32 and len(run.hidden) == 2
    np.testing.assert_allclose(run.probabilities,
                               model.predict_on_batch(prepare_inputs(digits, config)), atol=2e-5)
    assert inside.cell_template(net, 0) is None  # second-layer cells read cells, not pixels


def test_the_pushes_add_up_to_the_score(trained, mlp):
    run = inside.forward(mlp, load_sample().x_test[:3])
    for index in range(3):
        for digit in range(10):
            total = inside.pushes(mlp, run, digit, index).sum() + mlp.output.bias[digit]
            assert total == pytest.approx(run.scores[index, digit], abs=1e-4)  # float32


def test_strongest_pushes_are_the_largest_positive_ones(trained, mlp):
    run = inside.forward(mlp, load_sample().x_test[0])
    digit = int(run.probabilities[0].argmax())
    strongest = inside.strongest_pushes(mlp, run, digit, count=6)
    amounts = inside.pushes(mlp, run, digit)
    assert [p.amount for p in strongest] == pytest.approx(sorted(amounts, reverse=True)[:6])
    assert all(p.amount > 0 for p in strongest)
    first = strongest[0]
    assert first.activation == pytest.approx(run.hidden[0][0, first.cell])
    assert first.weight == pytest.approx(mlp.output.weights[first.cell, digit])
    np.testing.assert_array_equal(inside.cell_template(mlp, first.cell),
                                  mlp.hidden[0].weights[:, first.cell].reshape(28, 28))


def test_softmax_survives_huge_scores():
    from explainer.concepts.nn.activations import softmax

    probabilities = softmax(np.array([1000.0, 999.0, -1000.0]))
    assert np.isfinite(probabilities).all()
    assert probabilities == pytest.approx([1 / (1 + np.e**-1), 1 / (1 + np.e), 0.0])


def test_a_cnn_reads_through_the_numpy_convnet_and_has_no_inside_view():
    pytest.importorskip("explainer.concepts.models.convnet")
    model = build_model(PRESETS["cnn"])
    network = Reader.of(TrainedModel(model.get_weights(), PRESETS["cnn"]))
    assert network.mlp is None
    digits = load_sample().x_test[:100]
    reading = network.read(digits[0])
    assert reading.inside is None
    assert reading.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(network.read_many(digits),
                               model.predict_on_batch(prepare_inputs(digits, PRESETS["cnn"])),
                               atol=1e-5)


def test_drawn_digits_are_read_with_confidence(trained):
    network = Reader.of(trained)
    sample = load_sample()
    right = 0
    for digit, label in zip(sample.x_test[:20], sample.y_test[:20]):
        steps = mnist_steps(on_canvas(digit, 0.6, 20, 90))
        reading = network.read(steps.digit, steps)
        right += reading.digit == label
        assert not reading.blob
    assert right >= 17


def test_a_dot_is_an_honest_not_sure():
    network = Reader.of(trained_on_sample())
    for radius in (3, 12, 40):
        yy, xx = np.mgrid[:280, :280]
        dot = (((yy - 140) ** 2 + (xx - 90) ** 2) < radius**2).astype(np.uint8) * 255
        steps = mnist_steps(dot)
        reading = network.read(steps.digit, steps)
        assert reading.blob and not reading.sure


def test_hardly_any_real_digit_counts_as_a_blob():
    sample = load_sample()
    flagged = [looks_like_a_blob(mnist_steps(on_canvas(d))) for d in sample.x_test[::3]]
    assert np.mean(flagged) < 0.01


def test_a_dense_scribble_counts_as_a_blob():
    zigzag = [(40 + 200 * (i % 2), 40 + 10 * i) for i in range(21)]
    steps = mnist_steps(strokes([zigzag], width=30))
    assert looks_like_a_blob(steps)


def test_sure_means_above_the_threshold_and_not_a_blob():
    below = np.full(10, (1 - (CONFIDENT - 0.01)) / 9)
    below[3] = CONFIDENT - 0.01
    assert not Reading(below).sure and Reading(below).digit == 3
    above = np.full(10, (1 - 0.9) / 9)
    above[7] = 0.9
    assert Reading(above).sure
    assert not Reading(above, blob=True).sure

"""One cell, a layer, activations and parameter counts, on known values."""

import numpy as np
import pytest

from explainer.concepts.lessons import neuron
from explainer.concepts.nn import activations, parameters


def test_worked_example_gives_0_827():
    result = neuron.cell(neuron.EXAMPLE_INPUTS, neuron.EXAMPLE_WEIGHTS)
    assert result.total == pytest.approx(0.827)
    assert result.output == pytest.approx(0.827)
    lines = result.lines()
    assert "1 × 0.612 + 1 × 0.215" in lines[0]
    assert lines[1].endswith("= 0.827")


def test_bias_is_a_threshold_for_relu():
    # with bias -t the cell passes a positive value only once the weighted sum exceeds t
    below = neuron.cell([1, 1], [0.612, 0.215], bias=-1.0, activation="ReLU")
    assert below.threshold == 1.0
    assert below.pre_activation == pytest.approx(-0.173)
    assert below.output == 0.0
    above = neuron.cell([2, 2], [0.612, 0.215], bias=-1.0, activation="ReLU")
    assert above.output == pytest.approx(2 * 0.827 - 1.0)
    assert "max(0, -0.173) = 0" in below.lines()[-1]


def test_activations_on_known_values():
    assert activations.relu(-3) == 0
    assert activations.relu(2.5) == 2.5
    assert activations.sigmoid(0.0) == pytest.approx(0.5)
    assert activations.sigmoid(2.0) == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert activations.leaky_relu(-2.0) == pytest.approx(-0.2)
    assert activations.tanh(1.0) == pytest.approx(np.tanh(1.0))
    # extreme sums: no overflow, no NaN
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert activations.sigmoid(-1000.0) == 0.0
        assert activations.sigmoid(1000.0) == 1.0
    with pytest.raises(ValueError):
        neuron.activate("softplus", 1.0)


def test_layer_is_one_matrix_product_of_cells():
    inputs = [0.3, -1.2]
    weights = np.array(neuron.EXAMPLE_LAYER_WEIGHTS)
    biases = neuron.EXAMPLE_LAYER_BIASES
    values = neuron.layer(inputs, weights, biases, "sigmoid")
    for j in range(len(weights)):
        assert values[j] == pytest.approx(neuron.cell(inputs, weights[j], biases[j],
                                                      "sigmoid").output)


def test_mismatched_inputs_and_weights_are_refused():
    with pytest.raises(ValueError):
        neuron.weighted_sum([1, 2, 3], [1, 2])


def test_parameter_table_of_784_512_10():
    hidden, output = parameters.parameter_counts([784, 512, 10])
    assert (hidden.weights, hidden.biases, hidden.total) == (401_408, 512, 401_920)
    assert (output.weights, output.biases, output.total) == (5_120, 10, 5_130)
    assert parameters.total_parameters([784, 512, 10]) == 407_050


def test_parameter_counts_follow_the_sizes():
    assert parameters.total_parameters([784, 1, 10]) == 784 + 1 + 10 + 10
    assert parameters.total_parameters([784, 2048, 10]) == 784 * 2048 + 2048 + 2048 * 10 + 10
    two = parameters.parameter_counts([784, 512, 256, 10])
    assert [c.name.split(" (")[0] for c in two] == ["Hidden 1", "Hidden 2", "Output"]
    assert sum(c.total for c in two) == 401_920 + 512 * 256 + 256 + 2_570
    with pytest.raises(ValueError):
        parameters.parameter_counts([784, 0, 10])


def test_short_numbers():
    assert neuron.short_number(0.827) == "0.827"
    assert neuron.short_number(-0.0) == "0"
    assert neuron.short_number(1.0) == "1"

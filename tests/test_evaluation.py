"""Accuracy, confusion matrix, worst mistakes and hidden-cell helpers on hand-made examples."""

import numpy as np
import pytest

from explainer.concepts.models import evaluation as ev
from explainer.data.mnist import load_sample

# Six digits: labels and the probabilities a network gave them (rows sum to 1).
LABELS = np.array([0, 1, 2, 2, 1, 0])
PROBS = np.full((6, 10), 0.0)
PROBS[0, 0] = 1.0          # right, sure
PROBS[1, [1, 7]] = 0.6, 0.4  # right
PROBS[2, [2, 3]] = 0.3, 0.7  # wrong: 2 read as 3, 0.3 left for the truth
PROBS[3, [2, 3]] = 0.05, 0.95  # wrong: 2 read as 3, surest mistake
PROBS[4, [1, 7]] = 0.2, 0.8  # wrong: 1 read as 7
PROBS[5, 0] = 1.0          # right


def test_predictions_and_accuracy():
    assert ev.predictions(PROBS).tolist() == [0, 1, 3, 3, 7, 0]
    assert ev.accuracy(PROBS, LABELS) == pytest.approx(3 / 6)


def test_confusion_matrix_counts_every_digit_once():
    matrix = ev.confusion_matrix(LABELS, ev.predictions(PROBS))
    assert matrix.sum() == 6
    assert matrix[0, 0] == 2 and matrix[1, 1] == 1 and matrix[2, 3] == 2 and matrix[1, 7] == 1
    per_class = ev.accuracy_per_class(matrix)
    assert per_class[0] == 1.0 and per_class[1] == 0.5 and per_class[2] == 0.0
    assert np.isnan(per_class[5])  # no digit 5 at all


def test_cell_indices_and_worst_mistakes():
    predicted = ev.predictions(PROBS)
    assert ev.cell_indices(LABELS, predicted, 2, 3).tolist() == [2, 3]
    assert ev.cell_indices(LABELS, predicted, 0, 0).tolist() == [0, 5]
    # surest mistakes first: 0.05 left for the truth, then 0.2, then 0.3
    assert ev.worst_mistakes(PROBS, LABELS, 10).tolist() == [3, 4, 2]
    assert ev.worst_mistakes(PROBS, LABELS, 1).tolist() == [3]


def test_spread_and_median_index():
    spread = ev.Spread((0.9712, 0.9795, 0.9767))
    assert spread.low == 0.9712 and spread.high == 0.9795
    assert spread.median == pytest.approx(0.9767)
    assert spread.std == pytest.approx(np.std([0.9712, 0.9795, 0.9767], ddof=1))
    assert ev.median_index([0.9712, 0.9795, 0.9767]) == 2
    assert ev.median_index([0.5]) == 0


def test_data_helpers_on_the_sample():
    data = load_sample()
    counts = ev.class_counts(data.y_train)
    assert counts.sum() == len(data.y_train) and len(counts) == 10
    hist, edges = ev.pixel_histogram(data.x_train, bins=32)
    assert hist.sum() == data.x_train.size and edges[0] == 0 and edges[-1] == 256
    assert hist[0] > hist[1:].sum()  # most pixels are background
    picks = ev.examples_per_class(data.y_train, 5)
    assert picks.shape == (10, 5)
    assert (data.y_train[picks] == np.arange(10)[:, None]).all()


def test_hidden_activations_match_the_definition():
    rng = np.random.default_rng(1)
    x, w, b = rng.normal(size=(4, 6)), rng.normal(size=(6, 3)), rng.normal(size=3)
    z = x @ w + b
    assert np.allclose(ev.hidden_activations(x, w, b, "relu"), np.maximum(z, 0))
    assert np.allclose(ev.hidden_activations(x, w, b, "sigmoid"), 1 / (1 + np.exp(-z)))
    assert np.allclose(ev.hidden_activations(x, w, b, "tanh"), np.tanh(z))
    with pytest.raises(ValueError):
        ev.hidden_activations(x, w, b, "swish")


def test_favourite_cells_find_the_cell_that_fires_for_each_digit():
    labels = np.repeat(np.arange(10), 5)
    activations = np.zeros((50, 12))
    for digit in range(10):  # cell digit+2 fires only for that digit
        activations[labels == digit, digit + 2] = 1.0 + digit
    activations[:, 0] = 5.0  # fires for everything: selective for nothing
    assert ev.favourite_cells(activations, labels).tolist() == list(range(2, 12))


def test_templates_are_the_incoming_weights_as_images():
    weights = np.arange(784 * 3, dtype=float).reshape(784, 3)
    images = ev.templates(weights, [2, 0])
    assert images.shape == (2, 28, 28)
    assert images[0, 0, 1] == weights[1, 2] and images[1, 27, 27] == weights[783, 0]
    assert ev.templates(weights, []).shape == (0, 28, 28)

"""What a trained network got right and wrong, from its test probabilities (numpy only).

The network's answer for a digit is the class with the highest probability. Comparing answers
with the true labels gives the accuracy, the accuracy per class, and the confusion matrix: row =
true digit, column = the network's answer, so the diagonal holds the correct answers and every
other cell a kind of mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from explainer.concepts.nn.dense import dense

WALKTHROUGH_ACCURACY = 0.9786  # the test accuracy the walk-through reports for its network


def predictions(probabilities: np.ndarray) -> np.ndarray:
    """The network's answer per digit: the index of its highest probability."""
    return np.asarray(probabilities).argmax(axis=1)


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The fraction of digits whose answer equals the label."""
    return float((predictions(probabilities) == np.asarray(labels)).mean())


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, classes: int = 10) -> np.ndarray:
    """Counts (classes, classes): cell [t, p] = digits with true label t answered as p."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(labels, dtype=int), np.asarray(predicted, dtype=int)), 1)
    return matrix


def accuracy_per_class(matrix: np.ndarray) -> np.ndarray:
    """For each true digit, the fraction answered correctly (NaN for a class with no digits)."""
    totals = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(matrix) / np.maximum(totals, 1), np.nan)


def cell_indices(labels: np.ndarray, predicted: np.ndarray, true: int, answer: int) -> np.ndarray:
    """Indices of the test digits in one confusion-matrix cell, in test-set order."""
    return np.flatnonzero((np.asarray(labels) == true) & (np.asarray(predicted) == answer))


def worst_mistakes(probabilities: np.ndarray, labels: np.ndarray, count: int = 12) -> np.ndarray:
    """The wrong answers the network was surest of: lowest probability left for the true digit."""
    probabilities = np.asarray(probabilities)
    labels = np.asarray(labels, dtype=int)
    wrong = np.flatnonzero(predictions(probabilities) != labels)
    true_probability = probabilities[wrong, labels[wrong]]
    return wrong[np.argsort(true_probability, kind="stable")[:count]]


@dataclass(frozen=True)
class Spread:
    """Test accuracies of the same recipe trained with different seeds."""

    values: tuple[float, ...]

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    @property
    def median(self) -> float:
        return float(np.median(self.values))

    @property
    def std(self) -> float:
        return float(np.std(self.values, ddof=1)) if len(self.values) > 1 else 0.0

    def __repr__(self) -> str:
        return f"Spread({self.low:.4f}-{self.high:.4f}, median {self.median:.4f})"


def median_index(values: list[float]) -> int:
    """The index of the median value (the lower middle for an even count)."""
    order = np.argsort(values, kind="stable")
    return int(order[(len(values) - 1) // 2])


# -- the data ---------------------------------------------------------------------------------


def class_counts(labels: np.ndarray, classes: int = 10) -> np.ndarray:
    """How many digits of each class."""
    return np.bincount(np.asarray(labels, dtype=int), minlength=classes)


def pixel_histogram(images: np.ndarray, bins: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Counts of pixel values in ``bins`` equal ranges of 0-255, and the range edges."""
    counts, edges = np.histogram(np.asarray(images).ravel(), bins=bins, range=(0, 256))
    return counts, edges


def examples_per_class(labels: np.ndarray, per_class: int, seed: int = 0) -> np.ndarray:
    """(10, per_class) indices: a few random digits of each class (fewer columns if scarce)."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    rows = [rng.permutation(np.flatnonzero(labels == digit)) for digit in range(10)]
    width = min(per_class, *(len(row) for row in rows))
    return np.stack([row[:width] for row in rows])


# -- what hidden cells learned ----------------------------------------------------------------


def hidden_activations(inputs: np.ndarray, weights: np.ndarray, biases: np.ndarray,
                       activation: str) -> np.ndarray:
    """The first hidden layer's outputs: activation(inputs @ weights + biases), in float64."""
    return dense(inputs, weights, biases, activation)


def favourite_cells(activations: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """For each digit 0-9, the hidden cell most selective for it.

    Selectivity = the cell's mean output on that digit minus its mean output on the other digits,
    divided by its overall spread: a cell that fires for 3s and stays quiet for the rest.
    """
    labels = np.asarray(labels)
    spread = activations.std(axis=0) + 1e-9
    chosen = []
    for digit in range(10):
        mine = labels == digit
        if not mine.any() or mine.all():
            chosen.append(-1)
            continue
        score = (activations[mine].mean(axis=0) - activations[~mine].mean(axis=0)) / spread
        chosen.append(int(score.argmax()))
    return np.array(chosen)


def templates(weights: np.ndarray, cells: list[int] | np.ndarray) -> np.ndarray:
    """The incoming weights of the chosen hidden cells as 28 x 28 images: (len(cells), 28, 28)."""
    weights = np.asarray(weights)
    return np.stack([weights[:, cell].reshape(28, 28) for cell in cells]) if len(cells) else \
        np.zeros((0, 28, 28))


def picked_cell(event, curve: int = 1, classes: int = 10) -> tuple[int, int] | None:
    """The (true digit, answer) of a click on the confusion matrix's cells, or None.

    The click arrives from the browser as a plotly selection, ``{"selection": {"points":
    [{"curve_number": 1, "x": answer, "y": true digit, ...}]}}``. A browser can send anything
    there, so only whole numbers 0 to classes - 1 on the cells' trace are taken; anything else
    counts as no click.
    """
    selection = event.get("selection") if isinstance(event, Mapping) else None
    points = selection.get("points") if isinstance(selection, Mapping) else None
    if not isinstance(points, list):
        return None
    for point in points:
        if not isinstance(point, Mapping) or point.get("curve_number") != curve:
            continue
        cell = (_class_number(point.get("y"), classes), _class_number(point.get("x"), classes))
        if None not in cell:
            return cell  # type: ignore[return-value]
    return None


def _class_number(value, classes: int) -> int | None:
    """``value`` as a class 0 to classes - 1 if it is one (1 or 1.0; not True, "1" or 1.5)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 <= value < classes or value != round(value):  # NaN fails the first test
        return None
    return int(value)

"""From 10 raw scores to probabilities, and from probabilities to one number: how wrong.

softmax: p_i = exp(z_i) / sum_j exp(z_j). Subtracting the largest score first changes nothing
(the factor exp(-max) cancels) and keeps every exp() at most 1, so scores of 1000 or 10,000 stay
finite where a naive exp(1000) overflows to inf and inf / inf gives NaN.

Loss of one example: how far its 10 probabilities are from the correct answer, the one-hot row
(1 in the right cell, 0 elsewhere). Cost: the mean loss over many examples.
"""

from __future__ import annotations

import numpy as np

from explainer.concepts.nn.activations import (  # noqa: F401  (the pages read them here)
    N_CLASSES,
    log_softmax,
    one_hot,
    softmax,
)

EPSILON = 1e-7  # what Keras clips probabilities to before taking a log


def naive_softmax(scores: np.ndarray) -> np.ndarray:
    """The textbook formula without the shift: overflows (inf / inf = NaN) for scores near 710."""
    z = np.asarray(scores, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / np.sum(e, axis=-1, keepdims=True)


def squared_error_terms(probabilities: np.ndarray, target: np.ndarray) -> np.ndarray:
    """(p_i - y_i)^2 cell by cell: the pieces of the squared-error loss."""
    p = np.asarray(probabilities, dtype=np.float64)
    return (p - np.asarray(target, dtype=np.float64)) ** 2


def squared_error(probabilities: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Sum of the squared differences over the cells (last axis). Keras' mean_squared_error is
    this divided by the number of cells."""
    return np.sum(squared_error_terms(probabilities, target), axis=-1)


def cross_entropy(probabilities: np.ndarray, target: np.ndarray) -> np.ndarray:
    """-sum_i y_i log p_i over the last axis: with a one-hot y, minus the log of the right cell's
    probability. Probabilities are clipped to [1e-7, 1] as Keras does, so a 0 gives 16.1, not inf.
    """
    p = np.clip(np.asarray(probabilities, dtype=np.float64), EPSILON, 1.0)
    return -np.sum(np.asarray(target, dtype=np.float64) * np.log(p), axis=-1) + 0.0


def cross_entropy_from_scores(scores: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Cross-entropy straight from the raw scores (log-softmax): exact even for huge scores."""
    # + 0.0 turns the -0.0 of a perfect answer into 0.0
    return -np.sum(np.asarray(target, dtype=np.float64) * log_softmax(scores), axis=-1) + 0.0


def cost(losses) -> float:
    """The mean loss over the examples: the single number training drives down."""
    losses = np.asarray(losses, dtype=np.float64)
    if losses.size == 0:
        raise ValueError("the cost of no examples is undefined")
    return float(np.mean(losses))


def losses_vs_correct_probability(p_correct: np.ndarray, n_classes: int = N_CLASSES):
    """Both losses as the right cell's probability p rises, the rest shared evenly by the others.

    Squared error: (1 - p)^2 + (n - 1) * ((1 - p) / (n - 1))^2.  Cross-entropy: -log p.
    """
    p = np.asarray(p_correct, dtype=np.float64)
    rest = (1.0 - p) / (n_classes - 1)
    squared = (1.0 - p) ** 2 + (n_classes - 1) * rest**2
    return squared, -np.log(np.clip(p, EPSILON, 1.0))


def batch_losses(scores: np.ndarray, labels) -> dict[str, np.ndarray]:
    """Per example of a batch: probabilities, predicted digit, p(correct) and both losses."""
    probabilities = softmax(scores)
    labels = np.asarray(labels, dtype=int)
    target = one_hot(labels, probabilities.shape[-1])
    return {
        "probabilities": probabilities,
        "predicted": np.argmax(probabilities, axis=-1),
        "p_correct": probabilities[np.arange(len(labels)), labels],
        "squared_error": squared_error(probabilities, target),
        "cross_entropy": cross_entropy_from_scores(scores, target),
    }

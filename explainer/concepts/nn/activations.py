"""Activations: what a cell does to its weighted sum, each written once with its slope.

A cell adds up its weighted inputs and its bias, then passes that sum z through an activation.
Without one, layers stacked on layers stay one straight line; with one, they can bend. Backprop
needs each activation's slope (derivative) at z, so every activation here comes with it.

Softmax turns a layer's raw scores into probabilities, log-softmax gives their logarithms without
rounding a tiny probability to 0 first, and one-hot writes the right answer as a row of 0s and 1.
Names follow Keras ("relu", "sigmoid", "tanh", "linear", ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.1  # how much of a negative sum leaky ReLU lets through
N_CLASSES = 10  # the digits 0-9


def _floats(z) -> np.ndarray:
    return np.asarray(z, dtype=np.float64)


def identity(z):
    """No activation ("linear"): the sum passes unchanged."""
    return _floats(z)


def identity_derivative(z):
    return np.ones_like(_floats(z))


def relu(z):
    """max(0, z): pass positive sums, block negative ones."""
    return np.maximum(0.0, z)


def relu_derivative(z):
    """1 where the sum is positive, 0 elsewhere (0 at the kink itself, as Keras does)."""
    return (_floats(z) > 0).astype(np.float64)


def leaky_relu(z, slope: float = LEAKY_SLOPE):
    """Like ReLU, but negative sums leak through, multiplied by a small slope."""
    z = _floats(z)
    return np.where(z > 0, z, slope * z)


def leaky_relu_derivative(z, slope: float = LEAKY_SLOPE):
    return np.where(_floats(z) > 0, 1.0, slope)


def sigmoid(z):
    """1 / (1 + e^-z): squash any sum into (0, 1). Written so that it never overflows."""
    z = _floats(z)
    e = np.exp(-np.abs(z))  # at most 1
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z):
    """sigmoid(z) (1 - sigmoid(z)): largest (1/4) at 0, almost 0 far from it."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Squash any sum into (-1, 1), centred on 0."""
    return np.tanh(_floats(z))


def tanh_derivative(z):
    return 1.0 - np.tanh(_floats(z)) ** 2


def softplus(z):
    """log(1 + e^z): a smooth ReLU, without overflow."""
    return np.logaddexp(0.0, _floats(z))


def softplus_derivative(z):
    """The slope of softplus is the sigmoid."""
    return sigmoid(z)


@dataclass(frozen=True)
class Activation:
    """One activation: its Keras name, the function, its derivative, and the formula in words."""

    name: str
    function: Callable
    derivative: Callable
    formula: str

    def __call__(self, z):
        return self.function(z)

    def __repr__(self) -> str:
        return f"Activation({self.name}: {self.formula})"


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation("linear", identity, identity_derivative, "f(z) = z"),
    Activation("relu", relu, relu_derivative, "f(z) = max(0, z)"),
    Activation("leaky_relu", leaky_relu, leaky_relu_derivative,
               f"f(z) = z if z > 0 else {LEAKY_SLOPE} z"),
    Activation("sigmoid", sigmoid, sigmoid_derivative, "f(z) = 1 / (1 + e^-z)"),
    Activation("tanh", tanh, tanh_derivative, "f(z) = tanh(z)"),
    Activation("softplus", softplus, softplus_derivative, "f(z) = log(1 + e^z)"),
)}


def activation(name: str) -> Activation:
    """The activation called ``name``; a clear error naming the choices for any other name."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


# ---- from scores to probabilities ---------------------------------------------------------------

def softmax(scores) -> np.ndarray:
    """Probabilities from raw scores along the last axis; finite for any finite scores.

    exp(z_i) / sum_j exp(z_j), with the largest score subtracted first: the factor exp(-max)
    cancels, and every exp() stays at most 1, so scores of 1000 do not overflow.
    """
    z = _floats(scores)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(scores) -> np.ndarray:
    """log(softmax(z)) computed without ever taking the log of a rounded-to-zero probability."""
    z = _floats(scores)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def one_hot(labels, n_classes: int = N_CLASSES) -> np.ndarray:
    """The correct answer as a row: 1 in the label's cell, 0 in the others."""
    labels = np.asarray(labels, dtype=int)
    if np.any(labels < 0) or np.any(labels >= n_classes):
        raise ValueError(f"labels must be in 0-{n_classes - 1}")
    return np.eye(n_classes)[labels]

"""Inside a trained MLP: its weights as numpy arrays, one forward pass, and who voted for what.

A Dense layer computes ``activation(x @ W + b)``. With the weights copied out of Keras, the whole
784-512-10 network is two matrix products, and every number in between can be looked at: the 512
hidden cells' activations, and how much each of them pushed an output cell up or down
(``activation x weight``). The output cell's score is exactly the sum of those pushes plus its
bias; softmax turns the 10 scores into probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explainer.concepts.nn.dense import forward_layers, precision
from explainer.concepts.nn.network import Network

PIXELS = 784


@dataclass(frozen=True)
class ForwardValues:
    """Every value one forward pass computed, for a batch of N digits."""

    inputs: np.ndarray  # (N, 784) what the first layer reads
    hidden: tuple[np.ndarray, ...]  # per hidden layer (N, cells): the activations
    scores: np.ndarray  # (N, 10) the output cells before softmax
    probabilities: np.ndarray  # (N, 10)


def forward(net: Network, digits: np.ndarray) -> ForwardValues:
    """uint8 digits (N, 28, 28) or one (28, 28) -> every layer's values, in the weights' own
    precision (the one forward pass: explainer.concepts.nn.dense.forward_layers)."""
    dtype = precision(net.weights[0])
    x = np.asarray(digits).reshape(-1, PIXELS).astype(dtype) * dtype.type(net.input_scale)
    sums, values = forward_layers(x, net.weights, net.biases, net.activation, "softmax")
    return ForwardValues(x, tuple(values[1:-1]), sums[-1], values[-1])


@dataclass(frozen=True)
class Push:
    """How much one hidden cell moved an output cell's score: activation x weight."""

    cell: int
    activation: float
    weight: float

    @property
    def amount(self) -> float:
        return self.activation * self.weight


def pushes(mlp: Network, run: ForwardValues, digit: int, index: int = 0) -> np.ndarray:
    """For every cell of the last hidden layer, activation x its weight to ``digit``'s output."""
    return run.hidden[-1][index] * mlp.output.weights[:, digit]


def strongest_pushes(mlp: Network, run: ForwardValues, digit: int, count: int = 6,
                     index: int = 0) -> list[Push]:
    """The last hidden layer's cells that pushed ``digit``'s score up the most, strongest first."""
    amounts = pushes(mlp, run, digit, index)
    order = np.argsort(-amounts, kind="stable")[:count]
    return [Push(int(c), float(run.hidden[-1][index, c]), float(mlp.output.weights[c, digit]))
            for c in order if amounts[c] > 0]


def cell_template(mlp: Network, cell: int) -> np.ndarray | None:
    """A first-hidden-layer cell's 784 weights as the 28 x 28 picture it responds to.

    Only the first layer reads pixels, so only its cells have such a picture: None otherwise.
    """
    if len(mlp.hidden) != 1:
        return None
    return mlp.hidden[0].weights[:, cell].reshape(28, 28)

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

from explainer.concepts.nn.activations import identity, relu, sigmoid, softmax, tanh

PIXELS = 784


ACTIVATIONS = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh, "linear": identity}


@dataclass(frozen=True)
class DenseLayer:
    weights: np.ndarray  # (inputs, cells)
    bias: np.ndarray  # (cells,)
    activation: str

    def __repr__(self) -> str:
        return f"DenseLayer({self.weights.shape[0]} -> {self.weights.shape[1]}, {self.activation})"


@dataclass(frozen=True)
class Mlp:
    """Hidden Dense layers, then a Dense softmax output; inputs are pixels times ``input_scale``."""

    hidden: tuple[DenseLayer, ...]
    output: DenseLayer
    input_scale: float  # 1/255 when the network reads pixels scaled to 0-1

    def __repr__(self) -> str:
        sizes = [PIXELS] + [layer.weights.shape[1] for layer in self.hidden] + [10]
        return f"Mlp({'-'.join(map(str, sizes))})"


def mlp_from_weights(weights: list[np.ndarray], activations: list[str],
                     input_scale: float) -> Mlp:
    """An MLP from Keras' ``get_weights()`` order (kernel, bias per Dense layer) and the hidden
    layers' activations; the arrays are used as they are (float32 stays float32)."""
    if len(weights) != 2 * (len(activations) + 1):
        raise ValueError(f"{len(weights)} arrays do not make {len(activations)} hidden layers "
                         "and an output layer")
    dense = [DenseLayer(np.asarray(weights[i]), np.asarray(weights[i + 1]), activation)
             for i, activation in zip(range(0, len(weights), 2), [*activations, "softmax"])]
    *hidden, output = dense
    return Mlp(tuple(hidden), output, input_scale)


def mlp_from_keras(model, input_scale: float) -> Mlp | None:
    """Copy a Keras MLP's weights (Dense and Dropout layers only), or None for any other model."""
    dense = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Dropout":  # does nothing when the network reads, only while it trains
            continue
        if kind != "Dense":
            return None
        activation = layer.get_config().get("activation", "linear")
        weights, bias = (np.asarray(p, dtype=np.float64) for p in layer.get_weights())
        dense.append(DenseLayer(weights, bias, activation))
    if len(dense) < 2 or dense[0].weights.shape[0] != PIXELS:
        return None
    *hidden, output = dense
    if output.activation != "softmax" or output.weights.shape[1] != 10:
        return None
    if any(layer.activation not in ACTIVATIONS for layer in hidden):
        return None
    return Mlp(tuple(hidden), output, input_scale)


@dataclass(frozen=True)
class ForwardValues:
    """Every value one forward pass computed, for a batch of N digits."""

    inputs: np.ndarray  # (N, 784) what the first layer reads
    hidden: tuple[np.ndarray, ...]  # per hidden layer (N, cells): the activations
    scores: np.ndarray  # (N, 10) the output cells before softmax
    probabilities: np.ndarray  # (N, 10)


def forward(mlp: Mlp, digits: np.ndarray) -> ForwardValues:
    """uint8 digits (N, 28, 28) or one (28, 28) -> every layer's values, in float64."""
    digits = np.asarray(digits)
    x = digits.reshape(-1, PIXELS).astype(np.float64) * mlp.input_scale
    activations, values = [], x
    for layer in mlp.hidden:
        values = ACTIVATIONS[layer.activation](values @ layer.weights + layer.bias)
        activations.append(values)
    scores = values @ mlp.output.weights + mlp.output.bias
    return ForwardValues(x, tuple(activations), scores, softmax(scores))


@dataclass(frozen=True)
class Push:
    """How much one hidden cell moved an output cell's score: activation x weight."""

    cell: int
    activation: float
    weight: float

    @property
    def amount(self) -> float:
        return self.activation * self.weight


def pushes(mlp: Mlp, run: ForwardValues, digit: int, index: int = 0) -> np.ndarray:
    """For every cell of the last hidden layer, activation x its weight to ``digit``'s output."""
    return run.hidden[-1][index] * mlp.output.weights[:, digit]


def strongest_pushes(mlp: Mlp, run: ForwardValues, digit: int, count: int = 6,
                     index: int = 0) -> list[Push]:
    """The last hidden layer's cells that pushed ``digit``'s score up the most, strongest first."""
    amounts = pushes(mlp, run, digit, index)
    order = np.argsort(-amounts, kind="stable")[:count]
    return [Push(int(c), float(run.hidden[-1][index, c]), float(mlp.output.weights[c, digit]))
            for c in order if amounts[c] > 0]


def cell_template(mlp: Mlp, cell: int) -> np.ndarray | None:
    """A first-hidden-layer cell's 784 weights as the 28 x 28 picture it responds to.

    Only the first layer reads pixels, so only its cells have such a picture: None otherwise.
    """
    if len(mlp.hidden) != 1:
        return None
    return mlp.hidden[0].weights[:, cell].reshape(28, 28)

"""A dense network in numpy: its weights, one forward pass, its loss, and names for its parts.

Layer l computes z = a_prev @ W + b and a = activation(z) (explainer.concepts.nn.dense); the last
layer's scores go through softmax. The loss of each example compares those probabilities with
the right answer: cross-entropy or squared error. Backprop
(explainer.concepts.lessons.backprop) walks these layers backward. The same type holds the
pages' small networks and a trained 784-512-10 model copied out of Keras
(:meth:`Network.from_keras`), which reads pixels times its ``input_scale``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explainer.concepts.nn.activations import one_hot, softmax
from explainer.concepts.nn.dense import forward_layers, scores
from explainer.concepts.nn.parameters import count_values
from explainer.concepts.nn.softmax_loss import cross_entropy_from_scores, squared_error

HIDDEN_ACTIVATIONS = ("relu", "sigmoid", "tanh")  # names in explainer.concepts.nn.activations
LOSS_LABELS = {"cross_entropy": "Cross-entropy", "squared_error": "Squared error"}


@dataclass(frozen=True)
class Layer:
    """One dense layer of a network, as the inside view reads it."""

    weights: np.ndarray  # (inputs, cells)
    bias: np.ndarray  # (cells,)
    activation: str

    def __repr__(self) -> str:
        return f"Layer({self.weights.shape[0]} -> {self.weights.shape[1]}, {self.activation})"


@dataclass
class Network:
    """Weights W[l] (cells in, cells out), biases b[l], a hidden activation, softmax out.

    ``input_scale`` is what each 0-255 pixel is multiplied by before the first layer reads it
    (1/255 for the walk-through's network; 1 for the pages' networks, fed values already).
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str = "relu"
    loss: str = "cross_entropy"
    input_scale: float = 1.0

    @classmethod
    def from_keras(cls, weights: list[np.ndarray], activation: str,
                   input_scale: float) -> Network:
        """A trained model's weights in Keras' ``get_weights()`` order (kernel, bias per Dense
        layer), used as they are: float32 stays float32."""
        if len(weights) < 2 or len(weights) % 2:  # 2: no hidden layer, one sum per digit
            raise ValueError(f"{len(weights)} arrays do not make Dense layers")
        return cls([np.asarray(w) for w in weights[0::2]], [np.asarray(b) for b in weights[1::2]],
                   activation, input_scale=input_scale)

    @property
    def layers(self) -> tuple[Layer, ...]:
        last = len(self.weights) - 1
        return tuple(Layer(w, b, "softmax" if i == last else self.activation)
                     for i, (w, b) in enumerate(zip(self.weights, self.biases)))

    @property
    def hidden(self) -> tuple[Layer, ...]:
        return self.layers[:-1]

    @property
    def output(self) -> Layer:
        return self.layers[-1]

    def __post_init__(self):
        if self.activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}")
        if self.loss not in LOSS_LABELS:
            raise ValueError(f"loss must be one of {', '.join(LOSS_LABELS)}")

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.weights[0].shape[0], *(w.shape[1] for w in self.weights))

    @property
    def n_parameters(self) -> int:
        return count_values(self.parameters())

    def parameters(self) -> list[np.ndarray]:
        """[W0, b0, W1, b1, ...]: the order every gradient list follows."""
        return [p for wb in zip(self.weights, self.biases) for p in wb]

    def with_parameters(self, params: list[np.ndarray]) -> Network:
        return Network([np.array(p, dtype=np.float64) for p in params[0::2]],
                       [np.array(p, dtype=np.float64) for p in params[1::2]],
                       self.activation, self.loss, self.input_scale)

    def copy(self) -> Network:
        return self.with_parameters(self.parameters())

    def __repr__(self) -> str:
        shape = "-".join(str(s) for s in self.sizes)
        return (f"Network({shape}, {self.activation}, {self.loss}, "
                f"{self.n_parameters:,} parameters)")


def init_network(sizes, activation: str = "relu", loss: str = "cross_entropy", seed: int = 0,
                 bias_scale: float = 0.0, decimals: int | None = None) -> Network:
    """Glorot-uniform weights (Keras' default) and zero or small random biases.

    ``decimals`` rounds the starting numbers so that a tiny network's diagram stays readable.
    """
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (n_in + n_out))
        weights.append(rng.uniform(-limit, limit, (n_in, n_out)))
        biases.append(rng.uniform(-bias_scale, bias_scale, n_out) if bias_scale else
                      np.zeros(n_out))
    if decimals is not None:
        weights = [np.round(w, decimals) for w in weights]
        biases = [np.round(b, decimals) for b in biases]
    return Network(weights, biases, activation, loss)


def digit_inputs(images: np.ndarray) -> np.ndarray:
    """uint8 digits (N, 28, 28) -> (N, 784) float64 pixels scaled to 0-1."""
    images = np.asarray(images)
    return images.reshape(len(images), -1).astype(np.float64) / 255.0


def example_losses(net: Network, scores: np.ndarray, labels) -> np.ndarray:
    """The loss of each example from the output layer's raw scores."""
    target = one_hot(labels, net.sizes[-1])
    if net.loss == "cross_entropy":
        return cross_entropy_from_scores(scores, target)
    return squared_error(softmax(scores), target)


@dataclass
class ForwardPass:
    """Everything the forward pass computed: a[0] is the input, z[l] and a[l] per layer."""

    z: list[np.ndarray]  # z[0] is None (the input has no weighted sum)
    a: list[np.ndarray]  # a[-1] is the softmax output
    losses: np.ndarray  # one per example

    @property
    def probabilities(self) -> np.ndarray:
        return self.a[-1]

    @property
    def scores(self) -> np.ndarray:
        return self.z[-1]

    @property
    def loss(self) -> float:
        """The cost of the batch: the mean of the examples' losses."""
        return float(np.mean(self.losses))


def forward(net: Network, x: np.ndarray, labels) -> ForwardPass:
    """Input to probabilities, layer by layer, keeping every weighted sum and activation."""
    z, a = forward_layers(x, net.weights, net.biases, net.activation, "softmax")
    return ForwardPass(z, a, example_losses(net, z[-1], np.atleast_1d(labels)))


def loss(net: Network, x: np.ndarray, labels) -> float:
    """The batch's cost after one forward pass (what a nudge measures)."""
    raw = scores(x, net.weights, net.biases, net.activation)
    return float(np.mean(example_losses(net, raw, np.atleast_1d(labels))))


# ---------------------------------------------------------------------------------------------
# Naming the cells and connections of a small network, for diagrams and tables.

def cell_names(sizes) -> list[list[str]]:
    """x1, x2 for the inputs; h1.. for one hidden layer (h1_1.. for several); o1.. for outputs."""
    names = [[f"x{i + 1}" for i in range(sizes[0])]]
    hidden = len(sizes) - 2
    for layer in range(1, len(sizes) - 1):
        prefix = "h" if hidden == 1 else f"h{layer}_"
        names.append([f"{prefix}{i + 1}" for i in range(sizes[layer])])
    names.append([f"o{i + 1}" for i in range(sizes[-1])])
    return names


def parameter_names(net: Network) -> list[str]:
    """One name per parameter, in the flat order: 'w x1→h2' for a weight, 'b h2' for a bias."""
    cells = cell_names(net.sizes)
    names = []
    for layer, w in enumerate(net.weights):
        names += [f"w {cells[layer][i]}→{cells[layer + 1][j]}"
                  for i in range(w.shape[0]) for j in range(w.shape[1])]
        names += [f"b {cells[layer + 1][j]}" for j in range(w.shape[1])]
    return names

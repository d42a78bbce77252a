"""One cell: multiply each input by its weight, add them up, add a bias, pass through an activation.

A layer is many such cells side by side, every one of them connected to every input ("densely
connected"). Its parameters are one weight per connection plus one bias per cell, which is how
the 784-512-10 network ends up with 407,050 numbers to learn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# The worked example: two input cells holding 1, connected to the top hidden cell.
EXAMPLE_INPUTS = (1.0, 1.0)
EXAMPLE_WEIGHTS = (0.612, 0.215)
EXAMPLE_BIAS = 0.0
# The rest of the small layer drawn next to it (one row of weights per hidden cell).
EXAMPLE_LAYER_WEIGHTS = ((0.612, 0.215), (-0.48, 0.905), (0.333, -0.71))
EXAMPLE_LAYER_BIASES = (0.0, 0.1, -0.2)

LEAKY_SLOPE = 0.1


def relu(x):
    """max(0, x): pass positive values, block negative ones."""
    return np.maximum(0.0, x)


def leaky_relu(x, slope: float = LEAKY_SLOPE):
    """Like ReLU, but negative values leak through, multiplied by a small slope."""
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, slope * x)


def sigmoid(x):
    """1 / (1 + e^-x): squash any number into (0, 1). Written to never overflow."""
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def identity(x):
    """No activation: the sum passes unchanged."""
    return np.asarray(x, dtype=float)


def tanh(x):
    """Squash any number into (-1, 1), centred on 0."""
    return np.tanh(np.asarray(x, dtype=float))


ACTIVATIONS: dict[str, Callable] = {"none": identity, "ReLU": relu, "sigmoid": sigmoid}
GALLERY: dict[str, Callable] = {"ReLU": relu, "leaky ReLU": leaky_relu, "sigmoid": sigmoid,
                                "tanh": tanh}
FORMULAS = {"none": "f(z) = z", "ReLU": "f(z) = max(0, z)", "sigmoid": "f(z) = 1 / (1 + e^-z)",
            "leaky ReLU": f"f(z) = z if z > 0 else {LEAKY_SLOPE} z", "tanh": "f(z) = tanh(z)"}


def activate(name: str, x):
    """Apply the activation called ``name`` ("none", "ReLU" or "sigmoid")."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: choose one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name](x)


def weighted_sum(inputs: Sequence[float], weights: Sequence[float]) -> float:
    """Σ input_i x weight_i: the part of a cell's value that comes from its inputs."""
    inputs, weights = np.asarray(inputs, dtype=float), np.asarray(weights, dtype=float)
    if inputs.shape != weights.shape:
        raise ValueError(f"{inputs.size} inputs but {weights.size} weights")
    return float(inputs @ weights)


@dataclass(frozen=True)
class CellResult:
    """Everything one cell computes, step by step."""

    inputs: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    activation: str
    total: float  # the weighted sum, before the bias
    pre_activation: float  # weighted sum + bias
    output: float

    @property
    def threshold(self) -> float:
        """With bias -t the cell passes a positive value once the weighted sum exceeds t."""
        return -self.bias

    def lines(self) -> list[str]:
        """The arithmetic written out, one line per step."""
        n = short_number
        pairs = list(zip(self.inputs, self.weights))
        products = " + ".join(f"{n(x)} × {n(w)}" for x, w in pairs)
        values = " + ".join(n(x * w) for x, w in pairs)
        sign = "+" if self.bias >= 0 else "−"
        z = n(self.pre_activation)
        lines = [f"weighted sum = {products}",
                 f"             = {values} = {n(self.total)}",
                 f"plus bias    = {n(self.total)} {sign} {n(abs(self.bias))} = {z}"]
        if self.activation == "none":
            lines.append(f"output       = {z} (no activation)")
        elif self.activation == "ReLU":
            lines.append(f"output       = max(0, {z}) = {n(self.output)}")
        else:
            lines.append(f"output       = 1 / (1 + e^−({z})) = {n(self.output)}")
        return lines

    def __repr__(self) -> str:
        return (f"CellResult(sum={self.total:.4g}, bias={self.bias:.4g}, "
                f"{self.activation} -> {self.output:.4g})")


def cell(inputs: Sequence[float], weights: Sequence[float], bias: float = 0.0,
         activation: str = "none") -> CellResult:
    """Compute one cell: weighted sum, plus bias, through the activation."""
    total = weighted_sum(inputs, weights)
    z = total + float(bias)
    return CellResult(tuple(float(x) for x in inputs), tuple(float(w) for w in weights),
                      float(bias), activation, total, z, float(activate(activation, z)))


def layer(inputs: Sequence[float], weights, biases, activation: str = "none") -> np.ndarray:
    """A densely connected layer: every cell's activation(weights_row · inputs + bias)."""
    weights = np.asarray(weights, dtype=float)
    z = weights @ np.asarray(inputs, dtype=float) + np.asarray(biases, dtype=float)
    return np.asarray(activate(activation, z), dtype=float)


@dataclass(frozen=True)
class LayerCount:
    """The parameters of one densely connected layer."""

    name: str
    inputs: int
    cells: int

    @property
    def weights(self) -> int:
        return self.inputs * self.cells

    @property
    def biases(self) -> int:
        return self.cells

    @property
    def total(self) -> int:
        return self.weights + self.biases


def parameter_counts(sizes: Sequence[int]) -> list[LayerCount]:
    """Per layer of a dense network with layer sizes e.g. (784, 512, 10): weights and biases."""
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"need at least two layers of one cell or more, got {sizes}")
    counts = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i == len(sizes) - 2:
            name = "Output"
        else:
            name = f"Hidden {i + 1}" if len(sizes) > 3 else "Hidden"
        counts.append(LayerCount(f"{name} ({n_in:,} → {n_out:,})", n_in, n_out))
    return counts


def total_parameters(sizes: Sequence[int]) -> int:
    """All weights and biases of a dense network: 407,050 for 784-512-10."""
    return sum(c.total for c in parameter_counts(sizes))


def short_number(x: float) -> str:
    """A short, exact-looking number: 0.612, 1, -0.5, 1.2e+03."""
    if not np.isfinite(x):
        return str(x)
    text = f"{x:.4g}" if abs(x) < 1e4 else f"{x:.3g}"
    return "0" if text == "-0" else text

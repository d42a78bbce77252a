"""One cell: multiply each input by its weight, add them up, add a bias, pass through an activation.

A layer is many such cells side by side, every one of them connected to every input ("densely
connected"). Its parameters are one weight per connection plus one bias per cell
(explainer.concepts.nn.parameters counts them: 407,050 for the 784-512-10 network).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from explainer.concepts.nn.activations import (
    activation,
)
from explainer.concepts.nn.dense import weighted_sums

# The worked example: two input cells holding 1, connected to the top hidden cell.
EXAMPLE_INPUTS = (1.0, 1.0)
EXAMPLE_WEIGHTS = (0.612, 0.215)
EXAMPLE_BIAS = 0.0
# The rest of the small layer drawn next to it (one row of weights per hidden cell).
EXAMPLE_LAYER_WEIGHTS = ((0.612, 0.215), (-0.48, 0.905), (0.333, -0.71))
EXAMPLE_LAYER_BIASES = (0.0, 0.1, -0.2)

# The names the pages show for the activations of explainer.concepts.nn.activations (its one
# table); the cell page offers three, the gallery drawn next to them four.
SHOWN = {"none": "linear", "ReLU": "relu", "sigmoid": "sigmoid", "leaky ReLU": "leaky_relu",
         "tanh": "tanh"}
CELL_ACTIVATIONS: dict[str, Callable] = {shown: activation(SHOWN[shown]).function
                                         for shown in ("none", "ReLU", "sigmoid")}
GALLERY: dict[str, Callable] = {shown: activation(SHOWN[shown]).function
                                for shown in ("ReLU", "leaky ReLU", "sigmoid", "tanh")}
FORMULAS = {shown: activation(name).formula for shown, name in SHOWN.items()}


def activate(name: str, x):
    """Apply the activation called ``name`` ("none", "ReLU" or "sigmoid")."""
    if name not in CELL_ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}: choose one of "
                         f"{', '.join(CELL_ACTIVATIONS)}")
    return CELL_ACTIVATIONS[name](x)


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
    # one row of weights per cell here; the dense layer takes one column per cell
    z = weighted_sums(inputs, np.asarray(weights, dtype=float).T, np.asarray(biases, dtype=float))
    return np.asarray(activate(activation, z), dtype=float)


def short_number(x: float) -> str:
    """A short, exact-looking number: 0.612, 1, -0.5, 1.2e+03."""
    if not np.isfinite(x):
        return str(x)
    text = f"{x:.4g}" if abs(x) < 1e4 else f"{x:.3g}"
    return "0" if text == "-0" else text

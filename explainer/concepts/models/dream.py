"""Can the network draw a 9? Gradient ascent on the pixels, not on the weights.

Training nudges the weights downhill on the loss. Here the weights stay fixed and the 784 pixels
move instead: uphill on the log-probability of one digit. Each step asks the network "which way
should each pixel change to make you more sure this is a 9?" (the gradient with respect to the
input, found by backpropagation all the way to the pixels) and takes a small step that way,
keeping every pixel between paper (0) and ink (1). What comes out is the picture the network
likes best for that digit. It is usually sure of it, and it rarely looks like a 9: a network that
learned to *tell digits apart* has not learned what a digit looks like.

For an MLP the gradient is a few numpy matrix products (:func:`mlp_gradient`, after the one
forward pass of explainer.concepts.nn.dense); the small CNN brings its own
(:mod:`explainer.concepts.models.convnet`). :func:`dream` takes either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from explainer.concepts.nn.activations import activation, softmax
from explainer.concepts.nn.dense import forward_layers, precision
from explainer.concepts.nn.network import Network

STARTS = ("blank", "noise")


def mlp_gradient(net: Network, pixels: np.ndarray, digit: int) -> tuple[float, np.ndarray]:
    """log P(digit) and its gradient with respect to the 784 pixels (backprop by hand), in the
    network's own precision: a float32 network is never copied into float64 on each step."""
    dtype = precision(net.weights[0])
    scale = dtype.type(255.0 * net.input_scale)
    x = np.asarray(pixels, dtype=dtype).reshape(1, 784) * scale
    sums, values = forward_layers(x, net.weights, net.biases, net.activation, "linear")
    probabilities = softmax(sums[-1][0]).astype(dtype, copy=False)
    objective = float(np.log(max(float(probabilities[digit]), 1e-300)))
    upstream = -probabilities  # d log softmax(scores)[digit] / d scores = onehot - p
    upstream[digit] += 1
    slope = activation(net.activation).derivative
    for weights, z in zip(reversed(net.weights[1:]), reversed(sums[1:-1])):
        upstream = (weights @ upstream) * slope(z[0]).astype(dtype, copy=False)
    return objective, (net.weights[0] @ upstream) * scale


@dataclass(frozen=True)
class Dream:
    """The picture gradient ascent found for one digit, and how sure the network is of it."""

    digit: int
    image: np.ndarray  # (28, 28) pixels in 0-1
    probability: float  # P(digit) for that image
    history: np.ndarray  # P(digit) after every step, starting before the first
    start: str

    def __repr__(self) -> str:
        return (f"Dream({self.digit}: P = {self.probability:.3f} after "
                f"{len(self.history) - 1} steps from {self.start})")


def starting_image(start: str, seed: int = 0) -> np.ndarray:
    """A blank page, or faint random noise (pixels 0-0.3), as 784 values in 0-1."""
    if start == "blank":
        return np.zeros(784)
    if start == "noise":
        return np.random.default_rng(seed).uniform(0.0, 0.3, 784)
    raise ValueError(f"start must be one of {STARTS}, got {start!r}")


def dream(gradient: Callable, digit: int, start: str = "blank", steps: int = 100,
          step_size: float = 0.05, seed: int = 0) -> Dream:
    """Gradient ascent on the pixels: each step moves every pixel by at most ``step_size``.

    The step is the gradient divided by its largest entry, so the pixel that matters most moves
    by ``step_size`` and the rest in proportion; pixels are clipped to 0-1 after each step.
    """
    if not 0 <= digit <= 9:
        raise ValueError(f"digit must be 0-9, got {digit}")
    pixels = starting_image(start, seed)
    history = []
    for _ in range(steps):
        objective, grad = gradient(pixels, digit)
        history.append(np.exp(objective))
        largest = np.abs(grad).max()
        if not np.isfinite(largest) or largest == 0:
            break
        pixels = np.clip(pixels + step_size * grad / largest, 0.0, 1.0)
    objective, _ = gradient(pixels, digit)
    history.append(np.exp(objective))
    return Dream(digit, pixels.reshape(28, 28), float(history[-1]), np.array(history), start)

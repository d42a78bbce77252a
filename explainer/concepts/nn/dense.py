"""A densely connected layer: every cell reads every input, then the layers run one after another.

One layer computes, for a batch of inputs x (one example per row),
    z = x @ weights + bias        (weights: one column per cell, as Keras stores them)
    a = activation(z)
and a network is such layers in turn, each reading the previous one's values. This is the forward
pass, the only one in the app: the pages' small networks, the trained model that reads a drawing,
the inside view and the dream all run it; backprop walks the same layers backward using the z
values kept here. It computes in the weights' own precision: a trained model's float32 weights
are never copied into float64.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from explainer.concepts.nn.activations import activation as get_activation
from explainer.concepts.nn.activations import softmax


def precision(weights) -> np.dtype:
    """The floating type a layer computes in: its weights' own, float64 for whole numbers."""
    dtype = np.asarray(weights).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def weighted_sums(x, weights, bias) -> np.ndarray:
    """z = x @ weights + bias: every cell's weighted sum of its inputs plus its bias."""
    dtype = precision(weights)
    return np.asarray(x, dtype=dtype) @ np.asarray(weights, dtype=dtype) + np.asarray(
        bias, dtype=dtype)


def dense(x, weights, bias, activation: str = "linear") -> np.ndarray:
    """One dense layer: activation(x @ weights + bias). ``activation`` is a Keras name."""
    return get_activation(activation).function(weighted_sums(x, weights, bias))


def forward_layers(x, weights: Sequence, biases: Sequence, hidden_activation: str,
                   output_activation: str = "softmax") -> tuple[list, list]:
    """Run x through every layer; return every layer's sums z and values a.

    ``a[0]`` is x itself (so ``z[0]`` is None: the input has no weighted sum); layer l reads
    ``a[l - 1]``. The hidden layers use ``hidden_activation``, the last ``output_activation``
    ("softmax" for probabilities, "linear" for the raw scores).
    """
    hidden = get_activation(hidden_activation).function
    output = softmax if output_activation == "softmax" else get_activation(output_activation)
    values: list = [np.atleast_2d(np.asarray(x, dtype=precision(weights[0])))]
    sums: list = [None]
    last = len(weights) - 1
    for layer, (w, b) in enumerate(zip(weights, biases)):
        z = weighted_sums(values[-1], w, b)
        sums.append(z)
        values.append(np.asarray(output(z) if layer == last else hidden(z), dtype=z.dtype))
    return sums, values


def scores(x, weights: Sequence, biases: Sequence, hidden_activation: str) -> np.ndarray:
    """The last layer's raw scores (before softmax), keeping nothing else on the way."""
    hidden = get_activation(hidden_activation).function
    a = np.atleast_2d(np.asarray(x, dtype=precision(weights[0])))
    for w, b in zip(weights[:-1], biases[:-1]):
        z = weighted_sums(a, w, b)
        a = np.asarray(hidden(z), dtype=z.dtype)
    return weighted_sums(a, weights[-1], biases[-1])

"""A densely connected layer: every cell reads every input, then the layers run one after another.

One layer computes, for a batch of inputs x (one example per row),
    z = x @ weights + bias        (weights: one column per cell, as Keras stores them)
    a = activation(z)
and a network is such layers in turn, each reading the previous one's values. This is the forward
pass; backprop walks the same layers backward using the z values kept here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from explainer.concepts.nn.activations import activation as get_activation
from explainer.concepts.nn.activations import softmax


def weighted_sums(x, weights, bias) -> np.ndarray:
    """z = x @ weights + bias: every cell's weighted sum of its inputs plus its bias."""
    return np.asarray(x, dtype=np.float64) @ np.asarray(weights, dtype=np.float64) + bias


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
    values: list = [np.atleast_2d(np.asarray(x, dtype=np.float64))]
    sums: list = [None]
    last = len(weights) - 1
    for layer, (w, b) in enumerate(zip(weights, biases)):
        sums.append(weighted_sums(values[-1], w, b))
        values.append(output(sums[-1]) if layer == last else hidden(sums[-1]))
    return sums, values


def scores(x, weights: Sequence, biases: Sequence, hidden_activation: str) -> np.ndarray:
    """The last layer's raw scores (before softmax), keeping nothing else on the way."""
    hidden = get_activation(hidden_activation).function
    a = np.atleast_2d(np.asarray(x, dtype=np.float64))
    for w, b in zip(weights[:-1], biases[:-1]):
        a = hidden(weighted_sums(a, w, b))
    return weighted_sums(a, weights[-1], biases[-1])

"""Counting what a network learns: one weight per connection, one bias per cell.

A densely connected layer from n_in cells to n_out cells has n_in x n_out weights and n_out
biases, which is how the 784-512-10 network ends up with 784 x 512 + 512 + 512 x 10 + 10 =
407,050 numbers to learn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


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


def count_values(arrays: Iterable) -> int:
    """How many numbers a list of weight and bias arrays holds."""
    return int(sum(np.size(a) for a in arrays))

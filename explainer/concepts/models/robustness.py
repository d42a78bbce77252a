"""What a change to the digits costs a network: how many it still reads right once they change.

A person reads a 7 moved three pixels to the right as a 7. A network that only ever saw MNIST's
centred, upright digits may not: the same ink now falls on pixels where its weights expect paper.
Changing every test digit the same way, one change at a time, and counting how many the network
still reads right shows which change it minds most. The robustness set changes each digit by all
four at once (explainer/concepts/inputs/distort.py). ``read_many`` is any function from
(N, 28, 28) uint8 digits to (N, 10) probabilities, such as ``Reader.read_many``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from explainer.concepts.inputs.distort import (
    MAX_DEGREES,
    MAX_SHIFT,
    MAX_THICKNESS,
    SCALES,
    distort,
    robustness_set,
)

ReadMany = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Change:
    """One change made to every digit alike: its id, its name in words, and distort's settings."""

    id: str
    name: str
    settings: tuple[tuple[str, float], ...] = ()

    def __repr__(self) -> str:
        return f"Change({self.id!r}: {dict(self.settings)})"

    def apply(self, digits: np.ndarray) -> np.ndarray:
        """Every (28, 28) uint8 digit of ``digits`` changed this way."""
        settings = dict(self.settings)
        if not settings:
            return np.asarray(digits)
        return np.stack([distort(digit, **settings) for digit in digits])


UNCHANGED = Change("none", "As in MNIST")
# Each change at the strongest the augmented network was trained on (and the robustness set uses).
STRONGEST = (
    Change("move", f"Moved {MAX_SHIFT:g} pixels right", (("right", MAX_SHIFT),)),
    Change("turn", f"Turned {MAX_DEGREES:g} degrees", (("degrees", MAX_DEGREES),)),
    Change("shrink", f"Shrunk to {SCALES[0]:.0%}", (("factor", SCALES[0]),)),
    Change("pen", "A fatter pen", (("amount", MAX_THICKNESS),)),
)


def accuracy(read_many: ReadMany, digits: np.ndarray, labels: np.ndarray) -> float:
    """The share of ``digits`` whose most probable class is their label."""
    if len(digits) == 0:
        raise ValueError("no digits to read")
    answers = np.argmax(read_many(np.asarray(digits)), axis=1)
    return float(np.mean(answers == np.asarray(labels)))


def accuracy_per_change(read_many: ReadMany, changed: Mapping[str, np.ndarray],
                        labels: np.ndarray) -> dict[str, float]:
    """Accuracy on each changed copy of the same digits: ``changed`` maps a change's id to the
    digits made by :meth:`Change.apply` (made once, read by every network)."""
    return {change_id: accuracy(read_many, digits, labels)
            for change_id, digits in changed.items()}


def hurts_most(accuracies: Mapping[str, float]) -> str:
    """The id of the change with the lowest accuracy, leaving the unchanged digits out."""
    changes = {key: value for key, value in accuracies.items() if key != UNCHANGED.id}
    return min(changes, key=changes.get)


def robustness_accuracy(read_many: ReadMany, digits: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy on the robustness set made from ``digits`` (all four changes, a fixed seed)."""
    return accuracy(read_many, robustness_set(digits).images, labels)

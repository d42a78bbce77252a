"""Reading a digit: which network answers, its ten probabilities, and how far to trust them.

The network always answers with ten probabilities that add up to 1: it was only ever shown
digits, so it has no way to say "this is not a digit". The page therefore says it is not sure
when the top probability is below :data:`CONFIDENT`, and also when the drawing is a solid blob
(a dot blown up to 20 x 20 pixels), which MNIST never contains but which the network may still
call an 8 or a 0 with confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from explainer.concepts.inputs.preprocess import Steps
from explainer.concepts.models.inside import ForwardValues, forward
from explainer.concepts.nn.network import Network

CONFIDENT = 0.75  # below this top probability the page says it is not sure
BLOB_FILL = 0.7  # ink covering more of its box than this (MNIST: 99.9% of digits below 0.63)


def looks_like_a_blob(steps: Steps) -> bool:
    """A dot or a solid smear: its ink fills most of a roughly square box."""
    height, width = steps.fitted.shape
    fill = steps.fitted.sum() / 255.0 / (height * width)
    return min(height, width) >= 12 and fill > BLOB_FILL


@dataclass(frozen=True)
class Reading:
    """The network's answer for one input."""

    probabilities: np.ndarray  # (10,)
    blob: bool = False
    inside: ForwardValues | None = None  # every layer's values, when the network is an MLP

    @property
    def digit(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def confidence(self) -> float:
        return float(np.max(self.probabilities))

    @property
    def sure(self) -> bool:
        return self.confidence >= CONFIDENT and not self.blob

    def __repr__(self) -> str:
        return (f"Reading({self.digit} at {self.confidence:.1%}"
                f"{'' if self.sure else ', not sure'}{', blob' if self.blob else ''})")


@dataclass(frozen=True)
class Reader:
    """The model that answers, as numpy: an MLP (which also shows inside) or a small CNN.

    ``trained`` is the model it was made from (its weights, its config, its name): any object
    with ``weights`` (Keras' ``get_weights()`` order, float32), ``config`` and ``name``.
    """

    trained: Any
    mlp: Network | None  # a plain stack of Dense layers
    convnet: Any  # explainer.concepts.models.convnet.ConvNet for a CNN, else None
    for_everyone: bool  # a shared network every session reads, not this session's own

    @classmethod
    def of(cls, trained: Any, for_everyone: bool = False) -> Reader:
        config = trained.config
        scale = config.input_scale
        if config.kind == "cnn":
            from explainer.concepts.models.convnet import ConvNet

            return cls(trained, None, ConvNet.from_weights(list(trained.weights), scale),
                       for_everyone)
        return cls(trained, Network.from_keras(list(trained.weights), config.activation, scale),
                   None, for_everyone)

    @property
    def name(self) -> str:
        return self.trained.name

    def read(self, digit: np.ndarray, steps: Steps | None = None) -> Reading:
        """One (28, 28) uint8 digit -> the network's reading of it."""
        blob = steps is not None and looks_like_a_blob(steps)
        if self.mlp is not None:
            run = forward(self.mlp, digit)
            return Reading(run.probabilities[0], blob, run)
        probabilities = self.convnet.probabilities(np.asarray(digit).reshape(1, 28, 28))[0]
        return Reading(np.asarray(probabilities, dtype=np.float64), blob, None)

    def read_many(self, digits: np.ndarray) -> np.ndarray:
        """(N, 28, 28) uint8 digits -> (N, 10) probabilities."""
        if self.mlp is not None:
            return forward(self.mlp, digits).probabilities
        return np.asarray(self.convnet.probabilities(np.asarray(digits)), dtype=np.float64)

    def gradient(self):
        """The pixel gradient function for :func:`explainer.concepts.models.dream.dream`."""
        from explainer.concepts.models import dream

        if self.mlp is not None:
            return lambda pixels, digit: dream.mlp_gradient(self.mlp, pixels, digit)
        return self.convnet.gradient

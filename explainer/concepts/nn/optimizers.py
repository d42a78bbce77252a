"""Optimizers: what to do with a gradient. The same formulas and defaults as Keras.

Plain gradient descent moves every weight by learning_rate x its slope. Momentum keeps rolling in
the direction it was going, RMSprop divides each step by the typical size of that weight's slope,
and Adam does both. Each keeps its own memory per parameter array.
"""

from __future__ import annotations

import numpy as np


class Optimizer:
    """Turns gradients into weight changes; keeps its own memory per parameter array."""

    name = "optimizer"

    def __init__(self, learning_rate: float):
        self.learning_rate = float(learning_rate)
        self.iterations = 0
        self.slots: list[dict[str, np.ndarray]] = []

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """New parameters after one step; the inputs are left unchanged."""
        if not self.slots:
            self.slots = [{} for _ in params]
        self.iterations += 1
        return [p - self.change(g, slot) for p, g, slot in zip(params, grads, self.slots)]

    def change(self, g: np.ndarray, slot: dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate:g})"


class GradientDescent(Optimizer):
    """w <- w - lr * g: the plain rule."""

    name = "Gradient descent"

    def change(self, g, slot):
        return self.learning_rate * g


class Momentum(Optimizer):
    """A heavy ball: v <- 0.9 v - lr * g; w <- w + v. Keeps rolling along a valley floor."""

    name = "Momentum"

    def __init__(self, learning_rate: float, momentum: float = 0.9):
        super().__init__(learning_rate)
        self.momentum = momentum

    def change(self, g, slot):
        v = self.momentum * slot.get("velocity", np.zeros_like(g)) - self.learning_rate * g
        slot["velocity"] = v
        return -v


class RMSprop(Optimizer):
    """Divide each step by the root of a running mean of g^2: every weight moves at about lr,
    whether its slope is steep or gentle. What the Keras MNIST code trains with."""

    name = "RMSprop"

    def __init__(self, learning_rate: float, rho: float = 0.9, epsilon: float = 1e-7):
        super().__init__(learning_rate)
        self.rho, self.epsilon = rho, epsilon

    def change(self, g, slot):
        v = self.rho * slot.get("mean_square", np.zeros_like(g)) + (1.0 - self.rho) * g**2
        slot["mean_square"] = v
        return self.learning_rate * g / np.sqrt(v + self.epsilon)


class Adam(Optimizer):
    """Momentum and RMSprop together, with a correction for their zero start."""

    name = "Adam"

    def __init__(self, learning_rate: float, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7):
        super().__init__(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def change(self, g, slot):
        m = slot.get("m", np.zeros_like(g))
        v = slot.get("v", np.zeros_like(g))
        m = m + (g - m) * (1.0 - self.beta_1)
        v = v + (g**2 - v) * (1.0 - self.beta_2)
        slot["m"], slot["v"] = m, v
        t = self.iterations
        alpha = self.learning_rate * np.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        return alpha * m / (np.sqrt(v) + self.epsilon)


DESCENT_METHODS: dict[str, type[Optimizer]] = {
    "Gradient descent": GradientDescent, "Momentum": Momentum, "RMSprop": RMSprop, "Adam": Adam}


def make_optimizer(name: str, learning_rate: float) -> Optimizer:
    """A fresh optimizer of the kind called ``name`` (a key of DESCENT_METHODS)."""
    if name not in DESCENT_METHODS:
        raise ValueError(f"unknown optimizer {name!r}: choose one of {', '.join(DESCENT_METHODS)}")
    return DESCENT_METHODS[name](learning_rate)

"""Nudging a weight: two forward passes tell which way to move it, and shrinking the nudge
turns that into the derivative.

A small model with one weight: a cell y = softplus(w * x) (softplus is a smooth ReLU,
log(1 + e^u)) fitted to seven points; its cost C(w) is the mean squared error. Nudge w up by h and
down by h, run a forward pass each time, and compare the two costs: the slope is about
(C(w + h) - C(w - h)) / 2h, and it tells which way to move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from explainer.concepts.nn.activations import softplus, softplus_derivative

# ---------------------------------------------------------------------------------------------
# The small model: one cell, one weight w, seven data points.

X = np.array([-3.0, -2.0, -1.0, 0.5, 1.0, 2.0, 3.0])
T = np.array([0.15, 0.0, 0.33, 0.95, 1.29, 2.12, 2.95])  # the targets the cell should output
BIAS = 0.0  # the one-weight cell has no bias; the two-weight surface below frees it
START_W = 2.5  # the walk-through's example: w1 = 2.5, nudged to 3.5 and to 1.5
W_RANGE = (-1.0, 4.5)  # the part of the cost curve the page draws


def _weighted_sums(w, x, b):
    """w x + b for every weight w (and bias b, one per weight or one for all) and input x."""
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    return np.multiply.outer(w, x) + b[..., None]


def predict(w, x=X, b=BIAS):
    """The cell's outputs for the inputs x: one forward pass."""
    return softplus(_weighted_sums(w, x, b))


def cost(w, b=BIAS):
    """C(w): mean squared error of the cell over the seven points; w may be an array of weights."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.mean((predict(w, X, b) - T) ** 2, axis=-1)


def cost_gradient(w, b=BIAS):
    """(dC/dw, dC/db) by the chain rule: the means of 2 (y - t) sigmoid(w x + b) times x, and 1."""
    u = _weighted_sums(w, X, b)
    with np.errstate(over="ignore", invalid="ignore"):
        common = 2.0 * (softplus(u) - T) * softplus_derivative(u)  # softplus' slope: the sigmoid
        return np.mean(common * X, axis=-1), np.mean(common, axis=-1)


def cost_derivative(w, b=BIAS):
    """dC/dw by the chain rule: mean of 2 (y - t) * sigmoid(w x + b) * x."""
    return cost_gradient(w, b)[0]


def cost_second_derivative(w, b=BIAS):
    """d2C/dw2, the curvature: it sets which learning rates are too large."""
    u = _weighted_sums(w, X, b)
    s = softplus_derivative(u)  # the sigmoid
    return np.mean(2.0 * X**2 * (s**2 + (softplus(u) - T) * s * (1.0 - s)), axis=-1)


def best_weight(low: float = -1.0, high: float = 5.0) -> float:
    """The weight with the lowest cost, by bisection on the derivative (the cost is convex here)."""
    for _ in range(200):
        middle = 0.5 * (low + high)
        if cost_derivative(middle) > 0:
            high = middle
        else:
            low = middle
    return 0.5 * (low + high)


def forward_pass_rows(w: float) -> list[dict[str, float]]:
    """One forward pass, point by point: weighted sum, output, target, squared error."""
    u = w * X + BIAS
    y = softplus(u)
    return [{"x": float(x), "w*x": float(ui), "output y": float(yi), "target t": float(t),
             "(y - t)^2": float((yi - t) ** 2)} for x, ui, yi, t in zip(X, u, y, T)]


@dataclass(frozen=True)
class Nudge:
    """The outcome of nudging w up and down by the same step."""

    w: float
    step: float
    loss_here: float
    loss_up: float  # l1 = C(w + step)
    loss_down: float  # l2 = C(w - step)

    @property
    def direction(self) -> int:
        """-1: lowering w lowers the cost; +1: raising it does; 0: neither helps."""
        if self.loss_down < min(self.loss_up, self.loss_here):
            return -1
        if self.loss_up < min(self.loss_down, self.loss_here):
            return 1
        return 0

    @property
    def slope_estimate(self) -> float:
        return (self.loss_up - self.loss_down) / (2.0 * self.step)


def nudge(w: float = START_W, step: float = 1.0, f: Callable = cost) -> Nudge:
    """Two forward passes: the cost with w raised by step and with w lowered by step."""
    return Nudge(w, step, float(f(w)), float(f(w + step)), float(f(w - step)))


# ---------------------------------------------------------------------------------------------
# From nudge to derivative.

def centred_difference(f: Callable, w: float, h: float) -> float:
    """The slope of the secant through (w - h, f(w - h)) and (w + h, f(w + h))."""
    if not h > 0:
        raise ValueError("the nudge h must be positive")
    return float((f(w + h) - f(w - h)) / (2.0 * h))


def forward_difference(f: Callable, w: float, h: float) -> float:
    """One-sided slope (f(w + h) - f(w)) / h: error shrinks like h, not like h^2."""
    if not h > 0:
        raise ValueError("the nudge h must be positive")
    return float((f(w + h) - f(w)) / h)


def derivative_table(f: Callable, df: Callable, w: float, steps) -> list[dict[str, float]]:
    """Nudge estimates for shrinking h beside the exact derivative, with their errors."""
    exact = float(df(w))
    rows = []
    for h in steps:
        centred = centred_difference(f, w, h)
        one_sided = forward_difference(f, w, h)
        rows.append({"h": float(h), "centred estimate": centred, "exact dC/dw": exact,
                     "centred error": abs(centred - exact),
                     "one-sided error": abs(one_sided - exact)})
    return rows


def best_step(rows: list[dict[str, float]]) -> float:
    """The h with the smallest centred error: below it, rounding error takes over."""
    return min(rows, key=lambda r: r["centred error"])["h"]

"""Nudging a weight, the derivative, and walking downhill.

A small model with one weight: a cell y = softplus(w * x) (softplus is a smooth ReLU,
log(1 + e^u)) fitted to seven points; its cost C(w) is the mean squared error. Nudge w up by h and
down by h, run a forward pass each time, and compare the two costs: the slope is about
(C(w + h) - C(w - h)) / 2h, and it tells which way to move. Gradient descent repeats
w <- w - learning_rate * dC/dw. Momentum, RMSprop and Adam are smarter rules for the same step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

# ---------------------------------------------------------------------------------------------
# The small model: one cell, one weight w, seven data points.

X = np.array([-3.0, -2.0, -1.0, 0.5, 1.0, 2.0, 3.0])
T = np.array([0.15, 0.0, 0.33, 0.95, 1.29, 2.12, 2.95])  # the targets the cell should output
BIAS = 0.0  # the one-weight cell has no bias; the two-weight surface below frees it
START_W = 2.5  # the walk-through's example: w1 = 2.5, nudged to 3.5 and to 1.5
W_RANGE = (-1.0, 4.5)  # the part of the cost curve the page draws


def softplus(u):
    """log(1 + e^u) without overflow: a smooth ReLU."""
    return np.logaddexp(0.0, u)


def sigmoid(u):
    """1 / (1 + e^-u), the slope of softplus; written so that it never overflows."""
    u = np.asarray(u, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -u))


def predict(w, x=X, b=BIAS):
    """The cell's outputs for the inputs x: one forward pass."""
    return softplus(np.multiply.outer(np.asarray(w, dtype=np.float64), x) + b)


def cost(w, b=BIAS):
    """C(w): mean squared error of the cell over the seven points; w may be an array of weights."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.mean((predict(w, X, b) - T) ** 2, axis=-1)


def cost_derivative(w, b=BIAS):
    """dC/dw by the chain rule: mean of 2 (y - t) * sigmoid(w x + b) * x."""
    w = np.asarray(w, dtype=np.float64)
    u = np.multiply.outer(w, X) + b
    with np.errstate(over="ignore", invalid="ignore"):
        return np.mean(2.0 * (softplus(u) - T) * sigmoid(u) * X, axis=-1)


def cost_second_derivative(w, b=BIAS):
    """d2C/dw2, the curvature: it sets which learning rates are too large."""
    w = np.asarray(w, dtype=np.float64)
    u = np.multiply.outer(w, X) + b
    s = sigmoid(u)
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


# ---------------------------------------------------------------------------------------------
# Gradient descent in one dimension.

DIVERGED_AT = 1e6  # a weight this far out means the run has left the curve for good


@dataclass
class DescentRun:
    """The path of gradient descent: weights, costs, and how the run ended."""

    weights: list[float] = field(default_factory=list)
    costs: list[float] = field(default_factory=list)
    status: str = "running"  # "running", "converged" or "diverged"

    @property
    def steps(self) -> int:
        return len(self.weights) - 1


def descend_1d(w0: float, learning_rate: float, steps: int, f: Callable = cost,
               df: Callable = cost_derivative, tolerance: float = 1e-10) -> DescentRun:
    """Repeat w <- w - learning_rate * dC/dw; stop early on convergence or divergence."""
    run = DescentRun([float(w0)], [float(f(w0))])
    w = float(w0)
    for _ in range(int(steps)):
        with np.errstate(over="ignore", invalid="ignore"):
            w_next = w - learning_rate * float(df(w))
        if not np.isfinite(w_next) or abs(w_next) > DIVERGED_AT:
            run.status = "diverged"
            return run
        c = float(f(w_next))
        if not np.isfinite(c):
            run.status = "diverged"
            return run
        run.weights.append(w_next)
        run.costs.append(c)
        if abs(w_next - w) < tolerance:
            run.status = "converged"
            return run
        w = w_next
    return run


def describe_run(run: DescentRun, w_best: float) -> str:
    """Crawl, converge, oscillate or diverge: what the path did, in one word."""
    if run.status == "diverged":
        return "diverge"
    w = np.array(run.weights)
    if len(w) < 3:
        return "converge" if run.status == "converged" else "crawl"
    offsets = w - w_best
    crossings = int(np.sum(np.sign(offsets[1:]) * np.sign(offsets[:-1]) < 0))
    if abs(offsets[-1]) > abs(offsets[0]) and crossings:
        return "diverge"
    if crossings > len(w) // 4:
        return "oscillate"
    if abs(offsets[-1]) > 0.05 * abs(offsets[0]) + 1e-3:
        return "crawl"
    return "converge"


LEARNING_RATES = {"crawl": 0.01, "converge": 0.2, "oscillate": 0.5, "diverge": 0.7}


# ---------------------------------------------------------------------------------------------
# Optimizers: what to do with a gradient. Same formulas and defaults as Keras.

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


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "Gradient descent": GradientDescent, "Momentum": Momentum, "RMSprop": RMSprop, "Adam": Adam}


def make_optimizer(name: str, learning_rate: float) -> Optimizer:
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}: choose one of {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name](learning_rate)


# ---------------------------------------------------------------------------------------------
# Two weights: cost surfaces and optimizer paths.

@dataclass(frozen=True)
class Surface:
    """A cost over two weights, its gradient, where to start, and what to draw."""

    name: str
    description: str
    f: Callable  # f(w1, w2) -> cost, elementwise on arrays
    grad: Callable  # grad(w1, w2) -> (dC/dw1, dC/dw2)
    start: tuple[float, float]
    w1_range: tuple[float, float]
    w2_range: tuple[float, float]
    minimum: tuple[float, float]
    learning_rates: dict[str, float]  # a sensible default per optimizer
    labels: tuple[str, str] = ("w1", "w2")


def _valley(w1, w2):
    return 0.5 * (0.1 * w1**2 + 10.0 * w2**2)


def _valley_grad(w1, w2):
    return 0.1 * w1, 10.0 * w2


def _banana(w1, w2):
    return (1.0 - w1) ** 2 + 10.0 * (w2 - w1**2) ** 2


def _banana_grad(w1, w2):
    return -2.0 * (1.0 - w1) - 40.0 * w1 * (w2 - w1**2), 20.0 * (w2 - w1**2)


def _model_cost(w, b):
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    u = w[..., None] * X + b[..., None]
    with np.errstate(over="ignore", invalid="ignore"):
        return np.mean((softplus(u) - T) ** 2, axis=-1)


def _model_grad(w, b):
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    u = w[..., None] * X + b[..., None]
    with np.errstate(over="ignore", invalid="ignore"):
        common = 2.0 * (softplus(u) - T) * sigmoid(u)
        return np.mean(common * X, axis=-1), np.mean(common, axis=-1)


SURFACES = {
    "Long narrow valley": Surface(
        "Long narrow valley",
        "Steep across, gentle along: plain gradient descent zigzags across and crawls along.",
        _valley, _valley_grad, (-4.5, 1.2), (-5.0, 5.0), (-1.6, 1.6), (0.0, 0.0),
        {"Gradient descent": 0.18, "Momentum": 0.05, "RMSprop": 0.05, "Adam": 0.3}),
    "Small model: weight and bias": Surface(
        "Small model: weight and bias",
        "The one-weight cell of the curve above, now with a bias b as its second weight.",
        _model_cost, _model_grad, (3.0, 1.0), (-0.5, 4.0), (-3.0, 1.5), (np.nan, np.nan),
        {"Gradient descent": 0.1, "Momentum": 0.02, "RMSprop": 0.05, "Adam": 0.1},
        labels=("w (weight)", "b (bias)")),
    "Banana valley": Surface(
        "Banana valley",
        "A curved valley (Rosenbrock's): the floor bends, so no straight line leads down.",
        _banana, _banana_grad, (-1.5, 2.0), (-2.0, 2.0), (-1.0, 3.0), (1.0, 1.0),
        {"Gradient descent": 0.01, "Momentum": 0.003, "RMSprop": 0.03, "Adam": 0.1}),
}


@dataclass
class Path2D:
    """An optimizer's walk over a surface."""

    optimizer: str
    learning_rate: float
    points: np.ndarray  # (steps + 1, 2)
    costs: np.ndarray
    diverged: bool


def descend_2d(surface: Surface, optimizer: str, learning_rate: float, steps: int,
               start: tuple[float, float] | None = None, limit: float = 1e6) -> Path2D:
    """Run one optimizer from the surface's start; stops where the weights run off to infinity."""
    opt = make_optimizer(optimizer, learning_rate)
    w = np.array(start or surface.start, dtype=np.float64)
    points, costs, diverged = [w.copy()], [float(surface.f(*w))], False
    for _ in range(int(steps)):
        with np.errstate(over="ignore", invalid="ignore"):
            g = np.array(surface.grad(*w), dtype=np.float64)
            (w_next,) = opt.step([w], [g])
            c = float(surface.f(*w_next))
        if not (np.all(np.isfinite(w_next)) and np.isfinite(c)) or np.max(np.abs(w_next)) > limit:
            diverged = True
            break
        w = w_next
        points.append(w.copy())
        costs.append(c)
    return Path2D(optimizer, float(learning_rate), np.array(points), np.array(costs), diverged)


def surface_grid(surface: Surface, n: int = 80):
    """w1, w2 axes and the cost on their grid, for a contour plot."""
    w1 = np.linspace(*surface.w1_range, n)
    w2 = np.linspace(*surface.w2_range, n)
    return w1, w2, surface.f(w1[None, :], w2[:, None])


# ---------------------------------------------------------------------------------------------
# What nudging every weight would cost.

def count_weights(sizes) -> int:
    """Weights and biases of a dense network with these layer sizes: 784-512-10 -> 407,050."""
    return int(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])))


def nudge_forward_passes(sizes) -> int:
    """Two forward passes per weight for one gradient by nudging."""
    return 2 * count_weights(sizes)

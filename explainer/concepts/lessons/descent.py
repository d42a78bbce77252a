"""Walking downhill: gradient descent, in one weight and in two.

Gradient descent repeats w <- w - learning_rate * dC/dw: small rates crawl, good ones converge,
large ones overshoot and oscillate, too large ones diverge. With two weights the cost is a surface;
momentum, RMSprop and Adam (explainer.concepts.nn.optimizers) are smarter rules for the same step.
The one-weight model and the nudge live in explainer.concepts.lessons.nudging.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from explainer.concepts.lessons.nudging import (
    cost,
    cost_derivative,
    cost_gradient,
)
from explainer.concepts.nn.optimizers import (
    make_optimizer,
)

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


SURFACES = {
    "Long narrow valley": Surface(
        "Long narrow valley",
        "Steep across, gentle along: plain gradient descent zigzags across and crawls along.",
        _valley, _valley_grad, (-4.5, 1.2), (-5.0, 5.0), (-1.6, 1.6), (0.0, 0.0),
        {"Gradient descent": 0.18, "Momentum": 0.05, "RMSprop": 0.05, "Adam": 0.3}),
    "Small model: weight and bias": Surface(
        "Small model: weight and bias",
        "The one-weight cell of the curve above, now with a bias b as its second weight.",
        cost, cost_gradient, (3.0, 1.0), (-0.5, 4.0), (-3.0, 1.5), (np.nan, np.nan),
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

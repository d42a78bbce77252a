"""Lines: why a network needs a nonlinearity, told with one input x and one output y.

Learning is a search for a transformation of x that lands on the training y. A straight line
y = w x + b is one such transformation, learned here by gradient steps; but many targets are not
lines, and stacking straight lines gives again a straight line: the weights just multiply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from explainer.concepts.nn.activations import relu

DOMAIN = (-3.0, 3.0)


def mse(prediction, target) -> float:
    """Mean squared error: the average of (prediction - target)^2."""
    diff = np.asarray(prediction, dtype=float) - np.asarray(target, dtype=float)
    return float(np.mean(diff * diff)) if diff.size else 0.0


# ---- learning a line -------------------------------------------------------------------------

def line_points(n: int = 30, slope: float = 0.8, intercept: float = 0.5, noise: float = 0.4,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Training dots scattered around a straight line: x evenly random in the domain."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(*DOMAIN, size=n))
    return x, slope * x + intercept + noise * rng.standard_normal(n)


def fit_line(x, y) -> tuple[float, float]:
    """The least-squares line: the (w, b) that make mean((w x + b - y)^2) smallest."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size == 0:
        return 0.0, 0.0
    if x.size == 1 or np.ptp(x) == 0:
        return 0.0, float(y.mean())
    design = np.column_stack([x, np.ones_like(x)])
    (w, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(w), float(b)


def line_descent(x, y, steps: int, learning_rate: float = 0.05) -> list[tuple[float, float, float]]:
    """Gradient descent on (w, b) from (0, 0): the (w, b, mse) after each of ``steps`` steps.

    The slope of the cost with respect to w is mean(2 (w x + b - y) x), to b mean(2 (w x + b - y)).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    w = b = 0.0
    history = [(w, b, mse(w * x + b, y))]
    for _ in range(int(steps)):
        error = w * x + b - y
        w -= learning_rate * float(np.mean(2 * error * x))
        b -= learning_rate * float(np.mean(2 * error))
        history.append((w, b, mse(w * x + b, y)))
    return history


def line_equation(w: float, b: float) -> str:
    sign = "+" if b >= 0 else "−"
    return f"y = {w:.3f} x {sign} {abs(b):.3f}"


# ---- targets a line cannot follow ------------------------------------------------------------

TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine wave": lambda x: np.sin(1.5 * x),
    "|x|": np.abs,
    "bump": lambda x: 2.0 * np.exp(-2.0 * x * x),
    "step": lambda x: np.where(x > 0, 1.0, 0.0),
}
TARGET_FORMULAS = {"sine wave": "y = sin(1.5 x)", "|x|": "y = |x|", "bump": "y = 2 e^(−2x²)",
                   "step": "y = 0 for x ≤ 0, 1 for x > 0"}


def target_curve(name: str, n: int = 150) -> tuple[np.ndarray, np.ndarray]:
    """``n`` evenly spaced x over the domain and the target's y."""
    if name not in TARGETS:
        raise ValueError(f"unknown target {name!r}: choose one of {', '.join(TARGETS)}")
    x = np.linspace(*DOMAIN, n)
    return x, TARGETS[name](x).astype(float)


# ---- stacked linear layers -------------------------------------------------------------------

def compose_linear(layers: Sequence[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """The one linear map that equals layers applied in order.

    Layer i sends h to W_i h + b_i. Two in a row: W2 (W1 h + b1) + b2 = (W2 W1) h + (W2 b1 + b2),
    so the weights multiply and no bend ever appears. Works for numbers and for matrices.
    """
    if not layers:
        raise ValueError("need at least one layer")
    weight = np.atleast_2d(np.asarray(layers[0][0], dtype=float))
    bias = np.atleast_1d(np.asarray(layers[0][1], dtype=float))
    for w, b in layers[1:]:
        w = np.atleast_2d(np.asarray(w, dtype=float))
        weight, bias = w @ weight, w @ bias + np.atleast_1d(np.asarray(b, dtype=float))
    return weight, bias


def apply_stack(layers: Sequence[tuple[float, float]], x, relu_between: bool = False) -> np.ndarray:
    """Run x through scalar layers (w, b) one by one, optionally with ReLU between them."""
    h = np.asarray(x, dtype=float)
    for i, (w, b) in enumerate(layers):
        h = w * h + b
        if relu_between and i < len(layers) - 1:
            h = relu(h)
    return h

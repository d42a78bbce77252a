"""A chain of ReLU units: y = c + sum_i v_i max(0, w_i x + b_i), fitted to any curve.

Each unit adds one straight piece that bends at its hinge x = -b / w, so a sum of them is a chain
of straight pieces, and with enough units it follows any curve. The fit grows the chain one unit
at a time, then lets Adam move every weight and bias.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from explainer.concepts.lessons.lines import mse
from explainer.concepts.nn.activations import relu
from explainer.concepts.nn.optimizers import Adam

MAX_UNITS = 12
# The largest weight, bias, output weight and output bias a unit may have: the pages' slider
# ranges, which the fit respects too.
CHAIN_LIMITS = {"weight": 5.0, "bias": 15.0, "out_weight": 5.0, "out_bias": 5.0}


@dataclass
class ReluChain:
    """y = c + Σ_i v_i max(0, w_i x + b_i): each unit adds one bent straight piece."""

    weights: np.ndarray  # w_i: how steep the unit's ramp is, and which way it points
    biases: np.ndarray  # b_i: where it bends, at x = -b_i / w_i
    out_weights: np.ndarray  # v_i: how much of the ramp goes into the sum
    out_bias: float = 0.0  # c: lifts the whole sum

    def __post_init__(self):
        self.weights = np.asarray(self.weights, dtype=float).reshape(-1)
        self.biases = np.asarray(self.biases, dtype=float).reshape(-1)
        self.out_weights = np.asarray(self.out_weights, dtype=float).reshape(-1)
        self.out_bias = float(self.out_bias)
        if not (self.weights.size == self.biases.size == self.out_weights.size):
            raise ValueError("every unit needs a weight, a bias and an output weight")

    @property
    def units(self) -> int:
        return self.weights.size

    def pieces(self, x) -> np.ndarray:
        """One row per unit: v_i max(0, w_i x + b_i)."""
        x = np.asarray(x, dtype=float)
        hidden = relu(np.outer(self.weights, x) + self.biases[:, None])
        return self.out_weights[:, None] * hidden

    def __call__(self, x) -> np.ndarray:
        return self.out_bias + self.pieces(x).sum(axis=0)

    def hinges(self) -> np.ndarray:
        """Where each unit bends (NaN for a unit with weight 0, which never bends)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.weights != 0, -self.biases / self.weights, np.nan)

    def copy(self) -> ReluChain:
        return ReluChain(self.weights.copy(), self.biases.copy(), self.out_weights.copy(),
                         self.out_bias)

    def __repr__(self) -> str:
        return f"ReluChain({self.units} units, out_bias={self.out_bias:.3g})"


@dataclass
class ChainFit:
    """A fitted chain, its error, and snapshots of the way there (label, chain, mse)."""

    chain: ReluChain
    error: float
    snapshots: list[tuple[str, ReluChain, float]] = field(default_factory=list)
    errors: list[float] = field(default_factory=list)  # the error after 0, 1, ... units


def _solve_output(x, y, weights, biases) -> ReluChain:
    """With the hidden units fixed, the output weights and bias are a least-squares problem."""
    hidden = relu(np.outer(weights, x) + biases[:, None])
    design = np.column_stack([hidden.T, np.ones_like(x)])
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    return ReluChain(weights, biases, solution[:-1], solution[-1])


def add_unit(chain: ReluChain, x, y, candidates: int = 16) -> ReluChain:
    """One more unit: try a hinge at each of ``candidates`` places, pointing left or right.

    Keeps the old units and solves every output weight by least squares; a try whose output
    weights leave the limits is dropped. The old chain plus a silent unit (output weight 0) is
    always a candidate, so the error never grows.
    """
    low, high = float(x.min()), float(x.max())
    knots = np.linspace(low, high, candidates + 2)[1:-1]
    best = ReluChain(np.append(chain.weights, 1.0), np.append(chain.biases, -knots[0]),
                     np.append(chain.out_weights, 0.0), chain.out_bias)
    best_error = mse(best(x), y)
    for knot in knots:
        for direction in (1.0, -1.0):
            trial = _solve_output(x, y, np.append(chain.weights, direction),
                                  np.append(chain.biases, -direction * knot))
            if (np.abs(trial.out_weights).max() > CHAIN_LIMITS["out_weight"]
                    or abs(trial.out_bias) > CHAIN_LIMITS["out_bias"]):
                continue
            error = mse(trial(x), y)
            if error < best_error - 1e-12:
                best, best_error = trial, error
    return best


def _bounds(units: int) -> tuple[np.ndarray, np.ndarray]:
    limit = CHAIN_LIMITS
    high = np.concatenate([np.full(units, limit["weight"]), np.full(units, limit["bias"]),
                           np.full(units, limit["out_weight"]), [limit["out_bias"]]])
    return -high, high


def _pack(chain: ReluChain) -> np.ndarray:
    return np.concatenate([chain.weights, chain.biases, chain.out_weights, [chain.out_bias]])


def _unpack(theta: np.ndarray) -> ReluChain:
    n = (theta.size - 1) // 3
    return ReluChain(theta[:n].copy(), theta[n:2 * n].copy(), theta[2 * n:3 * n].copy(),
                     float(theta[-1]))


def chain_gradients(chain: ReluChain, x, y) -> tuple[float, tuple[np.ndarray, ...]]:
    """The mse and its slopes with respect to (w, b, v, c), by the chain rule."""
    error, grad = _mse_and_gradient(_pack(chain), np.asarray(x, dtype=float),
                                    np.asarray(y, dtype=float))
    n = chain.units
    return error, (grad[:n], grad[n:2 * n], grad[2 * n:3 * n], grad[-1])


def _mse_and_gradient(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    n = (theta.size - 1) // 3
    w, b, v, c = theta[:n], theta[n:2 * n], theta[2 * n:3 * n], theta[-1]
    pre = w[:, None] * x + b[:, None]
    hidden = relu(pre)
    error = c + v @ hidden - y
    d_out = (2.0 / x.size) * error  # slope of the mse with respect to each prediction
    d_pre = (v[:, None] * d_out) * (pre > 0)
    grad = np.concatenate([d_pre @ x, d_pre.sum(axis=1), hidden @ d_out, [d_out.sum()]])
    return float(error @ error) / x.size, grad


def refine(chain: ReluChain, x, y, steps: int, learning_rate: float = 0.01,
           frames: int = 0) -> tuple[ReluChain, float, list[tuple[str, ReluChain, float]]]:
    """Adam on every weight and bias for ``steps`` steps; the best chain seen, its mse, snapshots.

    Adam is gradient descent that keeps a running average of each slope (momentum) and divides
    by a running size of it, so every weight moves at a sensible pace. Every parameter is kept
    within CHAIN_LIMITS.
    """
    theta = _pack(chain)
    adam = Adam(learning_rate, epsilon=1e-8)
    keep = set(np.geomspace(1, steps, frames).astype(int)) if frames and steps else set()
    low, high = _bounds(chain.units)
    best, best_error, snapshots = theta.copy(), mse(chain(x), y), []
    for step in range(1, steps + 1):
        error, grad = _mse_and_gradient(theta, x, y)
        if error < best_error:
            best, best_error = theta.copy(), error
        (theta,) = adam.step([theta], [grad])
        np.clip(theta, low, high, out=theta)  # stay within the sliders' ranges
        if step in keep:
            after = _unpack(theta)
            snapshots.append((f"gradient step {step}", after, mse(after(x), y)))
    final_error, _ = _mse_and_gradient(theta, x, y)
    if final_error < best_error:
        best, best_error = theta.copy(), final_error
    return _unpack(best), best_error, snapshots


def fit_relu_chain(x, y, units: int, steps: int = 250, start: ReluChain | None = None,
                   frames: int = 8) -> ChainFit:
    """Fit ``units`` ReLU units to (x, y), growing the chain one unit at a time.

    Start from a flat line at the mean of y. Each round adds the unit whose hinge helps most
    (output weights by least squares), then lets Adam move every weight and bias for ``steps``
    steps, keeping the best chain seen. Adding a unit can only lower the error. Deterministic.
    ``start`` (the reader's own chain) becomes the first snapshot, to compare.
    """
    x, y = np.asarray(x, dtype=float).reshape(-1), np.asarray(y, dtype=float).reshape(-1)
    units = int(np.clip(units, 0, MAX_UNITS))
    snapshots: list[tuple[str, ReluChain, float]] = []
    if start is not None:
        snapshots.append(("your chain", start.copy(), mse(start(x), y)))
    chain = ReluChain([], [], [], float(y.mean()) if y.size else 0.0)
    error = mse(chain(x), y)
    errors = [error]
    for n in range(1, units + 1):
        chain = add_unit(chain, x, y)
        last = n == units
        label = f"{n} unit{'s' if n > 1 else ''}: hinge placed, output weights by least squares"
        snapshots.append((label, chain.copy(), mse(chain(x), y)))
        chain, error, steps_seen = refine(chain, x, y, steps, frames=frames if last else 0)
        snapshots.extend((f"{n} units, {lab}", c, e) for lab, c, e in steps_seen)
        if not last:
            snapshots.append((f"{n} unit{'s' if n > 1 else ''} after {steps} gradient steps",
                              chain.copy(), error))
        errors.append(error)
    if units == 0:
        snapshots.append(("no units: a flat line at the mean", chain, error))
    return ChainFit(chain, error, snapshots, errors)


def errors_by_units(x, y, max_units: int = MAX_UNITS, steps: int = 250) -> list[float]:
    """The best mse the fit reaches with 0, 1, ..., max_units units (never rising)."""
    return fit_relu_chain(x, y, max_units, steps=steps, frames=0).errors

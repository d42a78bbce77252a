"""Backpropagation: every weight's slope in one backward pass, by the chain rule.

A dense network: z = a_prev @ W + b, a = activation(z) for the hidden layers, softmax on the last
layer's scores. Forward, keep every z and a. Backward, start from the loss:
  dL/dz_out = p - y for cross-entropy (softmax and log cancel nicely),
  dL/dW = a_prev^T dL/dz,  dL/db = sum of dL/dz,
  dL/da_prev = dL/dz W^T,  dL/dz_prev = dL/da_prev * activation'(z_prev),
and repeat down to the input. The nudge (finite difference) gets the same numbers with two
forward passes per weight; backprop needs one forward and one backward pass for all of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from explainer.concepts.descent import Optimizer
from explainer.concepts.softmax_loss import (
    cross_entropy_from_scores,
    one_hot,
    softmax,
    squared_error,
)


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    # name: (f(z), f'(z))
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64)),
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
}
LOSSES = {"cross_entropy": "Cross-entropy", "squared_error": "Squared error"}


@dataclass
class Network:
    """Weights W[l] (cells in, cells out), biases b[l], a hidden activation, softmax out."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str = "relu"
    loss: str = "cross_entropy"

    def __post_init__(self):
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}")

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.weights[0].shape[0], *(w.shape[1] for w in self.weights))

    @property
    def n_parameters(self) -> int:
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def parameters(self) -> list[np.ndarray]:
        """[W0, b0, W1, b1, ...]: the order every gradient list follows."""
        return [p for wb in zip(self.weights, self.biases) for p in wb]

    def with_parameters(self, params: list[np.ndarray]) -> Network:
        return Network([np.array(p, dtype=np.float64) for p in params[0::2]],
                       [np.array(p, dtype=np.float64) for p in params[1::2]],
                       self.activation, self.loss)

    def copy(self) -> Network:
        return self.with_parameters(self.parameters())

    def __repr__(self) -> str:
        shape = "-".join(str(s) for s in self.sizes)
        return (f"Network({shape}, {self.activation}, {self.loss}, "
                f"{self.n_parameters:,} parameters)")


def init_network(sizes, activation: str = "relu", loss: str = "cross_entropy", seed: int = 0,
                 bias_scale: float = 0.0, decimals: int | None = None) -> Network:
    """Glorot-uniform weights (Keras' default) and zero or small random biases.

    ``decimals`` rounds the starting numbers so that a tiny network's diagram stays readable.
    """
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (n_in + n_out))
        weights.append(rng.uniform(-limit, limit, (n_in, n_out)))
        biases.append(rng.uniform(-bias_scale, bias_scale, n_out) if bias_scale else
                      np.zeros(n_out))
    if decimals is not None:
        weights = [np.round(w, decimals) for w in weights]
        biases = [np.round(b, decimals) for b in biases]
    return Network(weights, biases, activation, loss)


def digit_inputs(images: np.ndarray) -> np.ndarray:
    """uint8 digits (N, 28, 28) -> (N, 784) float64 pixels scaled to 0-1."""
    images = np.asarray(images)
    return images.reshape(len(images), -1).astype(np.float64) / 255.0


def example_losses(net: Network, scores: np.ndarray, labels) -> np.ndarray:
    """The loss of each example from the output layer's raw scores."""
    target = one_hot(labels, net.sizes[-1])
    if net.loss == "cross_entropy":
        return cross_entropy_from_scores(scores, target)
    return squared_error(softmax(scores), target)


@dataclass
class ForwardPass:
    """Everything the forward pass computed: a[0] is the input, z[l] and a[l] per layer."""

    z: list[np.ndarray]  # z[0] is None (the input has no weighted sum)
    a: list[np.ndarray]  # a[-1] is the softmax output
    losses: np.ndarray  # one per example

    @property
    def probabilities(self) -> np.ndarray:
        return self.a[-1]

    @property
    def scores(self) -> np.ndarray:
        return self.z[-1]

    @property
    def loss(self) -> float:
        """The cost of the batch: the mean of the examples' losses."""
        return float(np.mean(self.losses))


def forward(net: Network, x: np.ndarray, labels) -> ForwardPass:
    """Input to probabilities, layer by layer, keeping every weighted sum and activation."""
    f, _ = ACTIVATIONS[net.activation]
    a = [np.atleast_2d(np.asarray(x, dtype=np.float64))]
    z: list = [None]
    last = len(net.weights) - 1
    for layer, (w, b) in enumerate(zip(net.weights, net.biases)):
        z.append(a[-1] @ w + b)
        a.append(softmax(z[-1]) if layer == last else f(z[-1]))
    return ForwardPass(z, a, example_losses(net, z[-1], np.atleast_1d(labels)))


def loss(net: Network, x: np.ndarray, labels) -> float:
    """The batch's cost after one forward pass (what a nudge measures)."""
    f, _ = ACTIVATIONS[net.activation]
    a = np.atleast_2d(np.asarray(x, dtype=np.float64))
    for w, b in zip(net.weights[:-1], net.biases[:-1]):
        a = f(a @ w + b)
    scores = a @ net.weights[-1] + net.biases[-1]
    return float(np.mean(example_losses(net, scores, np.atleast_1d(labels))))


@dataclass
class BackwardPass:
    """Every factor of the chain rule, layer by layer (index l matches ForwardPass.z[l])."""

    dloss_dprob: np.ndarray  # dL/dp at the output
    dloss_dz: list  # dL/dz[l]; [0] is None
    dloss_da: list  # dL/da[l] for the hidden layers; [0] (the input) and [-1] are None
    slopes: list  # activation'(z[l]) for the hidden layers; [0] and [-1] are None
    weight_grads: list[np.ndarray]  # dL/dW[l-1]
    bias_grads: list[np.ndarray]

    def gradients(self) -> list[np.ndarray]:
        """[dW0, db0, dW1, db1, ...] in the order of Network.parameters()."""
        return [g for wb in zip(self.weight_grads, self.bias_grads) for g in wb]


def backward(net: Network, fp: ForwardPass, labels) -> BackwardPass:
    """From the loss back to the input: one pass, every weight's gradient (mean over the batch)."""
    _, slope = ACTIVATIONS[net.activation]
    labels = np.atleast_1d(labels)
    n = len(labels)
    p = fp.probabilities
    y = one_hot(labels, p.shape[-1])
    n_layers = len(net.weights)
    dz: list = [None] * (n_layers + 1)
    da: list = [None] * (n_layers + 1)
    slopes: list = [None] * (n_layers + 1)
    if net.loss == "cross_entropy":
        dprob = -y / np.clip(p, 1e-300, None) / n
        dz[-1] = (p - y) / n  # softmax and the log cancel: no division by p needed
    else:
        dprob = 2.0 * (p - y) / n
        dz[-1] = p * (dprob - np.sum(dprob * p, axis=-1, keepdims=True))  # softmax Jacobian
    weight_grads: list = [None] * n_layers
    bias_grads: list = [None] * n_layers
    for layer in range(n_layers, 0, -1):
        weight_grads[layer - 1] = fp.a[layer - 1].T @ dz[layer]
        bias_grads[layer - 1] = np.sum(dz[layer], axis=0)
        if layer > 1:
            da[layer - 1] = dz[layer] @ net.weights[layer - 1].T
            slopes[layer - 1] = slope(fp.z[layer - 1])
            dz[layer - 1] = da[layer - 1] * slopes[layer - 1]
    return BackwardPass(dprob, dz, da, slopes, weight_grads, bias_grads)


def gradients(net: Network, x: np.ndarray, labels) -> list[np.ndarray]:
    """Backprop: one forward pass, one backward pass, every gradient."""
    return backward(net, forward(net, x, labels), labels).gradients()


def nudge_gradients(net: Network, x: np.ndarray, labels, h: float = 1e-5,
                    indices: np.ndarray | None = None,
                    progress: Callable[[float], None] | None = None) -> np.ndarray:
    """Centred nudges (L(w + h) - L(w - h)) / 2h, two forward passes per weight.

    ``indices`` picks weights by their position in the flat list of all parameters (default:
    all); the answer has one slope per index. ``progress`` is called with the fraction done.
    """
    if not h > 0:
        raise ValueError("the nudge h must be positive")
    params = [p.copy() for p in net.parameters()]
    probe = net.with_parameters(params)
    probe_params = probe.parameters()  # views into probe's arrays
    offsets = np.cumsum([0] + [p.size for p in params])
    if indices is None:
        indices = np.arange(offsets[-1])
    indices = np.asarray(indices, dtype=int)
    slopes = np.empty(len(indices))
    report_every = max(1, len(indices) // 50)
    for k, flat in enumerate(indices):
        which = int(np.searchsorted(offsets, flat, side="right") - 1)
        array = probe_params[which].reshape(-1)
        position = flat - offsets[which]
        original = array[position]
        array[position] = original + h
        up = loss(probe, x, labels)
        array[position] = original - h
        down = loss(probe, x, labels)
        array[position] = original
        slopes[k] = (up - down) / (2.0 * h)
        if progress is not None and (k % report_every == 0 or k == len(indices) - 1):
            progress((k + 1) / len(indices))
    return slopes


def flatten(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.ravel(a) for a in arrays])


def relative_difference(a, b, floor: float = 1e-8) -> np.ndarray:
    """|a - b| / max(|a|, |b|, floor): 1e-6 means the two agree to about 6 digits."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)


def matching_digits(a, b) -> np.ndarray:
    """How many leading significant digits two numbers share (16 when equal)."""
    rel = relative_difference(a, b, floor=1e-300)
    with np.errstate(divide="ignore"):
        return np.clip(np.floor(-np.log10(np.maximum(rel, 1e-16))), 0, 16).astype(int)


# ---------------------------------------------------------------------------------------------
# Naming the cells and connections of a small network, for diagrams and tables.

def cell_names(sizes) -> list[list[str]]:
    """x1, x2 for the inputs; h1.. for one hidden layer (h1_1.. for several); o1.. for outputs."""
    names = [[f"x{i + 1}" for i in range(sizes[0])]]
    hidden = len(sizes) - 2
    for layer in range(1, len(sizes) - 1):
        prefix = "h" if hidden == 1 else f"h{layer}_"
        names.append([f"{prefix}{i + 1}" for i in range(sizes[layer])])
    names.append([f"o{i + 1}" for i in range(sizes[-1])])
    return names


def parameter_names(net: Network) -> list[str]:
    """One name per parameter, in the flat order: 'w x1→h2' for a weight, 'b h2' for a bias."""
    cells = cell_names(net.sizes)
    names = []
    for layer, w in enumerate(net.weights):
        names += [f"w {cells[layer][i]}→{cells[layer + 1][j]}"
                  for i in range(w.shape[0]) for j in range(w.shape[1])]
        names += [f"b {cells[layer + 1][j]}" for j in range(w.shape[1])]
    return names


def gradient_check_rows(net: Network, x, labels, h: float = 1e-5) -> list[dict]:
    """Each parameter's backprop gradient beside its nudge estimate, and how well they agree."""
    exact = flatten(gradients(net, x, labels))
    estimate = nudge_gradients(net, x, labels, h=h)
    digits = matching_digits(exact, estimate)
    return [{"parameter": name, "value": float(v), "backprop dL/dw": float(g),
             "nudge estimate": float(e), "relative difference": float(r),
             "matching digits": int(d)}
            for name, v, g, e, r, d in zip(parameter_names(net), flatten(net.parameters()), exact,
                                           estimate, relative_difference(exact, estimate),
                                           digits)]


# ---------------------------------------------------------------------------------------------
# Training: gradients in, optimizer step, repeat.

def train(net: Network, x: np.ndarray, labels, optimizer: Optimizer, steps: int,
          batch_size: int | None = None, seed: int = 0) -> tuple[Network, list[float]]:
    """Run ``steps`` optimizer steps; returns the new network and the loss before each step.

    With ``batch_size`` each step uses a random batch of the examples; without, all of them.
    Stops early once the loss or the weights stop being finite (a learning rate far too large):
    fewer losses than steps then means the run diverged.
    """
    rng = np.random.default_rng(seed)
    labels = np.atleast_1d(labels)
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    history = []
    for _ in range(int(steps)):
        if batch_size is not None and batch_size < len(labels):
            pick = rng.choice(len(labels), batch_size, replace=False)
            xb, yb = x[pick], labels[pick]
        else:
            xb, yb = x, labels
        with np.errstate(over="ignore", invalid="ignore"):
            fp = forward(net, xb, yb)
            if not np.isfinite(fp.loss):
                break
            history.append(fp.loss)
            params = optimizer.step(net.parameters(), backward(net, fp, yb).gradients())
        if not all(np.all(np.isfinite(p)) for p in params):
            break
        net = net.with_parameters(params)
    return net, history


# ---------------------------------------------------------------------------------------------
# What nudging costs next to backprop, measured.

@dataclass(frozen=True)
class GradientTiming:
    """Seconds for one backprop gradient and for nudging a sample of weights, and agreement."""

    sizes: tuple[int, ...]
    batch: int
    n_parameters: int
    n_nudged: int
    backprop_seconds: float
    nudge_seconds: float  # for the n_nudged weights
    max_relative_difference: float  # the worst single nudged weight
    overall_relative_difference: float  # |backprop - nudge| / |backprop| over the nudged weights
    median_matching_digits: int

    @property
    def nudge_all_seconds(self) -> float:
        """Extrapolated: every weight nudged, at the measured time per weight."""
        return self.nudge_seconds / self.n_nudged * self.n_parameters

    @property
    def ratio(self) -> float:
        return self.nudge_all_seconds / self.backprop_seconds

    @property
    def forward_passes(self) -> int:
        return 2 * self.n_parameters


def time_gradients(net: Network, x: np.ndarray, labels, n_nudged: int = 300, seed: int = 0,
                   h: float = 1e-5, repeats: int = 5,
                   progress: Callable[[float], None] | None = None) -> GradientTiming:
    """Time backprop (best of ``repeats``) and the nudge of ``n_nudged`` random weights."""
    n_parameters = net.n_parameters
    n_nudged = int(min(max(n_nudged, 1), n_parameters))
    rng = np.random.default_rng(seed)
    # nudge weights that matter: pick among those backprop finds non-zero (pixels that are
    # background in every digit of the batch have slope exactly 0 and would agree trivially)
    exact = flatten(gradients(net, x, labels))
    candidates = np.flatnonzero(exact != 0.0)
    if len(candidates) < n_nudged:
        candidates = np.arange(n_parameters)
    indices = np.sort(rng.choice(candidates, n_nudged, replace=False))
    best = np.inf
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        exact = flatten(gradients(net, x, labels))
        best = min(best, time.perf_counter() - start)
    start = time.perf_counter()
    estimate = nudge_gradients(net, x, labels, h=h, indices=indices, progress=progress)
    nudge_seconds = time.perf_counter() - start
    picked = exact[indices]
    overall = np.linalg.norm(picked - estimate) / max(np.linalg.norm(picked), 1e-300)
    return GradientTiming(net.sizes, int(np.atleast_2d(x).shape[0]), n_parameters, n_nudged,
                          best, nudge_seconds,
                          float(np.max(relative_difference(picked, estimate))), float(overall),
                          int(np.median(matching_digits(picked, estimate))))

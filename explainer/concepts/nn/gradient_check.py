"""Checking backprop against nudges, and what nudging every weight would cost.

The nudge (a centred finite difference) finds a weight's slope with two forward passes:
(L(w + h) - L(w - h)) / 2h. It is slow, one weight at a time, but it needs no calculus, so it is
the independent check of backprop's numbers. For the 784-512-10 network it would take 814,100
forward passes per gradient; backprop needs one forward and one backward pass for all of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from explainer.concepts.nn.backward_pass import gradients
from explainer.concepts.nn.network import Network, loss, parameter_names
from explainer.concepts.nn.parameters import total_parameters


def nudge_forward_passes(sizes) -> int:
    """Two forward passes per weight for one gradient by nudging: 814,100 for 784-512-10."""
    return 2 * total_parameters(sizes)


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

"""Backpropagation: every weight's slope in one backward pass, by the chain rule, and training.

A dense network (explainer.concepts.nn.network) runs forward and keeps every z and a; the backward
pass (explainer.concepts.nn.backward_pass) turns the loss into every weight's gradient; the nudge
(explainer.concepts.nn.gradient_check) gets the same numbers with two forward passes per weight.
Training repeats: gradients in, optimizer step, new weights: that loop is this module.
"""

from __future__ import annotations

import numpy as np

from explainer.concepts.nn.backward_pass import backward
from explainer.concepts.nn.network import (
    Network,
    forward,
)
from explainer.concepts.nn.optimizers import Optimizer

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

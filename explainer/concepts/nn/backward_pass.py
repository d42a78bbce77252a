"""The backward pass: every weight's slope in one sweep from the loss back to the input.

Start from the loss: dL/dz_out = p - y for cross-entropy (softmax and log cancel nicely). Then per
layer, by the chain rule:
  dL/dW = a_prev^T dL/dz,  dL/db = sum of dL/dz,
  dL/da_prev = dL/dz W^T,  dL/dz_prev = dL/da_prev * activation'(z_prev),
and repeat down to the input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explainer.concepts.nn.activations import activation, one_hot
from explainer.concepts.nn.network import ForwardPass, Network, forward


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
    slope = activation(net.activation).derivative
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

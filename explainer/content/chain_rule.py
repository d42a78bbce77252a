"""The chain rule behind each backward step of the Backpropagation page, with its numbers.

The page says each step in words first; these texts are what "Go deeper" adds: the formula the
words write down, then the example's own numbers put into it.
"""

from __future__ import annotations

import numpy as np

FORMULAS = (
    "Each cell: **z = Σ x·w + b**, then **a = f(z)**; the outputs: **p = softmax(z)**.",
    "For softmax with cross-entropy the chain rule collapses to **∂L/∂z = p − y**: the "
    "probability minus the correct answer y (1 or 0).",
    "The score z = Σ a·w + b, so ∂z/∂w = a, the activation the weight carries. Chain rule: "
    "**∂L/∂w = a × ∂L/∂z**. For a bias ∂z/∂b = 1, so ∂L/∂b = ∂L/∂z.",
    "A hidden cell's activation reaches the loss through every output it feeds: "
    "**∂L/∂a = Σ w × ∂L/∂z** over those outputs.",
    "a = f(z), so **∂L/∂z = ∂L/∂a × f′(z)**, the slope of the activation where the cell is.",
    "As for the output weights: **∂L/∂w = x × ∂L/∂z**.",
)
SLOPES = {"relu": "1 if z > 0 else 0", "sigmoid": "a(1 − a)", "tanh": "1 − a²"}


def stage_numbers(stage: int, net, fp, back, names, activation: str, loss_name: str,
                  inputs: tuple[float, float]) -> str:
    """The formula of one step with the example's numbers in it, as markdown."""
    label_p = fp.probabilities[0]
    if stage == 0:
        x1, x2 = inputs
        return (f"For example h1: z = ({x1:g})·({net.weights[0][0, 0]:.2f}) + "
                f"({x2:g})·({net.weights[0][1, 0]:.2f}) + ({net.biases[0][0]:.2f}) = "
                f"{fp.z[1][0, 0]:.4f}, a = {activation}(z) = {fp.a[1][0, 0]:.4f}.")
    if stage == 1:
        dz = back.dloss_dz[2][0]
        if loss_name == "cross_entropy":
            y = np.round(label_p - dz).astype(int)
            return "  \n".join(f"{n}: {label_p[k]:.4f} − {y[k]} = {dz[k]:.4f}"
                               for k, n in enumerate(names[2]))
        return ("With squared error the softmax does not cancel: ∂L/∂z = p · (g − Σ g·p) with "
                "g = 2(p − y). " + ", ".join(f"{n}: {dz[k]:.4f}" for k, n in enumerate(names[2])))
    if stage == 2:
        i, j = np.unravel_index(np.argmax(np.abs(back.weight_grads[1])), net.weights[1].shape)
        return (f"Largest here, {names[1][i]}→{names[2][j]}: a = {fp.a[1][0, i]:.4f} × "
                f"∂L/∂z = {back.dloss_dz[2][0, j]:.4f} → **{back.weight_grads[1][i, j]:.5f}**")
    if stage == 3:
        terms = " + ".join(f"({net.weights[1][0, j]:.2f})·({back.dloss_dz[2][0, j]:.4f})"
                           for j in range(net.weights[1].shape[1]))
        return f"h1: ∂L/∂a = {terms} = **{back.dloss_da[1][0, 0]:.5f}**"
    if stage == 4:
        return (f"Slope of {activation}: {SLOPES[activation]}. "
                + ", ".join(f"{n}: {s:.4f}" for n, s in zip(names[1], back.slopes[1][0])))
    i, j = np.unravel_index(np.argmax(np.abs(back.weight_grads[0])), net.weights[0].shape)
    return (f"Largest here, {names[0][i]}→{names[1][j]}: x = {fp.a[0][0, i]:.4f} × "
            f"∂L/∂z = {back.dloss_dz[1][0, j]:.4f} → **{back.weight_grads[0][i, j]:.5f}**")

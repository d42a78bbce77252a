"""The small network of the Backpropagation page with every number on it, and its loss curve.

Connections are blue for a positive weight and orange for a negative one, thicker when larger.
As the backward pass reaches a layer, each weight's blame (its gradient g) appears under it, and
the weights with the most blame, the ones a training step will change most, turn purple.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explainer.charts import style
from explainer.charts.memo import remembered
from explainer.charts.numbers import short

BACKWARD_STAGES = (
    "Forward pass",
    "1. Blame at the output",
    "2. The output weights",
    "3. Back into the hidden layer",
    "4. Through the activation",
    "5. The input weights",
)
LABEL_BOX = style.with_alpha(style.DATA, 0.35)  # behind numbers on lines: reads in both themes


CELL_SIZE = 72  # pixels
PIXELS_PER_UNIT = (200.0, 90.0)  # about how many pixels one unit of x and y spans on the page


def _trim(dx: float, dy: float) -> float:
    """The share of a line, at each end, hidden under a cell of CELL_SIZE pixels."""
    length = np.hypot(dx * PIXELS_PER_UNIT[0], dy * PIXELS_PER_UNIT[1])
    return min(0.45, (CELL_SIZE / 2 + 2) / length) if length else 0.0


def _connections(fig, net, back, revealed, names, x_pos, y_pos, highlight):
    shown = [np.abs(back.weight_grads[i]).ravel() for i in range(2) if revealed[i]]
    ranked = np.sort(np.concatenate(shown)) if shown else np.array([])
    threshold = ranked[-highlight] if len(ranked) >= highlight > 0 else np.inf
    max_w = max(float(np.max(np.abs(w))) for w in net.weights) or 1.0
    for layer, w in enumerate(net.weights):
        grads = back.weight_grads[layer]
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                x0, y0 = x_pos[layer], y_pos[layer][i]
                x1, y1 = x_pos[layer + 1], y_pos[layer + 1][j]
                weight, grad = float(w[i, j]), float(grads[i, j])
                big = revealed[layer] and abs(grad) >= threshold
                width = 1 + 4 * abs(weight) / max_w
                colour = style.sign_colour(weight)
                label = f"w {weight:.2f}"
                if revealed[layer]:
                    label += f"<br><b>g {short(grad)}</b>"
                    colour = style.CHANGING if big else style.with_alpha(colour, 0.45)
                    width = 7 if big else width
                cut = _trim(x1 - x0, y1 - y0)  # the line ends at the cells' edges
                fig.add_scatter(x=[x0 + cut * (x1 - x0), x1 - cut * (x1 - x0)],
                                y=[y0 + cut * (y1 - y0), y1 - cut * (y1 - y0)], mode="lines",
                                line=dict(color=colour, width=width), hoverinfo="skip",
                                showlegend=False)
                t = 0.26 if layer == 0 else 0.72  # clear of the crossings and the cell notes
                fig.add_annotation(x=x0 + t * (x1 - x0), y=y0 + t * (y1 - y0),
                                   text=("★ " if big else "") + label, showarrow=False,
                                   font=dict(size=12), bgcolor=LABEL_BOX, borderpad=1,
                                   bordercolor=style.CHANGING if big else style.TRANSPARENT,
                                   hovertext=f"{names[layer][i]} → {names[layer + 1][j]}: "
                                             f"weight {weight:.6g}, blame g {grad:.6g}")


@remembered()
def network_diagram(net, fp, back, stage: int, names: list[list[str]], correct: int,
                    highlight: int = 3) -> go.Figure:
    """The 1-hidden-layer network with every number on it; ``stage`` reveals the backward pass.

    Stage 0 shows the forward pass: the weight w on each connection, the sum z and the activation
    a in each cell. Stages 1-5 walk back from the output: each cell's blame appears under it and
    each weight's gradient g under the weight; the ``highlight`` largest are marked ★.
    """
    if len(net.weights) != 2:
        raise ValueError("the diagram draws networks with exactly one hidden layer")
    sizes = net.sizes
    spacing = 1.5
    x_pos = [0.0, 1.0, 2.0]
    y_pos = [np.linspace((n - 1) / 2, -(n - 1) / 2, n) * spacing for n in sizes]
    revealed = [stage >= 5, stage >= 2]  # weight gradients shown per layer of weights
    fig = go.Figure()
    _connections(fig, net, back, revealed, names, x_pos, y_pos, highlight)
    inside = [[f"x {v:.2f}" for v in fp.a[0][0]],
              [f"z {z:.2f}<br>a {a:.2f}" for z, a in zip(fp.z[1][0], fp.a[1][0])],
              [f"z {z:.2f}<br>p {p:.2f}" for z, p in zip(fp.z[2][0], fp.a[2][0])]]
    below = [[""] * sizes[0], [""] * sizes[1], [""] * sizes[2]]
    if stage >= 1:
        below[2] = [f"blame {short(d)}" for d in back.dloss_dz[2][0]]
    if stage >= 3:
        below[1] = [f"blame on a {short(d)}" for d in back.dloss_da[1][0]]
    if stage >= 4:
        below[1] = [f"blame on a {short(d)} × slope {short(s)}<br>= blame on z {short(z)}"
                    for d, s, z in zip(back.dloss_da[1][0], back.slopes[1][0],
                                       back.dloss_dz[1][0])]
    fills = [style.with_alpha(style.DATA, 0.3), style.with_alpha(style.MODEL, 0.3),
             style.with_alpha(style.MODEL, 0.3)]
    for layer in range(3):
        biases = ([""] * sizes[0] if layer == 0 else
                  [f"b {b:.2f}" for b in net.biases[layer - 1]])
        right = [layer == 2 and k == correct for k in range(sizes[layer])]
        fig.add_scatter(x=[x_pos[layer]] * sizes[layer], y=y_pos[layer], mode="markers+text",
                        marker=dict(size=CELL_SIZE, color=fills[layer],
                                    line=dict(color=[style.RIGHT if r else style.FAINT
                                                     for r in right],
                                              width=[5 if r else 1.5 for r in right])),
                        text=inside[layer], textfont=dict(size=13), showlegend=False,
                        hoverinfo="text",
                        hovertext=[f"{n} {b}" for n, b in zip(names[layer], biases)])
        for k in range(sizes[layer]):
            title = f"<b>{names[layer][k]}</b>"
            if biases[k]:
                title += f"<br>{biases[k]}" if layer == 2 else f"  {biases[k]}"
            if right[k]:
                title = f"<b>{style.RIGHT_MARK} correct</b><br>" + title
            y = y_pos[layer][k]
            side = (dict(x=x_pos[0] - 0.2, y=y, xanchor="right") if layer == 0 else
                    dict(x=x_pos[1], y=y + 0.42, yanchor="bottom") if layer == 1 else
                    dict(x=x_pos[2] + 0.2, y=y, xanchor="left"))
            fig.add_annotation(text=title, showarrow=False, font=dict(size=12), **side)
            if below[layer][k]:
                fig.add_annotation(x=x_pos[layer], y=y_pos[layer][k] - 0.42,
                                   text=below[layer][k], showarrow=False, yanchor="top",
                                   font=dict(size=12), bgcolor=LABEL_BOX)
    top = (max(sizes) - 1) / 2 * spacing
    fig.update_xaxes(visible=False, range=[-0.42, 2.5])
    fig.update_yaxes(visible=False, range=[-top - 1.05, top + 0.75])
    return style.tidy(fig, 430, margin=dict(l=0, r=0, t=0, b=0))


@remembered()
def loss_history_figure(history: list[float], steps: list[int] | None = None) -> go.Figure:
    """The loss before each training step, and now (``steps``: the step numbers, when not every
    step is kept)."""
    fig = go.Figure(go.Scatter(x=steps, y=history, mode="lines+markers", marker=dict(size=4),
                               line=dict(color=style.MODEL), name="loss",
                               hovertemplate="step %{x}: loss %{y:.5f}<extra></extra>"))
    fig.update_xaxes(title="training step")
    fig.update_yaxes(title="loss", rangemode="tozero")
    return style.tidy(fig, 260, title="The loss, step by step")

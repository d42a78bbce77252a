"""The small network of the Backpropagation page with every number on it, and its loss curve.

The network is drawn from the top down, inputs first, so it reads on a phone as well as on a
laptop: three rows of cells, at most three side by side. Each cell says in words what it holds
(its sum, its output, its probability); the letters of the formulas (z, a, p, g, b) are left to
the page's "Go deeper". Connections are blue for a positive weight and orange for a negative one,
thicker when larger, and carry their weight as a label placed along the wire where no other
label is. As the backward pass reaches a layer, each cell's blame appears under it and each
weight's blame under its weight; the weights with the most blame, the ones a training step will
change most, turn purple and get a ★.
"""

from __future__ import annotations

import functools
import itertools

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
LABEL_BOX = style.with_alpha(style.DATA, 0.2)  # behind numbers on lines: reads in both themes

HEIGHT = 560  # pixels
ROWS_Y = (4.2, 2.4, 0.0)  # inputs, hidden cells, outputs (room below the hidden notes)
Y_RANGE = (-0.9, 4.6)
X_RANGE = (-1.65, 1.65)
CELL_SIZE = 78  # pixels
FONT = 11
# The narrowest the diagram is drawn (a phone): labels are placed to stay apart at this width.
PIXELS_PER_UNIT = (340 / (X_RANGE[1] - X_RANGE[0]), HEIGHT / (Y_RANGE[1] - Y_RANGE[0]))
# Heights where the weights' labels may sit, per band of wires: clear of the cells above and
# below and of the notes under the upper row's cells.
LABEL_LEVELS = ((3.66, 3.3, 2.94), (1.44, 0.99, 0.54))


def cell_x(count: int) -> np.ndarray:
    """Where the cells of a row sit across: two at ±0.55, three at -1.1, 0, 1.1."""
    return np.linspace(-1.1, 1.1, 3) if count == 3 else np.linspace(-0.55, 0.55, count) \
        if count > 1 else np.zeros(1)


@functools.lru_cache(maxsize=8)
def label_places(above: int, below: int, band: int) -> tuple[float, ...]:
    """For each wire of a band (i above, j below, in row order), how far along it its label sits.

    Each label gets one of the band's heights, at most two labels a height, chosen so that the
    two labels sharing a height are as far apart across as they can be.
    """
    top, bottom = ROWS_Y[band], ROWS_Y[band + 1]
    xs_above, xs_below = cell_x(above), cell_x(below)
    wires = [(i, j) for i in range(above) for j in range(below)]
    levels = LABEL_LEVELS[band]
    best, best_gap = None, -1.0
    for choice in itertools.product(range(len(levels)), repeat=len(wires)):
        if max(choice.count(level) for level in range(len(levels))) > 2:
            continue
        across: dict[int, list[float]] = {}
        for (i, j), level in zip(wires, choice):
            t = (top - levels[level]) / (top - bottom)
            across.setdefault(level, []).append(xs_above[i] + t * (xs_below[j] - xs_above[i]))
        gap = min((abs(v[0] - v[1]) for v in across.values() if len(v) == 2), default=9.0)
        if gap > best_gap:
            best, best_gap = choice, gap
    return tuple((top - levels[level]) / (top - bottom) for level in best)


def _trim(dy: float) -> float:
    """The share of a wire, at each end, hidden under a cell (the wires run mostly up-down)."""
    length = abs(dy) * PIXELS_PER_UNIT[1]
    return min(0.45, (CELL_SIZE / 2 + 2) / length) if length else 0.0


def _connections(fig, net, back, revealed, names, x_pos, highlight):
    shown = [np.abs(back.weight_grads[i]).ravel() for i in range(2) if revealed[i]]
    ranked = np.sort(np.concatenate(shown)) if shown else np.array([])
    threshold = ranked[-highlight] if len(ranked) >= highlight > 0 else np.inf
    max_w = max(float(np.max(np.abs(w))) for w in net.weights) or 1.0
    for layer, w in enumerate(net.weights):
        grads = back.weight_grads[layer]
        places = label_places(w.shape[0], w.shape[1], layer)
        y0, y1 = ROWS_Y[layer], ROWS_Y[layer + 1]
        for k, (i, j) in enumerate(itertools.product(range(w.shape[0]), range(w.shape[1]))):
            x0, x1 = x_pos[layer][i], x_pos[layer + 1][j]
            weight, grad = float(w[i, j]), float(grads[i, j])
            big = revealed[layer] and abs(grad) >= threshold and abs(grad) > 0
            width = 1 + 4 * abs(weight) / max_w
            colour = style.sign_colour(weight)
            label = f"{weight:.2f}"
            if revealed[layer]:
                label = ("★ " if big else "") + f"{weight:.2f}<br><b>blame {_num(grad)}</b>"
                colour = style.CHANGING if big else style.with_alpha(colour, 0.45)
                width = 7 if big else width
            cut = _trim(y1 - y0)  # the wire ends at the cells' edges
            fig.add_scatter(x=[x0 + cut * (x1 - x0), x1 - cut * (x1 - x0)],
                            y=[y0 + cut * (y1 - y0), y1 - cut * (y1 - y0)], mode="lines",
                            line=dict(color=colour, width=width), hoverinfo="skip",
                            showlegend=False)
            t = places[k]
            fig.add_annotation(x=x0 + t * (x1 - x0), y=y0 + t * (y1 - y0), text=label,
                               showarrow=False, font=dict(size=FONT), bgcolor=LABEL_BOX,
                               borderpad=2, bordercolor=style.CHANGING if big else
                               style.TRANSPARENT,
                               hovertext=f"{names[layer][i]} → {names[layer + 1][j]}: "
                                         f"weight {weight:.6g}, blame {grad:.6g}")


def _num(value: float) -> str:
    """A number for a label, a few digits long, never "-0"."""
    return short(float(value) + 0.0, 2)


def _cell_fill(value: float) -> str:
    """A cell filled by the sign of its value: blue above 0, orange below, faint at 0."""
    if abs(value) < 1e-12:
        return style.NEUTRAL
    return style.with_alpha(style.sign_colour(value), 0.28)


@remembered()
def network_diagram(net, fp, back, stage: int, names: list[list[str]], correct: int,
                    highlight: int = 3) -> go.Figure:
    """The 1-hidden-layer network with every number on it; ``stage`` reveals the backward pass.

    Stage 0 shows the forward pass: each wire's weight, each cell's sum and output, and each
    output's probability. Stages 1-5 walk back from the output: each cell's blame appears under
    it and each weight's blame under the weight; the ``highlight`` largest are marked ★.
    """
    if len(net.weights) != 2:
        raise ValueError("the diagram draws networks with exactly one hidden layer")
    sizes = net.sizes
    if max(sizes) > 3:
        raise ValueError("the diagram draws at most three cells a row")
    x_pos = [cell_x(n) for n in sizes]
    revealed = [stage >= 5, stage >= 2]  # weight blames shown per layer of weights
    fig = go.Figure()
    _connections(fig, net, back, revealed, names, x_pos, highlight)
    hidden_a, hidden_z = fp.a[1][0], fp.z[1][0]
    inside = [[f"<b>{n}</b><br>input<br>{v:.2f}" for n, v in zip(names[0], fp.a[0][0])],
              [f"<b>{n}</b><br>sum {z:.2f}<br>output {a:.2f}"
               for n, z, a in zip(names[1], hidden_z, hidden_a)],
              [f"<b>{n}{' ' + style.RIGHT_MARK if k == correct else ''}</b><br>sum {z:.2f}"
               f"<br>prob. {p:.2f}" for k, (n, z, p) in enumerate(zip(names[2], fp.z[2][0],
                                                                        fp.a[2][0]))]]
    below = [[""] * sizes[0], [f"bias {b:.2f}" for b in net.biases[0]],
             [f"bias {b:.2f}" for b in net.biases[1]]]
    if stage >= 1:
        below[2] = [f"{b}<br><b>blame {_num(d)}</b>"
                    for b, d in zip(below[2], back.dloss_dz[2][0])]
    if stage == 3:
        below[1] = [f"{b}<br><b>blame {_num(d)}</b>"
                    for b, d in zip(below[1], back.dloss_da[1][0])]
    if stage >= 4:
        below[1] = [f"{b}<br>{_num(d)} × slope {_num(s)}<br><b>blame = {_num(z)}</b>"
                    for b, d, s, z in zip(below[1], back.dloss_da[1][0], back.slopes[1][0],
                                          back.dloss_dz[1][0])]
    fills = [[style.with_alpha(style.DATA, 0.3)] * sizes[0],
             [_cell_fill(a) for a in hidden_a],
             [style.with_alpha(style.MODEL, 0.3)] * sizes[2]]
    for layer in range(3):
        right = [layer == 2 and k == correct for k in range(sizes[layer])]
        fig.add_scatter(x=x_pos[layer], y=[ROWS_Y[layer]] * sizes[layer], mode="markers+text",
                        marker=dict(size=CELL_SIZE, color=fills[layer],
                                    line=dict(color=[style.RIGHT if r else style.FAINT
                                                     for r in right],
                                              width=[5 if r else 1.5 for r in right])),
                        text=inside[layer], textfont=dict(size=FONT), showlegend=False,
                        hoverinfo="text", hovertext=[t.replace("<b>", "").replace("</b>", "")
                                                     for t in inside[layer]])
        for k in range(sizes[layer]):
            if below[layer][k]:
                fig.add_annotation(x=x_pos[layer][k], y=ROWS_Y[layer] - 0.36,
                                   text=below[layer][k], showarrow=False, yanchor="top",
                                   font=dict(size=FONT), bgcolor=LABEL_BOX, borderpad=2)
    fig.update_xaxes(visible=False, range=list(X_RANGE), fixedrange=True)
    fig.update_yaxes(visible=False, range=list(Y_RANGE), fixedrange=True)
    return style.tidy(fig, HEIGHT, margin=dict(l=0, r=0, t=0, b=0))


@remembered()
def loss_history_figure(history: list[float], steps: list[int] | None = None) -> go.Figure:
    """The loss before each training step, and now (``steps``: the step numbers, when not every
    step is kept). Both axes start at 0, so a lone first point sits in its corner."""
    fig = go.Figure(go.Scatter(x=steps, y=history, mode="lines+markers", marker=dict(size=5),
                               line=dict(color=style.MODEL), name="loss",
                               hovertemplate="step %{x}: loss %{y:.5f}<extra></extra>"))
    last = max(steps) if steps else max(len(history) - 1, 0)
    finite = [v for v in history if np.isfinite(v)]
    top = max(finite, default=1.0)
    fig.update_xaxes(title="training step", range=[0, max(last, 10) * 1.03])
    fig.update_yaxes(title="loss", range=[0, top * 1.12 or 1.0])
    return style.tidy(fig, 280, title="The loss, step by step")

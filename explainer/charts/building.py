"""Plotly figures for the building-block pages: neurons, nonlinearity, patterns.

Each function takes plain numbers and arrays and returns a ``go.Figure``; pages only show them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from explainer.concepts import curves, neuron
from explainer.concepts.activations import relu

BLUE = "#1f77b4"
RED = "#d62728"
GREY = "#9e9e9e"
GREEN = "#2ca02c"
ORANGE = "#ff7f0e"
PURPLE = "#9467bd"
INK = [[0.0, "white"], [1.0, "black"]]  # 0 white, 255 black, as on paper
DIVERGING = "RdBu_r"  # negative blue, zero white, positive red
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a"]


def _layout(fig: go.Figure, title: str | None = None, height: int = 360, **axes) -> go.Figure:
    fig.update_layout(title=title, height=height, margin=dict(l=10, r=10, t=40 if title else 10,
                                                              b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0), **axes)
    return fig


def _finite_range(values, pad: float = 0.1, limit: float = 1e6) -> list[float]:
    """A y range that covers the finite values, padded, and never absurdly large."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return [-1.0, 1.0]
    low, high = float(np.clip(values.min(), -limit, limit)), float(np.clip(values.max(), -limit,
                                                                          limit))
    if high - low < 1e-9:
        low, high = low - 1.0, high + 1.0
    span = high - low
    return [low - pad * span, high + pad * span]


# ---- Neurons and layers ------------------------------------------------------------------------

def activation_curve(activation: str, total: float, bias: float) -> go.Figure:
    """Output f(sum + bias) against the weighted sum, with the threshold and the current sum."""
    reach = max(4.0, abs(total) * 1.3, abs(bias) * 1.3)
    reach = min(reach, 1e4)
    s = np.linspace(-reach, reach, 401)
    out = neuron.activate(activation, s + bias)
    here = float(neuron.activate(activation, total + bias))
    fig = go.Figure()
    fig.add_scatter(x=s, y=out, mode="lines", line=dict(color=BLUE, width=3),
                    name=f"output = {activation if activation != 'none' else 'no activation'}"
                         f"(sum + bias)",
                    hovertemplate="sum %{x:.3f}<br>output %{y:.3f}<extra></extra>")
    fig.add_vline(x=-bias, line=dict(color=GREY, dash="dash"),
                  annotation_text=f"threshold t = {neuron.short_number(-bias)}",
                  annotation_position="top left")
    shown_total = float(np.clip(total, -reach, reach))
    fig.add_scatter(x=[shown_total], y=[here], mode="markers+text", name="this cell",
                    marker=dict(color=RED, size=14, line=dict(color="white", width=2)),
                    text=[f"  sum {total:.3g} → {here:.3g}"], textposition="middle right",
                    hovertemplate="sum %{x:.3f}<br>output %{y:.3f}<extra></extra>")
    return _layout(fig, height=300, xaxis_title="weighted sum Σ input × weight",
                   yaxis_title="output", showlegend=False)


def dense_layer(inputs: Sequence[float], weights: np.ndarray, biases: Sequence[float],
                outputs: Sequence[float], selected: int) -> go.Figure:
    """Inputs on the left, hidden cells on the right, every input wired to every cell.

    Lines are red for positive and blue for negative weights, thicker for bigger ones; the
    selected cell's incoming lines are highlighted and carry their weights.
    """
    weights = np.asarray(weights, dtype=float)
    n_cells, n_inputs = weights.shape

    def ys(n):
        return np.linspace(1, 0, n) if n > 1 else np.array([0.5])

    y_in, y_out = ys(n_inputs) * 0.8 + 0.1, ys(n_cells)
    biggest = max(float(np.abs(weights).max()), 1e-9)
    fig = go.Figure()
    for j in range(n_cells):
        for i in range(n_inputs):
            w = weights[j, i]
            chosen = j == selected
            width = 1 + 7 * min(abs(w) / biggest, 1.0)
            colour = RED if w >= 0 else BLUE
            gap = 0.085  # stop the line at the circles' edges
            y0, y1 = y_in[i], y_out[j]
            fig.add_scatter(x=[gap, 1 - gap], y=[y0 + gap * (y1 - y0), y1 - gap * (y1 - y0)],
                            mode="lines", showlegend=False,
                            line=dict(color=colour, width=width if chosen else width * 0.6),
                            opacity=1.0 if chosen else 0.25, hoverinfo="text",
                            hovertext=f"input {i + 1} → cell {j + 1}: weight {w:.3g}")
            if chosen:
                t = 0.3
                fig.add_annotation(x=t, y=y_in[i] + t * (y_out[j] - y_in[i]),
                                   text=f"<b>× {w:.3g}</b>", showarrow=False,
                                   font=dict(size=15, color=colour), bgcolor="white")
    fig.add_scatter(x=np.zeros(n_inputs), y=y_in, mode="markers+text", showlegend=False,
                    marker=dict(size=46, color="#f5f5f5", line=dict(color="#424242", width=2)),
                    text=[f"{v:.3g}" for v in inputs], textfont=dict(size=15, color="#212121"),
                    hovertext=[f"input {i + 1}: {v:.3g}" for i, v in enumerate(inputs)],
                    hoverinfo="text")
    border = ["#d62728" if j == selected else "#424242" for j in range(n_cells)]
    fig.add_scatter(x=np.ones(n_cells), y=y_out, mode="markers+text", showlegend=False,
                    marker=dict(size=[56 if j == selected else 46 for j in range(n_cells)],
                                color="#fff8e1", line=dict(color=border, width=3)),
                    text=[f"{v:.3g}" for v in outputs], textfont=dict(size=15, color="#212121"),
                    hovertext=[f"cell {j + 1}: bias {biases[j]:.3g}, value {outputs[j]:.3g}"
                               for j in range(n_cells)], hoverinfo="text")
    for j in range(n_cells):
        fig.add_annotation(x=1.09, y=y_out[j], text=f"cell {j + 1}<br>bias {biases[j]:.3g}",
                           showarrow=False, xanchor="left", font=dict(size=12))
    fig.add_annotation(x=0, y=1.17, text="<b>inputs</b>", showarrow=False)
    fig.add_annotation(x=1, y=1.17, text="<b>hidden cells</b>", showarrow=False)
    fig.update_xaxes(visible=False, range=[-0.15, 1.35])
    fig.update_yaxes(visible=False, range=[-0.12, 1.22])
    return _layout(fig, height=340)


def digit_grid(image: np.ndarray, show_numbers: bool = False, title: str | None = None,
               height: int = 520) -> go.Figure:
    """A 28 x 28 digit as cells holding 0-255: 0 white, 255 black, the value on hover."""
    image = np.asarray(image)
    fig = go.Figure(go.Heatmap(
        z=image, zmin=0, zmax=255, colorscale=INK, showscale=False, xgap=1, ygap=1,
        hovertemplate="row %{y}, column %{x}<br>value %{z}<extra></extra>",
        texttemplate="%{z}" if show_numbers else None, textfont=dict(size=7)))
    rows, cols = image.shape
    fig.update_yaxes(range=[rows - 0.5, -0.5], scaleanchor="x", constrain="domain",
                     showticklabels=False, ticks="", showgrid=False, zeroline=False)
    fig.update_xaxes(range=[-0.5, cols - 0.5], constrain="domain", showticklabels=False, ticks="",
                     showgrid=False, zeroline=False)
    fig.update_layout(plot_bgcolor="#bdbdbd")  # shows through the 1-pixel gaps as a grid
    return _layout(fig, title=title, height=height)


def input_row(image: np.ndarray) -> go.Figure:
    """The same 784 values in one long row: what the first layer receives."""
    row = np.asarray(image).reshape(1, -1)
    fig = go.Figure(go.Heatmap(z=row, zmin=0, zmax=255, colorscale=INK, showscale=False,
                               hovertemplate="input cell %{x}<br>value %{z}<extra></extra>"))
    fig.update_yaxes(visible=False)
    fig.update_xaxes(title="input cell 0 … 783 (row after row)", showline=True,
                     linecolor="#9e9e9e", mirror=True, showgrid=False)
    fig.update_xaxes(title_standoff=4)
    return _layout(fig, height=140)


# ---- Why nonlinearity ----------------------------------------------------------------------------

def line_fit(x, y, w: float, b: float, best: tuple[float, float] | None = None,
             title: str | None = None) -> go.Figure:
    """Blue training dots and the learned red line (and, faint, the best line)."""
    grid = np.linspace(*curves.DOMAIN, 50)
    fig = go.Figure()
    fig.add_scatter(x=x, y=y, mode="markers", name="training dots (x, y)",
                    marker=dict(color=BLUE, size=8))
    if best is not None:
        fig.add_scatter(x=grid, y=best[0] * grid + best[1], mode="lines", name="best line",
                        line=dict(color=GREY, dash="dot"))
    fig.add_scatter(x=grid, y=w * grid + b, mode="lines", name=curves.line_equation(w, b),
                    line=dict(color=RED, width=3))
    return _layout(fig, title=title, xaxis_title="x", yaxis_title="y",
                   yaxis_range=_finite_range(np.concatenate([np.asarray(y), w * grid + b])))


def stacked_lines(x, layers: Sequence[tuple[float, float]], relu_between: bool,
                  target: tuple[np.ndarray, np.ndarray] | None = None) -> go.Figure:
    """Stacked layers computed one after the other, and the single line they equal."""
    fig = go.Figure()
    if target is not None:
        fig.add_scatter(x=target[0], y=target[1], mode="markers", name="target",
                        marker=dict(color=BLUE, size=5, opacity=0.5))
    h = np.asarray(x, dtype=float)
    for i, (w, b) in enumerate(layers[:-1]):
        h = w * h + b
        if relu_between:
            h = relu(h)
        fig.add_scatter(x=x, y=h, mode="lines", name=f"after layer {i + 1}",
                        line=dict(color=PALETTE[i + 1], width=1.5, dash="dot"))
    stacked = curves.apply_stack(layers, x, relu_between)
    fig.add_scatter(x=x, y=stacked, mode="lines", name=f"{len(layers)} layers stacked",
                    line=dict(color=RED, width=6), opacity=0.6)
    if not relu_between:
        weight, bias = curves.compose_linear(layers)
        w_all, b_all = float(weight[0, 0]), float(bias[0])
        fig.add_scatter(x=x, y=w_all * np.asarray(x, dtype=float) + b_all, mode="lines",
                        name=f"one line: {curves.line_equation(w_all, b_all)}",
                        line=dict(color="black", width=2, dash="dash"))
    ys = [stacked] + ([target[1]] if target is not None else [])
    return _layout(fig, xaxis_title="x", yaxis_title="y",
                   yaxis_range=_finite_range(np.concatenate(ys)))


def relu_chain(x, target, chain: curves.ReluChain, show_pieces: bool = True,
               title: str | None = None) -> go.Figure:
    """Each unit's piece (thin), their sum (thick red) and the target (blue dots)."""
    x = np.asarray(x, dtype=float)
    fig = go.Figure()
    fig.add_scatter(x=x, y=target, mode="markers", name="target",
                    marker=dict(color=BLUE, size=5, opacity=0.6))
    pieces = chain.pieces(x)
    if show_pieces:
        for i, piece in enumerate(pieces):
            fig.add_scatter(x=x, y=piece, mode="lines", name=f"unit {i + 1}",
                            line=dict(color=PALETTE[i % len(PALETTE)], width=1.5, dash="dot"),
                            legendgroup="units", showlegend=i == 0 and len(pieces) > 0,
                            hovertemplate=f"unit {i + 1}: %{{y:.3f}}<extra></extra>")
    total = chain(x)
    fig.add_scatter(x=x, y=total, mode="lines", name="sum of the units + output bias",
                    line=dict(color=RED, width=3.5))
    fig.update_traces(selector=dict(legendgroup="units"), name="each unit's piece")
    ys = np.concatenate([np.asarray(target, dtype=float), total])
    return _layout(fig, title=title, height=380, xaxis_title="x", yaxis_title="y",
                   yaxis_range=_finite_range(ys))


def fit_animation(x, target, snapshots: Sequence[tuple[str, curves.ReluChain, float]]) -> go.Figure:
    """The fit, frame by frame: press play or drag the slider."""
    x = np.asarray(x, dtype=float)
    target = np.asarray(target, dtype=float)
    all_y = np.concatenate([target] + [c(x) for _, c, _ in snapshots])

    def traces(chain):
        return [go.Scatter(x=x, y=target, mode="markers", name="target",
                           marker=dict(color=BLUE, size=5, opacity=0.6)),
                go.Scatter(x=x, y=chain(x), mode="lines", name="the chain",
                           line=dict(color=RED, width=3.5))]

    def caption(label, error):
        return f"{label} — mean squared error {error:.4f}"

    frames = [go.Frame(data=traces(c), name=str(i), layout=dict(title_text=caption(lab, e)))
              for i, (lab, c, e) in enumerate(snapshots)]
    first_label, first_chain, first_error = snapshots[0]
    fig = go.Figure(data=traces(first_chain), frames=frames)
    steps = [dict(method="animate", label=str(i + 1),
                  args=[[str(i)], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                       transition=dict(duration=0))])
             for i in range(len(frames))]
    fig.update_layout(
        updatemenus=[dict(type="buttons", showactive=False, x=0, y=-0.16, xanchor="left",
                          yanchor="top", direction="left", buttons=[
                              dict(label="▶ Play", method="animate",
                                   args=[None, dict(frame=dict(duration=450, redraw=True),
                                                    transition=dict(duration=150),
                                                    fromcurrent=True)])])],
        sliders=[dict(active=0, steps=steps, x=0.16, len=0.84, y=-0.12, yanchor="top",
                      currentvalue=dict(visible=False))])
    _layout(fig, title=caption(first_label, first_error), height=440, xaxis_title="x",
            yaxis_title="y", yaxis_range=_finite_range(all_y))
    fig.update_layout(margin=dict(t=40, b=110), showlegend=False, title_font_size=14)
    return fig


def errors_by_units(errors: Sequence[float], current_units: int | None = None,
                    current_error: float | None = None) -> go.Figure:
    """Best error reached against the number of units (log scale), and where the reader is."""
    units = np.arange(len(errors))
    shown = np.maximum(np.asarray(errors, dtype=float), 1e-6)
    fig = go.Figure()
    fig.add_scatter(x=units, y=shown, mode="lines+markers", name="best error the fit reaches",
                    line=dict(color=GREEN, width=3),
                    hovertemplate="%{x} units: error %{y:.4g}<extra></extra>")
    if current_units is not None and current_error is not None and np.isfinite(current_error):
        fig.add_scatter(x=[current_units], y=[max(current_error, 1e-6)], mode="markers",
                        name="your chain now", marker=dict(color=RED, size=13, symbol="star"),
                        hovertemplate="your chain: error %{y:.4g}<extra></extra>")
    ticks = [10.0**k for k in range(-6, 3)]
    fig.update_yaxes(type="log", title="mean squared error (log scale)", tickvals=ticks,
                     ticktext=[f"{t:g}" for t in ticks])
    fig.update_xaxes(title="number of ReLU units", dtick=1)
    return _layout(fig, height=320)


def activation_gallery(names: Sequence[str], reach: float = 4.0) -> go.Figure:
    """Several activations on one axis."""
    z = np.linspace(-reach, reach, 401)
    fig = go.Figure()
    colours = {"ReLU": RED, "leaky ReLU": ORANGE, "sigmoid": BLUE, "tanh": GREEN}
    for name in names:
        fig.add_scatter(x=z, y=neuron.GALLERY[name](z), mode="lines",
                        name=f"{name}: {neuron.FORMULAS[name]}",
                        line=dict(color=colours.get(name, PURPLE), width=3))
    fig.add_hline(y=0, line=dict(color=GREY, width=1))
    fig.add_vline(x=0, line=dict(color=GREY, width=1))
    return _layout(fig, height=360, xaxis_title="z (weighted sum + bias)",
                   yaxis_title="activation(z)")


# ---- Recognizing patterns ------------------------------------------------------------------------

def heatmap(values: np.ndarray, title: str, kind: str = "diverging", height: int = 300,
            limit: float | None = None, hover: str = "value") -> go.Figure:
    """A 28 x 28 grid. ``kind``: "ink" (0-255, white to black) or "diverging" (blue-white-red)."""
    values = np.asarray(values, dtype=float)
    if kind == "ink":
        trace = go.Heatmap(z=values, zmin=0, zmax=255, colorscale=INK, showscale=False,
                           hovertemplate=f"row %{{y}}, column %{{x}}<br>{hover} %{{z:.0f}}"
                                         "<extra></extra>")
    else:
        finite = values[np.isfinite(values)]
        bound = limit or max(float(np.abs(finite).max()) if finite.size else 1.0, 1e-9)
        trace = go.Heatmap(z=values, zmin=-bound, zmax=bound, colorscale=DIVERGING,
                           showscale=False,
                           hovertemplate=f"row %{{y}}, column %{{x}}<br>{hover} %{{z:.3f}}"
                                         "<extra></extra>")
    fig = go.Figure(trace)
    rows, cols = values.shape
    frame = dict(showline=True, linecolor="#9e9e9e", mirror=True, showgrid=False, zeroline=False,
                 showticklabels=False, ticks="")
    fig.update_yaxes(range=[rows - 0.5, -0.5], scaleanchor="x", constrain="domain", **frame)
    fig.update_xaxes(range=[-0.5, cols - 0.5], constrain="domain", **frame)
    fig.update_layout(plot_bgcolor="white")
    return _layout(fig, title=title, height=height)


def class_scores(means: Sequence[float], highlight: int | None = None) -> go.Figure:
    """Mean score per digit class as bars, the highest first in colour."""
    means = np.asarray(means, dtype=float)
    colours = [RED if k == highlight else BLUE for k in range(10)]
    fig = go.Figure(go.Bar(x=[str(k) for k in range(10)], y=means, marker_color=colours,
                           text=[f"{m:.1f}" for m in means], textposition="outside",
                           hovertemplate="digit %{x}: mean score %{y:.2f}<extra></extra>"))
    fig.update_xaxes(title="digit class", type="category")
    fig.update_yaxes(title="mean score over the sample", range=_finite_range(
        np.concatenate([means, [0.0]]), pad=0.15))
    return _layout(fig, height=340)

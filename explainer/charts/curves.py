"""Figures for Why nonlinearity: dots and a line, stacked lines, chains of ReLU units.

Grey is the data (dots, the target curve), green what the model learned (the line, the chain),
purple where you are now; a unit's own piece is blue when it pushes the sum up and orange when it
pushes it down.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from explainer.charts import style
from explainer.charts.memo import remembered
from explainer.concepts.lessons import lines, neuron
from explainer.concepts.lessons.relu_chain import ReluChain


def finite_range(values, pad: float = 0.1, limit: float = 1e6) -> list[float]:
    """A y range that covers the finite values, padded, and never absurdly large."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return [-1.0, 1.0]
    low = float(np.clip(values.min(), -limit, limit))
    high = float(np.clip(values.max(), -limit, limit))
    if high - low < 1e-9:
        low, high = low - 1.0, high + 1.0
    span = high - low
    return [low - pad * span, high + pad * span]


def _dots(x, y, name: str, size: int = 6) -> go.Scatter:
    return go.Scatter(x=x, y=y, mode="markers", name=name,
                      marker=dict(color=style.DATA, size=size, opacity=0.8))


@remembered()
def line_fit(x, y, w: float, b: float, best: tuple[float, float] | None = None) -> go.Figure:
    """Grey training dots, the green line learned so far and, dotted, the best line there is."""
    grid = np.linspace(*lines.DOMAIN, 50)
    fig = go.Figure(_dots(x, y, "training dots (x, y)", size=8))
    if best is not None:
        fig.add_scatter(x=grid, y=best[0] * grid + best[1], mode="lines", name="best line",
                        line=dict(color=style.FAINT, dash="dot", width=2))
    fig.add_scatter(x=grid, y=w * grid + b, mode="lines",
                    name=f"learned so far: {lines.line_equation(w, b)}",
                    line=dict(color=style.MODEL, width=3))
    return style.tidy(fig, 330, xaxis_title="x", yaxis_title="y",
                      yaxis_range=finite_range(np.concatenate([np.asarray(y), w * grid + b])))


@remembered()
def stacked_lines(x, layers: Sequence[tuple[float, float]], relu_between: bool,
                  target: tuple[np.ndarray, np.ndarray] | None = None) -> go.Figure:
    """Stacked layers computed one after the other, and the single line they equal."""
    fig = go.Figure()
    if target is not None:
        fig.add_trace(_dots(target[0], target[1], "target", size=4))
    h = np.asarray(x, dtype=float)
    for i, (w, b) in enumerate(layers[:-1]):
        h = w * h + b
        if relu_between:
            h = np.maximum(0.0, h)
        fig.add_scatter(x=x, y=h, mode="lines", name=f"after layer {i + 1}",
                        line=dict(color=style.category_colour(1 + i), width=1.5, dash="dot"))
    stacked = lines.apply_stack(layers, x, relu_between)
    fig.add_scatter(x=x, y=stacked, mode="lines", name=f"{len(layers)} layers stacked",
                    line=dict(color=style.with_alpha(style.MODEL, 0.6), width=7))
    if not relu_between:
        weight, bias = lines.compose_linear(layers)
        w_all, b_all = float(weight[0, 0]), float(bias[0])
        fig.add_scatter(x=x, y=w_all * np.asarray(x, dtype=float) + b_all, mode="lines",
                        name=f"one line: {lines.line_equation(w_all, b_all)}",
                        line=dict(color=style.CHANGING, width=2, dash="dash"))
    ys = [stacked] + ([target[1]] if target is not None else [])
    return style.tidy(fig, 330, xaxis_title="x", yaxis_title="y",
                      yaxis_range=finite_range(np.concatenate(ys)))


@remembered()
def relu_chain(x, target, chain: ReluChain, line: tuple[float, float] | None = None,
               show_pieces: bool = True) -> go.Figure:
    """The target (grey dots), each unit's piece (thin), their sum (thick green).

    ``line``: the best straight line (w, b), drawn faint, to compare.
    """
    x = np.asarray(x, dtype=float)
    fig = go.Figure(_dots(x, target, "target", size=5))
    if line is not None:
        fig.add_scatter(x=x, y=line[0] * x + line[1], mode="lines", name="best straight line",
                        line=dict(color=style.FAINT, width=2, dash="dot"))
    if show_pieces:
        for i, piece in enumerate(chain.pieces(x)):
            fig.add_scatter(x=x, y=piece, mode="lines", legendgroup="units",
                            name="each unit's piece", showlegend=i == 0,
                            line=dict(color=style.with_alpha(
                                style.sign_colour(chain.out_weights[i]), 0.7),
                                width=1.5, dash="dot"),
                            hovertemplate=f"unit {i + 1}: %{{y:.3f}}<extra></extra>")
    total = chain(x)
    fig.add_scatter(x=x, y=total, mode="lines", name="the chain: all pieces added up",
                    line=dict(color=style.MODEL, width=3.5))
    ys = np.concatenate([np.asarray(target, dtype=float), total])
    return style.tidy(fig, 360, xaxis_title="x", yaxis_title="y", yaxis_range=finite_range(ys))


@remembered(8)
def fit_animation(x, target, snapshots: Sequence[tuple[str, ReluChain, float]]
                  ) -> go.Figure:
    """The fit, frame by frame: press Play or drag the slider."""
    x = np.asarray(x, dtype=float)
    target = np.asarray(target, dtype=float)
    all_y = np.concatenate([target] + [c(x) for _, c, _ in snapshots])

    def traces(chain):
        return [_dots(x, target, "target", size=5),
                go.Scatter(x=x, y=chain(x), mode="lines", name="the chain",
                           line=dict(color=style.MODEL, width=3.5))]

    def caption(label, error):
        return style.wrap(f"{label}: error {error:.4f}", 40)

    frames = [go.Frame(data=traces(c), name=str(i), layout=dict(title_text=caption(lab, e)))
              for i, (lab, c, e) in enumerate(snapshots)]
    first_label, first_chain, first_error = snapshots[0]
    fig = go.Figure(data=traces(first_chain), frames=frames)
    steps = [dict(method="animate", label=str(i + 1),
                  args=[[str(i)], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                       transition=dict(duration=0))])
             for i in range(len(frames))]
    fig.update_layout(
        updatemenus=[dict(type="buttons", showactive=False, x=0, y=-0.14, xanchor="left",
                          yanchor="top", direction="left", buttons=[
                              dict(label="▶ Play", method="animate",
                                   args=[None, dict(frame=dict(duration=450, redraw=True),
                                                    transition=dict(duration=150),
                                                    fromcurrent=True)])])],
        sliders=[dict(active=0, steps=steps, x=0, len=1.0, y=-0.3, yanchor="top",
                      currentvalue=dict(visible=False))])
    style.tidy(fig, 450, title=caption(first_label, first_error), xaxis_title="x",
               yaxis_title="y", yaxis_range=finite_range(all_y))
    fig.update_layout(margin=dict(t=60, b=150), showlegend=False, title_font_size=14)
    return fig


@remembered()
def errors_by_units(errors: Sequence[float], current_units: int | None = None,
                    current_error: float | None = None) -> go.Figure:
    """The lowest error the fit reaches against the number of units (log scale), and you."""
    units = np.arange(len(errors))
    shown = np.maximum(np.asarray(errors, dtype=float), 1e-6)
    fig = go.Figure()
    fig.add_scatter(x=units, y=shown, mode="lines+markers", name="lowest error the fit reaches",
                    line=dict(color=style.MODEL, width=3),
                    hovertemplate="%{x} units: error %{y:.4g}<extra></extra>")
    if current_units is not None and current_error is not None and np.isfinite(current_error):
        fig.add_scatter(x=[current_units], y=[max(current_error, 1e-6)], mode="markers",
                        name="your chain now",
                        marker=dict(color=style.CHANGING, size=14, symbol="star"),
                        hovertemplate="your chain: error %{y:.4g}<extra></extra>")
    ticks = [10.0**k for k in range(-6, 3)]
    fig.update_yaxes(type="log", title="error (log scale)", tickvals=ticks,
                     ticktext=[f"{t:g}" for t in ticks])
    fig.update_xaxes(title="number of ReLU units", dtick=1)
    return style.tidy(fig, 320)


@remembered()
def activation_gallery(names: Sequence[str] = tuple(neuron.GALLERY), reach: float = 4.0
                       ) -> go.Figure:
    """Each activation in its own small chart, two a row, so none hides another on a phone."""
    z = np.linspace(-reach, reach, 401)
    columns = 2
    rows = -(-len(names) // columns)
    fig = make_subplots(rows=rows, cols=columns, shared_yaxes=True, horizontal_spacing=0.08,
                        vertical_spacing=0.28,
                        subplot_titles=[f"{n}<br><sup>{neuron.FORMULAS[n]}</sup>"
                                        for n in names])
    for k, name in enumerate(names):
        row, col = k // columns + 1, k % columns + 1
        fig.add_scatter(x=z, y=neuron.GALLERY[name](z), mode="lines", name=name, row=row,
                        col=col, line=dict(color=style.MODEL, width=3), showlegend=False,
                        hovertemplate=f"{name}({'%{x:.2f}'}) = %{{y:.3f}}<extra></extra>")
    style.tidy(fig, 200 + 190 * rows)
    fig.update_layout(margin=dict(t=60))
    fig.update_xaxes(title="sum + bias", zerolinecolor=style.DATA, nticks=5)
    fig.update_yaxes(zerolinecolor=style.DATA)
    return fig

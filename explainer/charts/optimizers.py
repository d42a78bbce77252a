"""Plotly figures for the Optimizers page: paths over a two-weight cost, the cost per step.

Each optimizer keeps one category colour of the style (neither blue nor orange: these are not
signs) on every chart of the page, and its name. The cost map is light: contour lines only, on
the theme's own background, grey and stronger towards the bottom; the bottom is a star.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from explainer.charts import style
from explainer.charts.memo import remembered

ORDER = ("Gradient descent", "Momentum", "RMSprop", "Adam")
DASHES = {"Gradient descent": "solid", "Momentum": "dash", "RMSprop": "dot", "Adam": "dashdot"}


def optimizer_colour(name: str) -> str:
    """The same colour for an optimizer on every chart."""
    return style.category_colour(ORDER.index(name) if name in ORDER else len(ORDER))


# Contour lines only (filled bands stack their transparency into a dark grey): strong near the
# bottom, faint where the cost is high, on the theme's background.
COST_SCALE = [[0.0, style.DATA], [1.0, style.with_alpha(style.DATA, 0.3)]]


def panel_title(path) -> str:
    """"Gradient descent" over "rate 0.18": the number is the optimizer's learning rate."""
    rate = f"rate {path.learning_rate:g}" + (", diverged" if path.diverged else "")
    return f"<b>{path.optimizer}</b><br>{rate}"


@remembered(16)
def contour_paths(w1: np.ndarray, w2: np.ndarray, cost: np.ndarray, paths: list,
                  labels: tuple[str, str], minimum: tuple[float, float] | None = None
                  ) -> go.Figure:
    """One small cost map per optimizer, two a row, same start, its path drawn on top."""
    columns = 2 if len(paths) > 1 else 1
    rows = -(-len(paths) // columns)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=[panel_title(p) for p in paths],
                        shared_xaxes=True, shared_yaxes=True, horizontal_spacing=0.09,
                        vertical_spacing=0.2)
    levels = np.log10(cost - np.min(cost) + 1e-3)
    for k, path in enumerate(paths):
        row, col = k // columns + 1, k % columns + 1
        colour = optimizer_colour(path.optimizer)
        fig.add_trace(go.Contour(x=w1, y=w2, z=levels, colorscale=COST_SCALE, showscale=False,
                                 contours=dict(coloring="lines"), line=dict(width=1.2),
                                 ncontours=16, customdata=cost,
                                 hovertemplate=f"{labels[0]} %{{x:.2f}}, {labels[1]} %{{y:.2f}}"
                                               "<br>cost %{customdata:.4g}<extra></extra>"),
                      row, col)
        fig.add_trace(go.Scatter(x=path.points[:, 0], y=path.points[:, 1], mode="lines+markers",
                                 line=dict(color=colour, width=2.5),
                                 marker=dict(size=4, color=colour), name=path.optimizer,
                                 showlegend=False,
                                 hovertemplate="%{x:.3f}, %{y:.3f}<extra></extra>"), row, col)
        fig.add_trace(go.Scatter(x=path.points[:1, 0], y=path.points[:1, 1], mode="markers",
                                 marker=dict(size=11, color=colour, symbol="circle-open",
                                             line=dict(width=3, color=colour)),
                                 showlegend=False, hovertext="start", hoverinfo="text"), row, col)
        if minimum is not None and np.all(np.isfinite(minimum)):
            fig.add_trace(go.Scatter(x=[minimum[0]], y=[minimum[1]], mode="markers",
                                     marker=dict(size=13, color=style.RIGHT, symbol="star"),
                                     showlegend=False, hovertext="the bottom",
                                     hoverinfo="text"), row, col)
        fig.update_xaxes(range=[w1[0], w1[-1]], row=row, col=col)
        fig.update_yaxes(range=[w2[0], w2[-1]], row=row, col=col)
        if row == rows:
            fig.update_xaxes(title_text=labels[0], row=row, col=col)
        if col == 1:
            fig.update_yaxes(title_text=labels[1], row=row, col=col)
    fig.update_annotations(font_size=12)
    return style.tidy(fig, 100 + 135 * rows, margin=dict(l=10, r=10, t=45, b=10))


@remembered()
def cost_per_step(series: dict[str, list[float]], title: str = "Cost after each step",
                  log: bool = True) -> go.Figure:
    """The cost of each optimizer's path, step by step (log scale: each factor of 10 one tick);
    each optimizer has its colour and its own dash, the legend below."""
    fig = go.Figure()
    for name, costs in series.items():
        fig.add_scatter(y=costs, mode="lines", name=name,
                        line=dict(color=optimizer_colour(name), width=2.5,
                                  dash=DASHES.get(name, "solid")))
    fig.update_xaxes(title="step")
    fig.update_yaxes(title="cost", type="log" if log else "linear", exponentformat="power")
    return style.tidy(fig, 340, title=title)

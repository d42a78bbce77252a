"""Plotly figures for the Optimizers page: paths over a two-weight cost, the cost per step.

Each optimizer keeps one colour of the style's SERIES on every chart of the page. The cost map is
grey, darker where the cost is low; the bottom is a star.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from explainer.charts import style
from explainer.charts.memo import remembered

ORDER = ("Gradient descent", "Momentum", "RMSprop", "Adam")


def optimizer_colour(name: str) -> str:
    """The same colour for an optimizer on every chart."""
    return style.SERIES[ORDER.index(name) % len(style.SERIES)] if name in ORDER \
        else style.SERIES[-2]


# low cost dark grey, high cost almost nothing: the valley floor stands out in both themes
COST_SCALE = [[0.0, style.with_alpha(style.DATA, 0.9)], [0.45, style.with_alpha(style.DATA, 0.35)],
              [0.75, style.with_alpha(style.DATA, 0.08)], [1.0, style.with_alpha(style.DATA, 0.0)]]


@remembered(16)
def contour_paths(w1: np.ndarray, w2: np.ndarray, cost: np.ndarray, paths: list,
                  labels: tuple[str, str], minimum: tuple[float, float] | None = None
                  ) -> go.Figure:
    """One small cost map per optimizer side by side, same start, its path drawn on top."""
    titles = [f"{p.optimizer} ({p.learning_rate:g})" + (": diverged" if p.diverged else "")
              for p in paths]
    fig = make_subplots(rows=1, cols=len(paths), subplot_titles=titles, shared_yaxes=True,
                        horizontal_spacing=0.02)
    levels = np.log10(cost - np.min(cost) + 1e-3)
    for k, path in enumerate(paths):
        c = k + 1
        colour = optimizer_colour(path.optimizer)
        fig.add_trace(go.Contour(x=w1, y=w2, z=levels, colorscale=COST_SCALE, showscale=False,
                                 contours=dict(showlines=True), line=dict(color=style.GRID),
                                 ncontours=18, customdata=cost,
                                 hovertemplate=f"{labels[0]} %{{x:.2f}}, {labels[1]} %{{y:.2f}}"
                                               "<br>cost %{customdata:.4g}<extra></extra>"),
                      1, c)
        fig.add_trace(go.Scatter(x=path.points[:, 0], y=path.points[:, 1], mode="lines+markers",
                                 line=dict(color=colour, width=2.5),
                                 marker=dict(size=4, color=colour), name=path.optimizer,
                                 showlegend=False,
                                 hovertemplate="%{x:.3f}, %{y:.3f}<extra></extra>"), 1, c)
        fig.add_trace(go.Scatter(x=path.points[:1, 0], y=path.points[:1, 1], mode="markers",
                                 marker=dict(size=11, color=colour, symbol="circle-open",
                                             line=dict(width=3, color=colour)),
                                 showlegend=False, hovertext="start", hoverinfo="text"), 1, c)
        if minimum is not None and np.all(np.isfinite(minimum)):
            fig.add_trace(go.Scatter(x=[minimum[0]], y=[minimum[1]], mode="markers",
                                     marker=dict(size=13, color=style.RIGHT, symbol="star"),
                                     showlegend=False, hovertext="the bottom",
                                     hoverinfo="text"), 1, c)
        fig.update_xaxes(range=[w1[0], w1[-1]], title_text=labels[0], row=1, col=c)
    fig.update_yaxes(range=[w2[0], w2[-1]], title_text=labels[1], row=1, col=1)
    fig.update_annotations(font_size=13)
    return style.tidy(fig, 300, margin=dict(l=10, r=10, t=40, b=10))


@remembered()
def cost_per_step(series: dict[str, list[float]], title: str = "Cost after each step",
                  log: bool = True) -> go.Figure:
    """The cost of each optimizer's path, step by step (log scale: each factor of 10 one tick)."""
    fig = go.Figure()
    for name, costs in series.items():
        fig.add_scatter(y=costs, mode="lines", name=name,
                        line=dict(color=optimizer_colour(name), width=2.5))
    fig.update_xaxes(title="step")
    fig.update_yaxes(title="cost", type="log" if log else "linear", exponentformat="power")
    return style.tidy(fig, 300, title=title, margin=dict(l=10, r=10, t=60, b=10))

"""Figures for Recognizing patterns: a digit, a template, their products, the classes' scores.

Digits are ink on paper (white 0, black 255); templates and products are signed values, blue
positive and orange negative, the same as weights everywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from explainer.charts import style
from explainer.charts.memo import remembered

TOP_MARK = "★"  # marks the highest class: a shape as well as a colour


def _framed(trace: go.Heatmap, title: str, height: int) -> go.Figure:
    rows, cols = np.shape(trace.z)
    fig = style.square_grid(go.Figure(trace))
    frame = dict(showline=True, linecolor=style.FAINT, mirror=True, constrain="domain", ticks="")
    fig.update_xaxes(range=[-0.5, cols - 0.5], **frame)
    fig.update_yaxes(range=[rows - 0.5, -0.5], autorange=False, **frame)
    fig = style.tidy(fig, height)
    if title:
        fig.update_layout(title=dict(text=title, font=dict(size=14)))
    return fig


@remembered()
def digit(pixels: np.ndarray, title: str, height: int = 230) -> go.Figure:
    """A 28 x 28 digit as ink on paper, its value (0-255) on hover."""
    return _framed(style.digit_heatmap(pixels, hover="ink"), title, height)


@remembered()
def signed(values: np.ndarray, title: str, limit: float | None = None, hover: str = "value",
           height: int = 230) -> go.Figure:
    """A 28 x 28 grid of signed values: blue positive, orange negative, faint near 0."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    bound = limit or max(float(np.abs(finite).max()) if finite.size else 1.0, 1e-9)
    return _framed(style.signed_heatmap(values, limit=bound, hover=hover), title, height)


@remembered()
def class_scores(means: Sequence[float]) -> go.Figure:
    """Mean score per digit class as bars (blue above 0, orange below), the highest starred."""
    means = np.asarray(means, dtype=float)
    top = int(np.nanargmax(means)) if np.isfinite(means).any() else None
    labels = [f"{TOP_MARK} {m:.1f}" if k == top else f"{m:.1f}" for k, m in enumerate(means)]
    fig = go.Figure(go.Bar(
        x=[str(k) for k in range(10)], y=means, text=labels, textposition="outside",
        marker=dict(color=[style.sign_colour(m) for m in np.nan_to_num(means)],
                    line=dict(color=[style.MODEL if k == top else style.TRANSPARENT
                                     for k in range(10)], width=3)),
        hovertemplate="digit %{x}: mean score %{y:.2f}<extra></extra>"))
    finite = means[np.isfinite(means)]
    low, high = min(0.0, float(finite.min(initial=0.0))), max(0.0, float(finite.max(initial=0.0)))
    span = (high - low) or 1.0
    fig.update_xaxes(title="digit class", type="category")
    fig.update_yaxes(title="mean score over the sample",
                     range=[low - 0.15 * span * (low < 0), high + 0.18 * span])
    return style.tidy(fig, 300)

"""Plotly figures for Nudging a weight: the cost curve, two nudges, the rate of change, descent.

Builders only draw what they are given; the numbers come from concepts.descent. The cost curve is
grey (what the data says), the weight you move is purple; a nudge up is blue and a nudge down is
orange, the style's positive / negative pair.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explainer.charts import style
from explainer.charts.memo import remembered
from explainer.charts.numbers import seconds


@remembered()
def cost_curve(w: np.ndarray, c: np.ndarray, title: str = "The cost for each value of w1"
               ) -> go.Figure:
    fig = go.Figure(go.Scatter(x=w, y=c, name="cost", line=dict(color=style.DATA, width=3),
                               hovertemplate="w1 = %{x:.3f}<br>cost = %{y:.4f}<extra></extra>"))
    fig.update_xaxes(title="weight w1")
    fig.update_yaxes(title="cost")
    return style.tidy(fig, 360, title=title)


@remembered()
def nudge_figure(w: np.ndarray, c: np.ndarray, nudge) -> go.Figure:
    """The curve with the three forward passes: w1, w1 + nudge (l1) and w1 - nudge (l2)."""
    fig = cost_curve.build(w, c, "Two nudges, two forward passes")
    points = [(nudge.w - nudge.step, nudge.loss_down, "l2", style.NEGATIVE, "bottom left"),
              (nudge.w, nudge.loss_here, "now", style.CHANGING, "top center"),
              (nudge.w + nudge.step, nudge.loss_up, "l1", style.POSITIVE, "middle left")]
    for x, y, label, colour, position in points:
        fig.add_scatter(x=[x], y=[y], mode="markers+text", text=[f"{label} = {y:.3f}"],
                        textposition=position, marker=dict(size=14, color=colour),
                        name=f"{label} (w1 = {x:g})",
                        hovertemplate=f"{label}: w1 = {x:g}, cost %{{y:.4f}}<extra></extra>")
    if nudge.direction:
        target = nudge.w + nudge.direction * nudge.step
        fig.add_annotation(x=target, y=min(nudge.loss_down, nudge.loss_up), ax=nudge.w,
                           ay=nudge.loss_here, xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=3, arrowwidth=2, arrowcolor=style.MODEL)
    return fig


@remembered()
def rate_figure(w_grid: np.ndarray, c_grid: np.ndarray, w: float, h: float, c_w: float,
                c_minus: float, c_plus: float, slope: float) -> go.Figure:
    """The line through the two nudged points beside the tangent at w1 (the instantaneous rate)."""
    fig = cost_curve.build(w_grid, c_grid, "Shrink the nudge: the two lines become one")
    span = np.array([w_grid[0], w_grid[-1]])
    estimate = (c_plus - c_minus) / (2 * h)
    fig.add_scatter(x=span, y=c_minus + estimate * (span - (w - h)),
                    name=f"through the two nudges: rate {estimate:.5g}",
                    line=dict(color=style.CHANGING, dash="dash", width=2))
    fig.add_scatter(x=span, y=c_w + slope * (span - w),
                    name=f"instantaneous rate {slope:.5g}", line=dict(color=style.MODEL, width=2))
    fig.add_scatter(x=[w - h, w + h], y=[c_minus, c_plus], mode="markers", showlegend=False,
                    marker=dict(size=11, color=style.CHANGING),
                    hovertemplate="w1 = %{x:.4g}, cost %{y:.5g}<extra></extra>")
    low, high = float(np.min(c_grid)), float(np.max(c_grid))
    fig.update_yaxes(range=[low - 0.1 * (high - low), high + 0.1 * (high - low)])
    return fig


@remembered()
def nudge_error_figure(rows: list[dict], chosen_h: float | None = None) -> go.Figure:
    """Error of the nudge estimate against h, log-log: it falls, then rounding makes it rise."""
    h = [r["h"] for r in rows]
    floor = 1e-17  # an error of exactly 0 has no place on a log axis
    fig = go.Figure()
    fig.add_scatter(x=h, y=[max(r["centred error"], floor) for r in rows], mode="lines+markers",
                    name="nudge both ways (w1 ± h)", line=dict(color=style.category_colour(0)))
    fig.add_scatter(x=h, y=[max(r["one-sided error"], floor) for r in rows],
                    mode="lines+markers", name="nudge up only (w1 + h)",
                    line=dict(color=style.DATA, dash="dot"))
    if chosen_h is not None:
        fig.add_vline(x=chosen_h, line=dict(color=style.CHANGING, dash="dash"),
                      annotation_text="your h", annotation_position="top")
    fig.update_xaxes(type="log", title="nudge h", autorange="reversed", exponentformat="power")
    fig.update_yaxes(type="log", title="error of the estimate", exponentformat="power")
    return style.tidy(fig, 360, title="Smaller h helps ... until rounding error takes over")


@remembered()
def descent_figure(w_grid: np.ndarray, c_grid: np.ndarray, weights: list[float],
                   costs: list[float]) -> go.Figure:
    """Gradient descent's steps on the cost curve; the newest point is where w1 is now."""
    fig = cost_curve.build(w_grid, c_grid, "Gradient descent: step after step downhill")
    n = len(weights)
    fig.add_scatter(x=np.array(weights, dtype=float), y=costs, mode="lines+markers",
                    name="steps", line=dict(color=style.MODEL, width=1.5),
                    marker=dict(size=8, color=style.with_alpha(style.MODEL, 0.6)),
                    customdata=np.arange(n),
                    hovertemplate="step %{customdata}<br>w1 = %{x:.4f}<br>cost = %{y:.4f}"
                                  "<extra></extra>")
    fig.add_scatter(x=[weights[-1]], y=[costs[-1]], mode="markers", name="w1 now",
                    marker=dict(size=15, color=style.CHANGING, symbol="x"))
    low, high = float(np.min(c_grid)), float(np.max(c_grid))
    fig.update_yaxes(range=[low - 0.05 * (high - low), high * 1.05])
    fig.update_xaxes(range=[float(w_grid[0]), float(w_grid[-1])])
    return fig


@remembered()
def timing_figure(backprop_seconds: float, nudge_seconds: float, n_parameters: int) -> go.Figure:
    """One gradient by backprop against one by nudging every weight (log scale)."""
    names = ["backprop: 1 forward + 1 backward", f"nudging: {2 * n_parameters:,} forward passes"]
    values = [backprop_seconds, nudge_seconds]
    fig = go.Figure(go.Bar(y=names, x=values, orientation="h",
                           marker_color=[style.MODEL, style.DATA],
                           text=[seconds(v) for v in values], textposition="outside",
                           cliponaxis=False, hovertemplate="%{x:.3g} s<extra></extra>"))
    fig.update_xaxes(type="log", title="seconds for one full gradient (log scale)",
                     exponentformat="power")
    return style.tidy(fig, 220, title="Time for one full gradient")

"""Plotly figures for Output and loss: scores, probabilities, the two losses and the cost.

Builders only draw what they are given; the numbers come from concepts.softmax_loss. Scores are
blue above 0 and orange below, like every signed number; probabilities, the network's answer, are
green. The correct digit is marked with a ✓ under its bars and an outline around them, never by
colour alone.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from explainer.charts import style
from explainer.charts.memo import remembered
from explainer.charts.numbers import short


def digit_labels(n: int, correct: int | None) -> list[str]:
    """"0" ... "9", the correct digit written "3 ✓"."""
    return [f"{i} {style.RIGHT_MARK}" if i == correct else str(i) for i in range(n)]


@remembered()
def digit_image(image: np.ndarray, title: str = "") -> go.Figure:
    """A 28 x 28 digit as ink on paper, the pixel value on hover."""
    fig = go.Figure(style.digit_heatmap(image))
    style.square_grid(fig)
    return style.tidy(fig, 200, title=title, margin=dict(l=0, r=0, t=30, b=0))


def _outline_correct(fig: go.Figure, correct: int | None, n: int, rows: int) -> None:
    """A frame around the correct digit's bars, in every row: its place, not only its colour."""
    if correct is None or not 0 <= correct < n:
        return
    for row in range(1, rows + 1):
        axis = "" if row == 1 else str(row)
        fig.add_shape(type="rect", xref=f"x{axis}", yref=f"y{axis} domain", x0=correct - 0.48,
                      x1=correct + 0.48, y0=0, y1=1, line=dict(color=style.RIGHT, width=2.5),
                      layer="below")


@remembered()
def scores_and_probabilities(scores: np.ndarray, probabilities: np.ndarray,
                             correct: int | None = None) -> go.Figure:
    """Two rows over the same ten digits: the raw scores, then softmax's probabilities.

    Scores are coloured by their sign, probabilities green; the correct digit is written "3 ✓"
    and framed. Each bar has room for its label (one row per chart, the full width).
    """
    n = len(scores)
    cells = digit_labels(n, correct)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.2,
                        subplot_titles=("Raw scores: any size, any sign",
                                        "After softmax: probabilities that add up to 1"))
    fig.add_bar(x=cells, y=scores, marker_color=[style.sign_colour(v) for v in scores],
                text=[short(v, 2) for v in scores], textposition="outside", cliponaxis=False,
                showlegend=False, row=1, col=1,
                hovertemplate="digit %{x}: score %{y:.4g}<extra></extra>")
    fig.add_bar(x=cells, y=probabilities, marker_color=style.MODEL,
                text=[f"{p:.0%}" if p >= 0.005 else "0%" for p in probabilities],
                textposition="outside", cliponaxis=False, showlegend=False, row=2, col=1,
                hovertemplate="digit %{x}: probability %{y:.4f}<extra></extra>")
    _outline_correct(fig, correct, n, 2)
    low, high = float(np.min(scores)), float(np.max(scores))
    pad = 0.25 * max(high - low, 1.0)
    fig.update_yaxes(range=[min(low, 0) - pad, max(high, 0) + pad], title="score", row=1, col=1)
    fig.update_yaxes(range=[0, 1.25], tickformat=".0%", title="probability", row=2, col=1)
    fig.update_xaxes(title="digit (output cell)", row=2, col=1, type="category")
    fig.update_xaxes(type="category", showticklabels=True, row=1, col=1)
    fig.update_annotations(font_size=13)
    return style.tidy(fig, 340, margin=dict(l=10, r=10, t=30, b=10),
                      uniformtext=dict(minsize=9, mode="show"))


@remembered()
def squared_error_bars(probabilities: np.ndarray, target: np.ndarray) -> go.Figure:
    """Cell by cell: the probability, the correct answer, and the squared difference."""
    n = len(probabilities)
    correct = int(np.argmax(target))
    cells = digit_labels(n, correct)
    terms = (probabilities - target) ** 2
    fig = go.Figure()
    fig.add_bar(x=cells, y=target, name="correct answer: 1 or 0",
                marker=dict(color=style.TRANSPARENT, line=dict(color=style.DATA, width=2)))
    fig.add_bar(x=cells, y=probabilities, name="probability", marker_color=style.MODEL)
    fig.add_bar(x=cells, y=terms, name="squared difference", marker_color=style.DATA,
                text=[f"{t:.2f}" if t >= 0.005 else "" for t in terms],
                textposition="outside", cliponaxis=False)
    fig.update_yaxes(range=[0, 1.2])
    fig.update_xaxes(title="digit (output cell)", type="category")
    return style.tidy(fig, 340, barmode="group", uniformtext=dict(minsize=9, mode="show"),
                      title=f"Squared error = the grey bars added up = {terms.sum():.4f}")


@remembered()
def loss_curves(p: np.ndarray, squared: np.ndarray, cross_entropy: np.ndarray,
                current_p: float, current_squared: float, current_ce: float) -> go.Figure:
    """Both losses against the right digit's probability, with where the page is now."""
    first, second = style.category_colour(0), style.category_colour(1)
    fig = go.Figure()
    fig.add_scatter(x=p, y=cross_entropy, name="cross-entropy", line=dict(color=first, width=3))
    fig.add_scatter(x=p, y=squared, name="squared error", line=dict(color=second, width=3,
                                                                    dash="dash"))
    fig.add_scatter(x=[current_p, current_p], y=[current_ce, current_squared], mode="markers",
                    marker=dict(size=14, color=style.CHANGING, symbol=["circle", "diamond"]),
                    name="your scores now",
                    hovertemplate="probability %{x:.3f}, loss %{y:.3f}<extra></extra>")
    fig.update_xaxes(title="probability of the correct digit", range=[0, 1])
    fig.update_yaxes(title="loss", range=[0, min(5.0, max(2.5, float(current_ce) * 1.1))])
    return style.tidy(fig, 340, title="Both losses fall as the right digit's probability rises")


@remembered()
def batch_cost_chart(labels, losses: np.ndarray, cost: float, name: str) -> go.Figure:
    """Each example's loss as a bar, their mean as a dashed line: the cost (named in the legend,
    so no label hides behind a bar)."""
    x = [f"#{i + 1} ({label})" for i, label in enumerate(labels)]
    fig = go.Figure(go.Bar(x=x, y=losses, marker_color=style.MODEL, name=f"{name} of one digit",
                           hovertemplate="%{x}: %{y:.4f}<extra></extra>"))
    fig.add_scatter(x=[x[0], x[-1]], y=[cost, cost], mode="lines", name=f"their mean, the cost: "
                    f"{cost:.3f}", line=dict(color=style.CHANGING, dash="dash", width=2.5),
                    hovertemplate=f"cost = mean = {cost:.4f}<extra></extra>")
    fig.update_xaxes(title="example (its label)", tickangle=-60)
    fig.update_yaxes(title=name, rangemode="tozero")
    return style.tidy(fig, 340, title=f"The {name} of each digit, and their mean: the cost")

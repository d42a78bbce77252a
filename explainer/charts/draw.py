"""Plotly figures for the drawing page: pixel pictures, the ten probabilities, the hidden cells,
and how many changed test digits a network still reads."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from explainer.charts import style
from explainer.charts.memo import remembered

OTHERS = style.with_alpha(style.MODEL, 0.35)  # the answers the network did not pick
ACTIVE = [[0.0, style.NEUTRAL], [1.0, style.MODEL]]  # a hidden cell: faint when silent
MARGIN = {"l": 4, "r": 4, "t": 30, "b": 4}


def _pixels_layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title={"text": title, "font": {"size": 13}, "x": 0.5, "xanchor": "center"},
                      height=height, margin=MARGIN, paper_bgcolor=style.TRANSPARENT,
                      plot_bgcolor=style.TRANSPARENT)
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    return fig


@remembered()
def pixels_figure(image: np.ndarray, title: str, height: int = 190, zmax: float = 255.0,
                  max_side: int = 140, mark: tuple[float, float] | None = None) -> go.Figure:
    """A picture in MNIST's values (ink high) drawn as ink on paper; big images are thinned out.

    ``mark``: a (row, column) drawn as a cross, named the centre of mass on hover.
    """
    image = np.asarray(image, dtype=np.float64)
    step = max(1, int(np.ceil(max(image.shape) / max_side)))
    shown = image[::step, ::step]
    fig = go.Figure(go.Heatmap(
        z=shown, colorscale=style.INK_SCALE, zmin=0, zmax=zmax, showscale=False,
        x=np.arange(shown.shape[1]) * step, y=np.arange(shown.shape[0]) * step,
        hovertemplate="row %{y}, column %{x}: %{z:.0f}<extra></extra>"))
    if mark is not None:
        fig.add_scatter(x=[mark[1]], y=[mark[0]], mode="markers", showlegend=False,
                        marker={"symbol": "x-thin", "size": 14,
                                "line": {"width": 2, "color": style.CHANGING}},
                        hovertemplate="centre of mass: row %{y:.1f}, column %{x:.1f}"
                                      "<extra></extra>")
    return _pixels_layout(fig, title, height)


@remembered()
def input_grid_figure(digit: np.ndarray, title: str = "What the network reads",
                      height: int = 460) -> go.Figure:
    """The 28 x 28 input as the network receives it: paper 0, ink 255 (shown as 0-1), drawn as
    ink on paper; hover shows each number."""
    values = np.asarray(digit, dtype=np.float64) / 255.0
    text = np.char.mod("%.1f", values)
    text = np.where(text == "1.0", "1", np.char.replace(text, "0.", "."))
    text = np.where(values >= 0.05, text, "")  # paper (and near-paper) left blank
    fig = go.Figure(go.Heatmap(
        z=values, colorscale=style.INK_SCALE, zmin=0, zmax=1, showscale=False, text=text,
        texttemplate="%{text}", textfont={"size": 8}, xgap=1, ygap=1,
        customdata=np.asarray(digit), hovertemplate=(
            "input %{customdata} / 255 = %{z:.3f}<br>row %{y}, column %{x}<extra></extra>")))
    return _pixels_layout(fig, title, height)


@remembered()
def probabilities_figure(probabilities: np.ndarray, title: str = "", height: int = 280,
                         sure: bool = True) -> go.Figure:
    """The ten digits' probabilities as bars, the top guess highlighted (hatched when unsure)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    top = int(np.argmax(probabilities))
    colors = [style.MODEL if d == top else OTHERS for d in range(10)]
    patterns = ["/" if d == top and not sure else "" for d in range(10)]
    fig = go.Figure(go.Bar(
        x=[str(d) for d in range(10)], y=probabilities, marker_color=colors,
        marker_pattern_shape=patterns,
        text=[f"{p:.0%}" if p >= 0.01 else "" for p in probabilities], textposition="outside",
        cliponaxis=False, hovertemplate="digit %{x}: %{y:.2%}<extra></extra>"))
    fig.update_layout(title={"text": title, "font": {"size": 13}}, height=height,
                      margin={"l": 40, "r": 10, "t": 36 if title else 14, "b": 30},
                      bargap=0.25, showlegend=False, paper_bgcolor=style.TRANSPARENT,
                      plot_bgcolor=style.TRANSPARENT)
    fig.update_xaxes(title_text="digit", type="category")
    fig.update_yaxes(range=[0, 1.1], tickformat=".0%", title_text="probability")
    return fig


@remembered()
def hidden_figure(activations: np.ndarray, highlight: list[int] | None = None,
                  columns: int = 32, height: int = 300) -> go.Figure:
    """A hidden layer's activations as a grid of cells (512 = 16 rows of 32), stronger = more."""
    values = np.asarray(activations, dtype=np.float64)
    rows = -(-len(values) // columns)
    grid = np.full(rows * columns, np.nan)
    grid[:len(values)] = values
    cells = np.arange(rows * columns).reshape(rows, columns)
    fig = go.Figure(go.Heatmap(
        z=grid.reshape(rows, columns), customdata=cells, colorscale=ACTIVE, zmin=0,
        xgap=1, ygap=1, colorbar={"title": {"text": "activation", "side": "right"},
                                  "thickness": 12},
        hovertemplate="cell %{customdata}: %{z:.3f}<extra></extra>"))
    for cell in highlight or []:
        row, col = divmod(cell, columns)
        fig.add_shape(type="rect", x0=col - 0.5, x1=col + 0.5, y0=row - 0.5, y1=row + 0.5,
                      line={"color": style.POSITIVE, "width": 2})
    fig.update_layout(height=height, margin={"l": 4, "r": 4, "t": 10, "b": 4},
                      paper_bgcolor=style.TRANSPARENT, plot_bgcolor=style.TRANSPARENT)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x")
    return fig


@remembered()
def template_figure(weights: np.ndarray, title: str, height: int = 170) -> go.Figure:
    """A first-layer cell's 784 weights as a 28 x 28 picture: blue likes ink there, orange
    dislikes it."""
    weights = np.asarray(weights, dtype=np.float64)
    bound = float(np.abs(weights).max()) or 1.0
    fig = go.Figure(go.Heatmap(
        z=weights, colorscale=style.SIGNED_SCALE, zmin=-bound, zmax=bound, showscale=False,
        hovertemplate="row %{y}, column %{x}: weight %{z:.3f}<extra></extra>"))
    return _pixels_layout(fig, title, height)


@remembered()
def scores_figure(scores: np.ndarray, probabilities: np.ndarray, height: int = 260) -> go.Figure:
    """The ten output cells: their scores before softmax (bars), probabilities on hover.

    Scores are signed numbers, so blue above 0 and orange below, as everywhere; the network's
    answer, the highest, is framed in green and starred.
    """
    scores = np.asarray(scores, dtype=np.float64)
    top = int(np.argmax(scores))
    fig = go.Figure(go.Bar(
        x=[str(d) for d in range(10)], y=scores, customdata=np.asarray(probabilities),
        marker_color=[style.sign_colour(s) for s in scores],
        marker_line_color=[style.MODEL if d == top else style.TRANSPARENT for d in range(10)],
        marker_line_width=3,
        text=[f"★ {s:.1f}" if d == top else f"{s:.1f}" for d, s in enumerate(scores)],
        textposition="outside", cliponaxis=False,
        hovertemplate="output cell %{x}: score %{y:.2f}, softmax %{customdata:.2%}"
                      "<extra></extra>"))
    style.tidy(fig, height, margin={"l": 40, "r": 10, "t": 14, "b": 30})
    fig.update_xaxes(title_text="output cell (digit)", type="category")
    fig.update_yaxes(title_text="score (before softmax)", zeroline=True)
    return fig


@remembered()
def dream_history_figure(history: np.ndarray, digit: int, height: int = 220) -> go.Figure:
    """P(digit) at each step of the gradient ascent."""
    fig = go.Figure(go.Scatter(
        x=np.arange(len(history)), y=np.asarray(history), mode="lines", line={"color": style.MODEL},
        hovertemplate="step %{x}: P(" + str(digit) + ") = %{y:.2%}<extra></extra>"))
    style.tidy(fig, height, margin={"l": 40, "r": 10, "t": 14, "b": 30})
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(title_text=f"P({digit})", range=[0, 1.05], tickformat=".0%")
    return fig


@remembered()
def change_accuracy_figure(names: list[str], accuracies: list[float], title: str,
                           height: int = 250) -> go.Figure:
    """The share of test digits one network still reads right after each change, one bar each
    (the unchanged digits first), on a 0-100% axis so networks compare side by side."""
    percent = [100 * float(value) for value in accuracies]
    fig = go.Figure(go.Bar(
        x=percent, y=names, orientation="h", marker_color=style.MODEL,
        text=[f"{value:.0f}%" for value in percent], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.1f}% read right<extra></extra>"))
    style.tidy(fig, height, margin={"l": 10, "r": 40, "t": 34, "b": 36},
               title={"text": title, "font": {"size": 13}, "x": 0, "xanchor": "left"})
    fig.update_xaxes(range=[0, 100], ticksuffix="%", title_text="read right")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig

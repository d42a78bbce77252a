"""Plotly figures for the MNIST training page; the page only displays what these return."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from explainer.charts import style

GAP = 2  # pixels between digits in a grid
OTHER_BARS = style.with_alpha(style.DATA, 0.45)


def _tidy(fig: go.Figure, height: int, **layout) -> go.Figure:
    return style.tidy(fig, height, **{"margin": dict(l=10, r=10, t=40, b=10), **layout})


def digit_grid(images: np.ndarray) -> go.Figure:
    """(10, k, 28, 28) digits, one row per class, drawn as one picture (fast to send)."""
    rows, cols = images.shape[:2]
    cell = 28 + GAP
    canvas = np.full((rows * cell - GAP, cols * cell - GAP), np.nan)
    for r in range(rows):
        for c in range(cols):
            canvas[r * cell:r * cell + 28, c * cell:c * cell + 28] = images[r, c]
    fig = go.Figure(go.Heatmap(z=canvas, colorscale=style.INK_SCALE, zmin=0, zmax=255,
                               showscale=False,
                               hovertemplate="pixel value %{z:.0f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", tickvals=[r * cell + 13.5 for r in range(rows)],
                     ticktext=[str(r) for r in range(rows)], showgrid=False, zeroline=False,
                     scaleanchor="x", title="digit")
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    return _tidy(fig, 40 + 30 * rows + 10, title="Sample digits per class")


def class_counts_chart(train_counts: np.ndarray, test_counts: np.ndarray) -> go.Figure:
    """How many digits of each class, training and test side by side."""
    digits = [str(d) for d in range(10)]
    fig = go.Figure([
        go.Bar(x=digits, y=train_counts, name="training", marker_color=style.DATA,
               hovertemplate="digit %{x}: %{y:,} training digits<extra></extra>"),
        go.Bar(x=digits, y=test_counts, name="test", marker_color=OTHER_BARS,
               marker_pattern_shape="/",
               hovertemplate="digit %{x}: %{y:,} test digits<extra></extra>"),
    ])
    fig.update_xaxes(title="digit", type="category")
    fig.update_yaxes(title="count")
    return _tidy(fig, 320, title="Digits per class", barmode="group",
                 legend=dict(orientation="h", y=1.02, x=1, xanchor="right", yanchor="bottom"))


def pixel_histogram_chart(counts: np.ndarray, edges: np.ndarray, scaled: bool) -> go.Figure:
    """How often each pixel value occurs (log scale: most pixels are background 0)."""
    divisor = 255.0 if scaled else 1.0
    centres = (edges[:-1] + edges[1:]) / 2 / divisor
    fig = go.Figure(go.Bar(x=centres, y=counts, width=(edges[1] - edges[0]) / divisor,
                           marker_color=style.DATA,
                           hovertemplate="values near %{x:.3g}: %{y:,} pixels<extra></extra>"))
    fig.update_xaxes(title="pixel value the network sees" + (" (scaled to 0-1)" if scaled
                                                             else " (raw 0-255)"))
    fig.update_yaxes(title="pixels (log scale)", type="log")
    return _tidy(fig, 320, title="Pixel values")


# the two sets of digits, in the same colours wherever they are drawn
TRAINING_DIGITS, TEST_DIGITS = style.category_colour(0), style.category_colour(1)


def training_curves(curve: dict[str, list[float]], epochs_log: dict[str, list[float]],
                    epochs: int, height: int = 340) -> go.Figure:
    """Loss and accuracy as training goes, on the training digits and on the test digits.

    The training digits' figures are Keras' running average over the epoch (a line while it
    goes, a point at its end); the test digits are scored once at the end of every epoch.
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Loss<br>(lower is better)",  # a phone
                                                         "Accuracy<br>(higher is better)"),
                        horizontal_spacing=0.12)
    for col, key in ((1, "loss"), (2, "accuracy")):
        show = col == 1
        if curve.get("x"):
            fig.add_trace(go.Scatter(
                x=curve["x"], y=curve[key], mode="lines", name="training digits, this epoch",
                line=dict(color=TRAINING_DIGITS, width=1.5), opacity=0.5, showlegend=show,
                legendgroup="train-run",
                hovertemplate="epoch %{x:.2f}<br>" + key + " %{y:.4f}<extra>training digits"
                              "</extra>"), row=1, col=col)
        if epochs_log.get("epoch"):
            fig.add_trace(go.Scatter(
                x=epochs_log["epoch"], y=epochs_log[key], mode="lines+markers",
                name="training digits", marker=dict(color=TRAINING_DIGITS, size=8),
                line=dict(color=TRAINING_DIGITS), showlegend=show, legendgroup="train",
                hovertemplate="end of epoch %{x}<br>" + key + " %{y:.4f}<extra>training digits"
                              "</extra>"), row=1, col=col)
            fig.add_trace(go.Scatter(
                x=epochs_log["epoch"], y=epochs_log["val_" + key], mode="lines+markers",
                name="test digits (never trained on)",
                marker=dict(color=TEST_DIGITS, size=9, symbol="diamond"),
                line=dict(color=TEST_DIGITS, dash="dot"), showlegend=show, legendgroup="test",
                hovertemplate="end of epoch %{x}<br>" + key + " %{y:.4f}<extra>test digits"
                              "</extra>"), row=1, col=col)
    fig.update_xaxes(title="epoch", range=[0, max(epochs, 1) + 0.1], dtick=1 if epochs <= 15
                     else None)
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_annotations(font_size=13)
    return _tidy(fig, height, margin=dict(l=10, r=10, t=58, b=10))


def seed_spread_chart(accuracies: list[float], seeds: list[int], reference: float) -> go.Figure:
    """Test accuracy per seed, with the walk-through's single number for comparison."""
    fig = go.Figure(go.Scatter(
        x=accuracies, y=["your runs"] * len(accuracies), mode="markers+text",
        text=[f"seed {s}" for s in seeds], textposition="top center",
        marker=dict(size=14, color=style.MODEL),
        hovertemplate="%{text}: %{x:.2%}<extra></extra>"))
    fig.add_vline(x=reference, line=dict(color=style.DATA, dash="dash"),
                  annotation_text=f"walk-through: {reference:.2%}", annotation_position="top")
    low, high = min([*accuracies, reference]), max([*accuracies, reference])
    pad = max((high - low) * 0.3, 0.002)
    fig.update_xaxes(tickformat=".2%", range=[low - pad, high + pad], title="test accuracy")
    fig.update_yaxes(showticklabels=False)
    return _tidy(fig, 200, title="Same recipe, different seeds")


def per_class_chart(per_class: np.ndarray) -> go.Figure:
    """Accuracy for each true digit."""
    values = np.nan_to_num(per_class, nan=0.0)
    low = float(np.nanmin(per_class)) if np.isfinite(per_class).any() else 0.0
    fig = go.Figure(go.Bar(
        x=[str(d) for d in range(10)], y=values, marker_color=style.MODEL,
        text=[f"{v:.1%}" for v in values], textposition="outside",
        hovertemplate="digit %{x}: %{y:.2%} right<extra></extra>"))
    fig.update_traces(cliponaxis=False)  # a label over a 100% bar sits above the axis's end
    fig.update_xaxes(title="true digit", type="category")
    fig.update_yaxes(tickformat=".0%", range=[max(0.0, min(low - 0.05, 0.9)), 1.0])
    return _tidy(fig, 330, title="Accuracy per digit", margin=dict(t=64))


def confusion_chart(matrix: np.ndarray, selected: tuple[int, int] | None = None) -> go.Figure:
    """The confusion matrix: rows true digit, columns the network's answer. Click a cell.

    Colour shows the share of each true digit (square root, so small mistakes stay visible);
    an invisible marker sits on every cell so a click selects it.
    """
    totals = matrix.sum(axis=1, keepdims=True)
    share = matrix / np.maximum(totals, 1)
    digits = list(range(10))
    fig = go.Figure(go.Heatmap(
        z=np.sqrt(share), x=digits, y=digits, showscale=False,
        colorscale=[[0.0, style.NEUTRAL], [1.0, style.MODEL]],
        text=matrix, hoverinfo="skip"))
    cells_y, cells_x = np.meshgrid(digits, digits, indexing="ij")
    fig.add_trace(go.Scatter(  # invisible markers: they carry the counts, the hover and the clicks
        x=cells_x.ravel(), y=cells_y.ravel(), mode="markers+text", text=matrix.ravel(),
        textfont=dict(size=11),  # the theme's text colour: read in light and dark alike
        marker=dict(size=30, symbol="square", color=style.TRANSPARENT),
        customdata=np.stack([matrix.ravel(), share.ravel()], axis=1),
        hovertemplate="true %{y}, answered %{x}: %{customdata[0]} digits "
                      "(%{customdata[1]:.1%})<extra></extra>",
        showlegend=False, name="cells"))
    if selected is not None:
        fig.add_shape(type="rect", x0=selected[1] - 0.5, x1=selected[1] + 0.5,
                      y0=selected[0] - 0.5, y1=selected[0] + 0.5,
                      line=dict(color=style.CHANGING, width=3))
    fig.update_xaxes(title="the network's answer", tickvals=digits, side="top")
    fig.update_yaxes(title="true digit", tickvals=digits, autorange="reversed", scaleanchor="x")
    return _tidy(fig, 470)


def digit_gallery(images: np.ndarray, labels: np.ndarray, probabilities: np.ndarray,
                  columns: int = 6) -> go.Figure:
    """Digits with their true label, the answer and the 10 probabilities under each."""
    count = len(images)
    rows = max(math.ceil(count / columns), 1)
    answers = probabilities.argmax(axis=1) if count else []
    titles = []
    for r in range(rows):
        for c in range(columns):
            i = r * columns + c
            mark = style.verdict(i < count and answers[i] == labels[i])[1]
            # two short lines, so six titles a row stay apart even on a phone
            titles.append(f"true {labels[i]}<br>→ {answers[i]} {mark} "
                          f"{probabilities[i, answers[i]]:.0%}" if i < count else "")
        titles.extend([""] * columns)
    fig = make_subplots(rows=2 * rows, cols=columns, subplot_titles=titles,
                        row_heights=[0.6, 0.4] * rows, vertical_spacing=0.2 / rows,
                        horizontal_spacing=0.03)
    for i in range(count):
        r, c = divmod(i, columns)
        fig.add_trace(go.Heatmap(z=images[i], colorscale=style.INK_SCALE, zmin=0, zmax=255,
                                 showscale=False, hoverinfo="skip"), row=2 * r + 1, col=c + 1)
        colors = [OTHER_BARS] * 10
        colors[answers[i]] = style.verdict(answers[i] == labels[i])[0]
        colors[labels[i]] = style.RIGHT
        named = (labels[i], answers[i])  # the two bars that matter carry their digit
        fig.add_trace(go.Bar(x=list(range(10)), y=probabilities[i], marker_color=colors,
                             text=[str(d) if d in named else "" for d in range(10)],
                             textposition="outside", textfont_size=10, cliponaxis=False,
                             hovertemplate="%{x}: %{y:.1%}<extra></extra>", showlegend=False),
                      row=2 * r + 2, col=c + 1)
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{2 * r * columns + c + 1}"
                         if 2 * r * columns + c else "x", visible=False, row=2 * r + 1, col=c + 1)
        fig.update_xaxes(visible=False, row=2 * r + 1, col=c + 1)
        fig.update_yaxes(range=[0, 1.3], visible=False, row=2 * r + 2, col=c + 1)
        fig.update_xaxes(visible=False, row=2 * r + 2, col=c + 1)  # hover names every digit
    fig.update_annotations(font_size=11)
    return _tidy(fig, 40 + 280 * rows)


def weight_images(images: np.ndarray, titles: list[str], columns: int = 5,
                  height_per_row: int = 210) -> go.Figure:
    """Weights drawn as images: blue pulls a cell's sum up where there is ink, orange pulls it
    down, faint is near 0."""
    count = len(images)
    rows = max(math.ceil(count / columns), 1)
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles + [""] *
                        (rows * columns - count), horizontal_spacing=0.02,
                        vertical_spacing=0.08 / rows)
    for i in range(count):
        r, c = divmod(i, columns)
        limit = float(np.abs(images[i]).max()) or 1.0
        fig.add_trace(go.Heatmap(z=images[i], colorscale=style.SIGNED_SCALE, zmin=-limit,
                                 zmax=limit,
                                 showscale=False,
                                 hovertemplate="row %{y}, column %{x}: weight %{z:.3f}"
                                               "<extra></extra>"), row=r + 1, col=c + 1)
        fig.update_yaxes(autorange="reversed", visible=False, row=r + 1, col=c + 1,
                         scaleanchor=f"x{i + 1}" if i else "x")
        fig.update_xaxes(visible=False, row=r + 1, col=c + 1)
    fig.update_annotations(font_size=12)
    return _tidy(fig, 40 + height_per_row * rows)

"""Plotly figures for the one-change experiments: accuracy per epoch overlaid, and one bar each.

The builders take plain names and numbers (the page passes the session's results); the
walk-through's network is drawn thicker and in its own colour so every change reads against it.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from explainer.charts import style

# All colour choices of this module (colour-blind safe; to be read from the shared style module).
BASELINE_COLOUR = style.MODEL  # the walk-through's network: what the model learned, drawn thick
CHANGE_COLOURS = style.CATEGORIES[1:]  # each change its own line (with its own dash)
DASHES = ("solid", "dash", "dot", "dashdot")  # with 4 colours: 16 changes before a repeat
TRANSPARENT = style.TRANSPARENT


def _style(index: int) -> tuple[str, str]:
    """The colour and dash of the index-th change (the baseline has its own)."""
    return CHANGE_COLOURS[index % len(CHANGE_COLOURS)], DASHES[(index // len(CHANGE_COLOURS))
                                                               % len(DASHES)]


def _layout(fig: go.Figure, height: int, **layout) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10),
                      paper_bgcolor=TRANSPARENT, plot_bgcolor=TRANSPARENT, **layout)
    return fig


def accuracy_per_epoch_chart(curves: Sequence[tuple[str, Sequence[float]]],
                             baseline: str) -> go.Figure:
    """Test accuracy after each epoch, one line per run; the run named ``baseline`` emphasised.

    ``curves`` holds (name, accuracy per epoch in 0-1) pairs in the order the runs were made.
    """
    fig = go.Figure()
    changes = 0
    for name, accuracy in curves:
        epochs = list(range(1, len(accuracy) + 1))
        percent = [100 * value for value in accuracy]
        if name == baseline:
            line, mode = dict(color=BASELINE_COLOUR, width=4), "lines+markers"
        else:
            colour, dash = _style(changes)
            changes += 1
            line, mode = dict(color=colour, width=2, dash=dash), "lines+markers"
        fig.add_trace(go.Scatter(
            x=epochs, y=percent, mode=mode, name=name, line=line, marker=dict(size=6),
            hovertemplate=f"{name}<br>after epoch %{{x}}: %{{y:.2f}}% right<extra></extra>"))
    longest = max((len(accuracy) for _, accuracy in curves), default=1)
    fig.update_xaxes(title="epoch (passes over the training digits)", dtick=1,
                     range=[0.8, max(longest, 1) + 0.2])
    fig.update_yaxes(title="test accuracy (%)", ticksuffix="%")
    return _layout(fig, 380, title="Test accuracy after each epoch",
                   legend=dict(orientation="h", y=-0.25, x=0, yanchor="top"))


def accuracy_bars(names: Sequence[str], accuracies: Sequence[float], baseline: str) -> go.Figure:
    """Test accuracy per change as horizontal bars, best at the top, with the baseline's value
    as a line to read every bar against."""
    order = sorted(range(len(names)), key=lambda i: accuracies[i])
    shown_names = [names[i] for i in order]
    percent = [100 * accuracies[i] for i in order]
    colours = [BASELINE_COLOUR if name == baseline else style.DATA for name in shown_names]
    fig = go.Figure(go.Bar(
        x=percent, y=shown_names, orientation="h", marker_color=colours,
        text=[f"{value:.1f}%" for value in percent], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.2f}% of the test digits right<extra></extra>"))
    if baseline in names:
        reference = 100 * accuracies[list(names).index(baseline)]
        fig.add_vline(x=reference, line=dict(color=BASELINE_COLOUR, width=2, dash="dot"))
    low = min(percent, default=0.0)
    fig.update_xaxes(title="test accuracy (%)", ticksuffix="%",
                     range=[max(0.0, low - 5.0), 101.5])
    fig.update_yaxes(automargin=True)
    return _layout(fig, 90 + 34 * len(names), title="Test accuracy per change",
                   showlegend=False)

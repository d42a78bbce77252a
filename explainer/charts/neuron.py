"""Figures for Neurons and layers: one cell's activation, a dense layer, a digit as 784 inputs.

Each function takes plain numbers and arrays and returns a ``go.Figure``; pages only show them.
Colours come from :mod:`explainer.charts.style`: blue positive and orange negative weights and
values, grey data (the inputs), purple the value you are changing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from explainer.charts import style
from explainer.charts.memo import remembered
from explainer.concepts.lessons import neuron


@remembered()
def activation_curve(activation: str, total: float, bias: float) -> go.Figure:
    """The cell's output against its weighted sum, the threshold, and where the cell is now."""
    reach = min(max(4.0, abs(total) * 1.3, abs(bias) * 1.3), 1e4)
    sums = np.linspace(-reach, reach, 401)
    here = float(neuron.activate(activation, total + bias))
    name = "no activation" if activation == "none" else activation
    fig = go.Figure()
    fig.add_scatter(x=sums, y=neuron.activate(activation, sums + bias), mode="lines",
                    line=dict(color=style.MODEL, width=3), name=f"output = {name}(sum + bias)",
                    hovertemplate="sum %{x:.3f}<br>output %{y:.3f}<extra></extra>")
    fig.add_vline(x=-bias, line=dict(color=style.FAINT, dash="dash"),
                  annotation_text=f"threshold {neuron.short_number(-bias)}",
                  annotation_position="top left")
    fig.add_scatter(x=[float(np.clip(total, -reach, reach))], y=[here], mode="markers",
                    name="this cell now",
                    marker=dict(color=style.CHANGING, size=14, symbol="circle"),
                    hovertemplate="sum %{x:.3f}<br>output %{y:.3f}<extra></extra>")
    now = (f"<span style='color:{style.CHANGING}'>●</span> now: sum {total:.3g} → output "
           f"{here:.3g}")  # above the plot, where no curve or threshold can hide it
    return style.tidy(fig, 250, xaxis_title="weighted sum (input × weight, added up)",
                      yaxis_title="output", showlegend=False, margin=dict(t=34),
                      title=dict(text=now, font=dict(size=13), x=0, xanchor="left",
                                 xref="paper"))


@remembered()
def dense_layer(inputs: Sequence[float], weights: np.ndarray, biases: Sequence[float],
                outputs: Sequence[float], selected: int = 0) -> go.Figure:
    """Inputs on the left, hidden cells on the right, every input wired to every cell.

    Lines are blue for positive and orange for negative weights, thicker for bigger ones; each
    cell is filled by the sign of its value (blue above 0, orange below, faint at 0); the
    selected cell (the one you edit) is ringed in purple and its weights are written on its lines.
    """
    weights = np.asarray(weights, dtype=float)
    n_cells, n_inputs = weights.shape

    def heights(n):
        return np.linspace(1, 0, n) if n > 1 else np.array([0.5])

    y_in, y_out = heights(n_inputs) * 0.8 + 0.1, heights(n_cells)
    biggest = max(float(np.abs(weights).max()), 1e-9)
    fig = go.Figure()
    gap = 0.085  # stop the lines at the circles' edges
    for j in range(n_cells):
        for i in range(n_inputs):
            w, chosen = weights[j, i], j == selected
            width = 1 + 7 * min(abs(w) / biggest, 1.0)
            y0, y1 = y_in[i], y_out[j]
            fig.add_scatter(x=[gap, 1 - gap], y=[y0 + gap * (y1 - y0), y1 - gap * (y1 - y0)],
                            mode="lines", showlegend=False,
                            line=dict(color=style.sign_colour(w),
                                      width=width if chosen else width * 0.6),
                            opacity=1.0 if chosen else 0.35, hoverinfo="text",
                            hovertext=f"input {i + 1} → cell {j + 1}: weight {w:.3g}")
            if chosen:
                fig.add_annotation(x=0.3, y=y0 + 0.3 * (y1 - y0), text=f"<b>× {w:.3g}</b>",
                                   showarrow=False, font=dict(size=15), yshift=12)
    fig.add_scatter(x=np.zeros(n_inputs), y=y_in, mode="markers+text", showlegend=False,
                    marker=dict(size=46, color=style.with_alpha(style.DATA, 0.25),
                                line=dict(color=style.DATA, width=2)),
                    text=[f"{v:.3g}" for v in inputs], textfont=dict(size=15),
                    hovertext=[f"input {i + 1}: {v:.3g}" for i, v in enumerate(inputs)],
                    hoverinfo="text")
    fills = [style.NEUTRAL if abs(v) < 1e-12 else style.with_alpha(style.sign_colour(v), 0.3)
             for v in outputs]
    fig.add_scatter(x=np.ones(n_cells), y=y_out, mode="markers+text", showlegend=False,
                    marker=dict(size=[56 if j == selected else 46 for j in range(n_cells)],
                                color=fills,
                                line=dict(color=[style.CHANGING if j == selected else
                                                 style.sign_colour(outputs[j])
                                                 for j in range(n_cells)],
                                          width=[4 if j == selected else 2
                                                 for j in range(n_cells)])),
                    text=[f"{v:.3g}" for v in outputs], textfont=dict(size=15),
                    hovertext=[f"cell {j + 1}: bias {biases[j]:.3g}, value {outputs[j]:.3g}"
                               for j in range(n_cells)], hoverinfo="text")
    for j in range(n_cells):
        label = "your cell" if j == selected else f"cell {j + 1}"
        fig.add_annotation(x=1.17, y=y_out[j], text=f"{label}<br>bias {biases[j]:.3g}",
                           showarrow=False, xanchor="left", font=dict(size=12))
    fig.add_annotation(x=0, y=1.17, text="<b>inputs</b>", showarrow=False)
    fig.add_annotation(x=1, y=1.17, text="<b>hidden cells</b>", showarrow=False)
    fig.update_xaxes(visible=False, range=[-0.15, 1.55])
    fig.update_yaxes(visible=False, range=[-0.12, 1.22])
    return style.tidy(fig, 320)


@remembered()
def deep_network(hidden_layers: int = 2) -> go.Figure:
    """A sketch of a network with ``hidden_layers`` hidden layers between the input and the output.

    A few cells stand for each layer (the dots say there are more); every cell is wired to every
    cell of the next layer. The hidden layers are bracketed: more than one makes it deep.
    """
    layers = [("input", "784 pixels", 4, style.DATA)]
    layers += [(f"hidden {k + 1}", "512 cells", 4, style.MODEL) for k in range(hidden_layers)]
    layers += [("output", "10 digits", 3, style.MODEL)]
    fig = go.Figure()
    heights = [np.linspace(0.85, 0.25, n) for _, _, n, _ in layers]
    for k in range(len(layers) - 1):
        for y0 in heights[k]:
            for y1 in heights[k + 1]:
                fig.add_scatter(x=[k, k + 1], y=[y0, y1], mode="lines", showlegend=False,
                                line=dict(color=style.FAINT, width=1), hoverinfo="skip")
    for k, (name, size, n, colour) in enumerate(layers):
        fig.add_scatter(x=[k] * n, y=heights[k], mode="markers", showlegend=False,
                        marker=dict(size=16, color=style.with_alpha(colour, 0.35),
                                    line=dict(color=colour, width=2)),
                        hovertext=f"{name}: {size}", hoverinfo="text")
        fig.add_annotation(x=k, y=0.12, text="⋮", showarrow=False, font=dict(size=16))
        fig.add_annotation(x=k, y=1.0, text=f"<b>{name}</b><br>{size}", showarrow=False,
                           yanchor="bottom", font=dict(size=12))
    last_hidden = len(layers) - 2
    fig.add_shape(type="path", path=f"M 0.75,0.02 L 0.75,-0.04 L {last_hidden + 0.25},-0.04 "
                                    f"L {last_hidden + 0.25},0.02",
                  line=dict(color=style.MODEL, width=2))
    deep = "deep" if hidden_layers > 1 else "not yet deep"
    fig.add_annotation(x=(1 + last_hidden) / 2, y=-0.07, yanchor="top", showarrow=False,
                       text=f"{hidden_layers} hidden layer{'s' if hidden_layers > 1 else ''}: "
                            f"{deep}", font=dict(size=12))
    fig.update_xaxes(visible=False, range=[-0.45, len(layers) - 0.55])
    fig.update_yaxes(visible=False, range=[-0.2, 1.2])
    return style.tidy(fig, 280, margin=dict(l=0, r=0, t=0, b=0))


@remembered()
def digit_grid(image: np.ndarray, show_numbers: bool = False, height: int = 420) -> go.Figure:
    """A 28 x 28 digit as cells holding 0-255: white paper 0, black ink 255, values on hover."""
    image = np.asarray(image)
    trace = style.digit_heatmap(image, gaps=True)
    if show_numbers:
        trace.update(texttemplate="%{z}", textfont=dict(size=7))
    rows, cols = image.shape
    fig = style.square_grid(go.Figure(trace))
    fig.update_xaxes(constrain="domain", range=[-0.5, cols - 0.5], ticks="")
    fig.update_yaxes(constrain="domain", range=[rows - 0.5, -0.5], autorange=False, ticks="")
    fig = style.tidy(fig, height)
    fig.update_layout(plot_bgcolor=style.FAINT)  # shows through the 1-pixel gaps as a grid
    return fig


@remembered()
def input_row(image: np.ndarray) -> go.Figure:
    """The same 784 values in one long row: what the first layer receives."""
    row = np.asarray(image).reshape(1, -1)
    trace = style.digit_heatmap(row, hover="value")
    trace.update(hovertemplate="input cell %{x}<br>value %{z}<extra></extra>")
    fig = go.Figure(trace)
    fig.update_yaxes(visible=False)
    fig.update_xaxes(title="input cell 0 … 783 (row after row)", showline=True,
                     linecolor=style.FAINT, mirror=True, showgrid=False, title_standoff=12)
    return style.tidy(fig, 130)

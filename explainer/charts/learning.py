"""Plotly figures for the Learning pages: probabilities, losses, cost curves, paths, the network.

Builders only draw what they are given; the numbers come from softmax_loss, descent and backprop.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

BLUE, RED, GREEN, ORANGE, GREY = "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9aa0a6"
OPTIMIZER_COLOURS = {"Gradient descent": BLUE, "Momentum": ORANGE, "RMSprop": GREEN,
                     "Adam": "#9467bd"}


def _layout(fig: go.Figure, height: int = 320, **kwargs) -> go.Figure:
    kwargs.setdefault("margin", dict(l=10, r=10, t=40, b=10))
    fig.update_layout(height=height, **kwargs)
    return fig


def _fmt(value: float, digits: int = 3) -> str:
    if not np.isfinite(value):
        return str(value)
    if 1e3 <= abs(value) < 1e7:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


# ---------------------------------------------------------------------------------------------
# Output and loss

def digit_image(image: np.ndarray, title: str = "") -> go.Figure:
    """A 28 x 28 digit, ink dark on white, hover shows the pixel value."""
    fig = go.Figure(go.Heatmap(z=image[::-1], colorscale="Greys", showscale=False,
                               hovertemplate="pixel %{z}<extra></extra>"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return _layout(fig, 220, title=title)


def score_bars(scores: np.ndarray, correct: int | None = None) -> go.Figure:
    """The 10 raw output scores, any size and sign."""
    colours = [GREEN if i == correct else GREY for i in range(len(scores))]
    fig = go.Figure(go.Bar(x=[str(i) for i in range(len(scores))], y=scores,
                           marker_color=colours, text=[_fmt(s) for s in scores],
                           textposition="outside", cliponaxis=False,
                           hovertemplate="cell %{x}: score %{y:.4g}<extra></extra>"))
    fig.update_layout(uniformtext=dict(minsize=9, mode="show"))
    fig.update_xaxes(title="output cell (digit)")
    fig.update_yaxes(title="raw score")
    return _layout(fig, 300, title="Raw scores: any size, any sign")


def probability_bars(probabilities: np.ndarray, correct: int | None = None) -> go.Figure:
    """Softmax probabilities in 0-1 that add up to 1; the correct cell in green."""
    colours = [GREEN if i == correct else BLUE for i in range(len(probabilities))]
    fig = go.Figure(go.Bar(x=[str(i) for i in range(len(probabilities))], y=probabilities,
                           marker_color=colours,
                           text=[f"{p:.1%}" if p >= 0.0005 else "0" for p in probabilities],
                           textposition="outside", cliponaxis=False,
                           hovertemplate="digit %{x}: %{y:.6f}<extra></extra>"))
    fig.update_yaxes(range=[0, 1.12], title="probability", tickformat=".0%")
    fig.update_layout(uniformtext=dict(minsize=9, mode="show"))
    fig.update_xaxes(title="output cell (digit)")
    return _layout(fig, 300, title=f"Softmax: probabilities, sum = {probabilities.sum():.6f}")


def squared_error_bars(probabilities: np.ndarray, target: np.ndarray) -> go.Figure:
    """Cell by cell: the probability, the correct answer, and the squared difference."""
    cells = [str(i) for i in range(len(probabilities))]
    terms = (probabilities - target) ** 2
    fig = go.Figure()
    fig.add_bar(x=cells, y=target, name="correct answer y (one-hot)", marker_color=GREEN,
                opacity=0.35)
    fig.add_bar(x=cells, y=probabilities, name="probability p", marker_color=BLUE)
    fig.add_bar(x=cells, y=terms, name="(p - y)²", marker_color=RED,
                text=[f"{t:.3f}" if t >= 0.0005 else "" for t in terms],
                textposition="outside", cliponaxis=False)
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.25),
                      uniformtext=dict(minsize=9, mode="show"))
    fig.update_yaxes(range=[0, 1.15])
    fig.update_xaxes(title="output cell (digit)")
    return _layout(fig, 340, title=f"Squared error = sum of the red bars = {terms.sum():.4f}")


def loss_curves(p: np.ndarray, squared: np.ndarray, cross_entropy: np.ndarray,
                current_p: float, current_squared: float, current_ce: float) -> go.Figure:
    """Both losses against the right cell's probability, with where we are now."""
    fig = go.Figure()
    fig.add_scatter(x=p, y=squared, name="squared error", line=dict(color=RED))
    fig.add_scatter(x=p, y=cross_entropy, name="cross-entropy  -log p", line=dict(color=ORANGE))
    fig.add_scatter(x=[current_p, current_p], y=[current_squared, current_ce], mode="markers",
                    marker=dict(size=12, color=[RED, ORANGE], line=dict(color="black", width=1)),
                    name="now", hovertemplate="p = %{x:.3f}, loss %{y:.3f}<extra></extra>")
    fig.update_xaxes(title="probability of the correct digit", range=[0, 1])
    fig.update_yaxes(title="loss", range=[0, min(5.0, max(2.5, float(current_ce) * 1.1))])
    fig.update_layout(legend=dict(orientation="h", y=-0.3))
    return _layout(fig, 340, title="Both fall as the right cell's probability rises")


def batch_cost_chart(labels, losses: np.ndarray, cost: float, name: str) -> go.Figure:
    """Each example's loss as a bar, their mean as a line: the cost."""
    x = [f"#{i + 1} ({label})" for i, label in enumerate(labels)]
    fig = go.Figure(go.Bar(x=x, y=losses, marker_color=BLUE, name=name,
                           hovertemplate="%{x}: %{y:.4f}<extra></extra>"))
    fig.add_hline(y=cost, line=dict(color=RED, dash="dash"),
                  annotation_text=f"cost = mean = {cost:.4f}", annotation_position="top right",
                  annotation_bgcolor="rgba(255,255,255,0.85)", annotation_font_color=RED)
    fig.update_xaxes(title="example (its digit)", tickangle=-45)
    fig.update_yaxes(title=name)
    return _layout(fig, 320, title=f"{name} of each example, and the cost")


# ---------------------------------------------------------------------------------------------
# Nudging a weight

def cost_curve(w: np.ndarray, c: np.ndarray, title: str = "The cost curve C(w)") -> go.Figure:
    fig = go.Figure(go.Scatter(x=w, y=c, name="cost C(w)", line=dict(color=GREY, width=3),
                               hovertemplate="w = %{x:.3f}<br>C = %{y:.4f}<extra></extra>"))
    fig.update_xaxes(title="weight w")
    fig.update_yaxes(title="cost C(w)")
    return _layout(fig, 360, title=title, legend=dict(orientation="h", y=-0.25))


def nudge_figure(w: np.ndarray, c: np.ndarray, nudge) -> go.Figure:
    """The curve with the three forward passes: w, w + step (l1) and w - step (l2)."""
    fig = cost_curve(w, c, "Two nudges, two forward passes")
    points = [(nudge.w - nudge.step, nudge.loss_down, f"l2 = C({nudge.w - nudge.step:g})", GREEN),
              (nudge.w, nudge.loss_here, f"C({nudge.w:g})", "black"),
              (nudge.w + nudge.step, nudge.loss_up, f"l1 = C({nudge.w + nudge.step:g})", RED)]
    for x, y, label, colour in points:
        fig.add_scatter(x=[x], y=[y], mode="markers+text", text=[f"{label} = {y:.3f}"],
                        textposition="middle right" if x < nudge.w else "middle left",
                        marker=dict(size=13, color=colour), showlegend=False,
                        hovertemplate=f"{label}<br>= %{{y:.4f}}<extra></extra>")
    if nudge.direction:
        target = nudge.w + nudge.direction * nudge.step
        fig.add_annotation(x=target, y=min(nudge.loss_down, nudge.loss_up), ax=nudge.w,
                           ay=nudge.loss_here, xref="x", yref="y", axref="x", ayref="y",
                           showarrow=True, arrowhead=3, arrowwidth=2, arrowcolor=GREEN)
    return fig


def secant_figure(w_grid: np.ndarray, c_grid: np.ndarray, w: float, h: float, c_w: float,
                  c_minus: float, c_plus: float, slope: float) -> go.Figure:
    """The secant through C(w - h) and C(w + h) beside the tangent at w."""
    fig = cost_curve(w_grid, c_grid, "Secant (nudge) and tangent (derivative)")
    span = np.array([w_grid[0], w_grid[-1]])
    secant = (c_plus - c_minus) / (2 * h)
    fig.add_scatter(x=span, y=c_minus + secant * (span - (w - h)), name=f"secant, slope "
                    f"{secant:.5g}", line=dict(color=ORANGE, dash="dash"))
    fig.add_scatter(x=span, y=c_w + slope * (span - w), name=f"tangent, slope {slope:.5g}",
                    line=dict(color=GREEN))
    fig.add_scatter(x=[w - h, w + h], y=[c_minus, c_plus], mode="markers", showlegend=False,
                    marker=dict(size=11, color=ORANGE),
                    hovertemplate="C(%{x:.4g}) = %{y:.5g}<extra></extra>")
    fig.add_scatter(x=[w], y=[c_w], mode="markers", showlegend=False,
                    marker=dict(size=9, color="black"))
    low, high = float(np.min(c_grid)), float(np.max(c_grid))
    fig.update_yaxes(range=[low - 0.1 * (high - low), high + 0.1 * (high - low)])
    return fig


def nudge_error_figure(rows: list[dict], chosen_h: float | None = None) -> go.Figure:
    """Error of the nudge estimate against h, log-log: truncation falls, rounding rises."""
    h = [r["h"] for r in rows]
    floor = 1e-17  # an error of exactly 0 has no place on a log axis
    fig = go.Figure()
    fig.add_scatter(x=h, y=[max(r["centred error"], floor) for r in rows], mode="lines+markers",
                    name="centred nudge (w ± h)", line=dict(color=ORANGE))
    fig.add_scatter(x=h, y=[max(r["one-sided error"], floor) for r in rows],
                    mode="lines+markers", name="one-sided nudge (w + h)",
                    line=dict(color=GREY, dash="dot"))
    if chosen_h is not None:
        fig.add_vline(x=chosen_h, line=dict(color=BLUE, dash="dash"),
                      annotation_text="your h", annotation_position="top")
    fig.update_xaxes(type="log", title="nudge h", autorange="reversed", exponentformat="power")
    fig.update_yaxes(type="log", title="|estimate - exact derivative|", exponentformat="power")
    return _layout(fig, 360, title="Smaller h helps ... until rounding error takes over",
                   legend=dict(orientation="h", y=-0.3))


def descent_figure(w_grid: np.ndarray, c_grid: np.ndarray, weights: list[float],
                   costs: list[float]) -> go.Figure:
    """Gradient descent's steps drawn on the cost curve, numbered."""
    fig = cost_curve(w_grid, c_grid, "Gradient descent on the cost curve")
    n = len(weights)
    shown = np.array(weights, dtype=float)
    fig.add_scatter(x=shown, y=costs, mode="lines+markers", name="path",
                    line=dict(color=BLUE, width=1.5),
                    marker=dict(size=8, color=np.arange(n), colorscale="Blues", cmin=-n / 3,
                                cmax=max(n - 1, 1), line=dict(color=BLUE, width=1)),
                    customdata=np.arange(n),
                    hovertemplate="step %{customdata}<br>w = %{x:.4f}<br>C = %{y:.4f}"
                                  "<extra></extra>")
    fig.add_scatter(x=[weights[-1]], y=[costs[-1]], mode="markers", name="now",
                    marker=dict(size=15, color=RED, symbol="x"))
    low, high = float(np.min(c_grid)), float(np.max(c_grid))
    fig.update_yaxes(range=[low - 0.05 * (high - low), high * 1.05])
    fig.update_xaxes(range=[float(w_grid[0]), float(w_grid[-1])])
    return fig


def cost_per_step(series: dict[str, list[float]], title: str = "Cost after each step",
                  log: bool = True) -> go.Figure:
    fig = go.Figure()
    for name, costs in series.items():
        fig.add_scatter(y=costs, mode="lines+markers", name=name, marker=dict(size=4),
                        line=dict(color=OPTIMIZER_COLOURS.get(name, BLUE)))
    fig.update_xaxes(title="step")
    fig.update_yaxes(title="cost", type="log" if log else "linear", exponentformat="power")
    return _layout(fig, 300, title=title, legend=dict(orientation="h", y=-0.3))


def contour_paths(w1: np.ndarray, w2: np.ndarray, cost: np.ndarray, paths: list,
                  labels: tuple[str, str], minimum: tuple[float, float] | None = None
                  ) -> go.Figure:
    """One small contour map per optimizer side by side, same start, its path drawn on top."""
    titles = [f"{p.optimizer} ({p.learning_rate:g})" + (": diverged" if p.diverged else "")
              for p in paths]
    fig = make_subplots(rows=1, cols=len(paths), subplot_titles=titles, shared_yaxes=True,
                        horizontal_spacing=0.02)
    levels = np.log10(cost - np.min(cost) + 1e-3)
    for k, path in enumerate(paths):
        c = k + 1
        fig.add_trace(go.Contour(x=w1, y=w2, z=levels, colorscale="Viridis", reversescale=True,
                                 showscale=False, contours=dict(showlines=False), ncontours=25,
                                 customdata=cost, hovertemplate=f"{labels[0]} %{{x:.2f}}, "
                                 f"{labels[1]} %{{y:.2f}}<br>cost %{{customdata:.4g}}"
                                 "<extra></extra>"), 1, c)
        colour = OPTIMIZER_COLOURS.get(path.optimizer, "white")
        fig.add_trace(go.Scatter(x=path.points[:, 0], y=path.points[:, 1], mode="lines+markers",
                                 line=dict(color="white", width=2),
                                 marker=dict(size=4, color=colour), name=path.optimizer,
                                 showlegend=False,
                                 hovertemplate="%{x:.3f}, %{y:.3f}<extra></extra>"), 1, c)
        fig.add_trace(go.Scatter(x=path.points[:1, 0], y=path.points[:1, 1], mode="markers",
                                 marker=dict(size=10, color="white", symbol="circle-open",
                                             line=dict(width=3)), showlegend=False,
                                 hoverinfo="skip"), 1, c)
        if minimum is not None and np.all(np.isfinite(minimum)):
            fig.add_trace(go.Scatter(x=[minimum[0]], y=[minimum[1]], mode="markers",
                                     marker=dict(size=12, color=RED, symbol="star"),
                                     showlegend=False, hoverinfo="skip"), 1, c)
        fig.update_xaxes(range=[w1[0], w1[-1]], title_text=labels[0], row=1, col=c)
    fig.update_yaxes(range=[w2[0], w2[-1]], title_text=labels[1], row=1, col=1)
    fig.update_annotations(font_size=13)
    return _layout(fig, 330)


def timing_figure(backprop_seconds: float, nudge_seconds: float, n_parameters: int) -> go.Figure:
    """One gradient by backprop against one by nudging every weight (log scale)."""
    names = ["backprop: 1 forward + 1 backward", f"nudging: {2 * n_parameters:,} forward passes"]
    values = [backprop_seconds, nudge_seconds]
    fig = go.Figure(go.Bar(y=names, x=values, orientation="h", marker_color=[GREEN, RED],
                           text=[_seconds(v) for v in values], textposition="outside",
                           cliponaxis=False, hovertemplate="%{x:.3g} s<extra></extra>"))
    fig.update_xaxes(type="log", title="seconds for one gradient (log scale)",
                     exponentformat="power")
    return _layout(fig, 220, title="Time for one full gradient")


def _seconds(value: float) -> str:
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.1f} s"


# ---------------------------------------------------------------------------------------------
# Backpropagation: the tiny network with its numbers

BACKWARD_STAGES = (
    "Forward pass only",
    "1. Output: dL/dz = p - y",
    "2. Output weights: dL/dw = a × dL/dz",
    "3. Hidden: dL/da = sum of w × dL/dz",
    "4. Hidden: dL/dz = dL/da × slope",
    "5. Input weights: dL/dw = x × dL/dz",
)


def network_diagram(net, fp, back, stage: int, names: list[list[str]],
                    highlight: int = 3) -> go.Figure:
    """The 1-hidden-layer network with every number on it; ``stage`` reveals the backward pass.

    Stage 0 shows the forward pass: w (the weight) on each connection, z and a in each cell.
    Stages 1-5 add the backward pass from the output to the input: g = dL/dw appears under the
    weight as it is computed, and the ``highlight`` largest |g| are drawn thick in orange.
    """
    if len(net.weights) != 2:
        raise ValueError("the diagram draws networks with exactly one hidden layer")
    sizes = net.sizes
    spacing = 1.5
    x_pos = [0.0, 1.0, 2.0]
    y_pos = [np.linspace((n - 1) / 2, -(n - 1) / 2, n) * spacing for n in sizes]
    revealed = [stage >= 5, stage >= 2]  # weight gradients shown per layer of weights
    shown = [np.abs(back.weight_grads[i]).ravel() for i in range(2) if revealed[i]]
    all_grads = np.sort(np.concatenate(shown)) if shown else np.array([])
    threshold = all_grads[-highlight] if len(all_grads) >= highlight > 0 else np.inf
    fig = go.Figure()
    max_w = max(float(np.max(np.abs(w))) for w in net.weights) or 1.0
    for layer, w in enumerate(net.weights):
        grads = back.weight_grads[layer]
        for i in range(w.shape[0]):
            for j in range(w.shape[1]):
                x0, y0 = x_pos[layer], y_pos[layer][i]
                x1, y1 = x_pos[layer + 1], y_pos[layer + 1][j]
                weight, grad = float(w[i, j]), float(grads[i, j])
                big = revealed[layer] and abs(grad) >= threshold
                if revealed[layer]:
                    colour, width = (ORANGE, 7) if big else (GREY, 1.5)
                    label = f"w {weight:.2f}<br><b>g {_fmt(grad)}</b>"
                else:
                    colour = BLUE if weight >= 0 else RED
                    width = 1 + 4 * abs(weight) / max_w
                    label = f"w {weight:.2f}"
                fig.add_scatter(x=[x0, x1], y=[y0, y1], mode="lines",
                                line=dict(color=colour, width=width), hoverinfo="skip",
                                showlegend=False, opacity=0.55 if revealed[layer] and not big
                                else 0.9)
                t = 0.26 if layer == 0 else 0.75  # clear of the crossings and the cell notes
                fig.add_annotation(x=x0 + t * (x1 - x0), y=y0 + t * (y1 - y0), text=label,
                                   showarrow=False, font=dict(size=10.5, color="#222"),
                                   bgcolor="rgba(255,255,255,0.9)", borderpad=1,
                                   bordercolor=ORANGE if big else "rgba(0,0,0,0)",
                                   hovertext=f"{names[layer][i]} → {names[layer + 1][j]}: "
                                             f"weight {weight:.6g}, dL/dw {grad:.6g}")
    inside = [[f"x = {v:.2f}" for v in fp.a[0][0]],
              [f"z {z:.2f}<br>a {a:.2f}" for z, a in zip(fp.z[1][0], fp.a[1][0])],
              [f"z {z:.2f}<br>p {p:.2f}" for z, p in zip(fp.z[2][0], fp.a[2][0])]]
    below = [[""] * sizes[0], [""] * sizes[1], [""] * sizes[2]]
    if stage >= 1:
        below[2] = [f"∂L/∂z {_fmt(d)}" for d in back.dloss_dz[2][0]]
    if stage >= 3:
        below[1] = [f"∂L/∂a {_fmt(d)}" for d in back.dloss_da[1][0]]
    if stage >= 4:
        below[1] = [f"∂L/∂a {_fmt(d)} × {_fmt(s)}<br>= ∂L/∂z {_fmt(z)}"
                    for d, s, z in zip(back.dloss_da[1][0], back.slopes[1][0],
                                       back.dloss_dz[1][0])]
    fills = ["#e8f0fe", "#fef7e0", "#e6f4ea"]
    for layer in range(3):
        biases = ([""] * sizes[0] if layer == 0 else
                  [f"b {b:.2f}" for b in net.biases[layer - 1]])
        fig.add_scatter(x=[x_pos[layer]] * sizes[layer], y=y_pos[layer], mode="markers+text",
                        marker=dict(size=70, color=fills[layer],
                                    line=dict(color="#555", width=1.5)),
                        text=inside[layer], textfont=dict(size=11.5, color="#111"),
                        showlegend=False, hoverinfo="text",
                        hovertext=[f"{n} {b}" for n, b in zip(names[layer], biases)])
        for k in range(sizes[layer]):
            title = f"<b>{names[layer][k]}</b>" + (f"  {biases[k]}" if biases[k] else "")
            fig.add_annotation(x=x_pos[layer], y=y_pos[layer][k] + 0.42, text=title,
                               showarrow=False, yanchor="bottom", font=dict(size=12,
                                                                            color="#111"))
            if below[layer][k]:
                fig.add_annotation(x=x_pos[layer], y=y_pos[layer][k] - 0.42,
                                   text=below[layer][k], showarrow=False, yanchor="top",
                                   font=dict(size=11, color="#b35900"),
                                   bgcolor="rgba(255,255,255,0.9)")
    top = (max(sizes) - 1) / 2 * spacing
    fig.update_xaxes(visible=False, range=[-0.22, 2.22])
    fig.update_yaxes(visible=False, range=[-top - 1.25, top + 0.8])
    return _layout(fig, 540, margin=dict(l=0, r=0, t=0, b=0), plot_bgcolor="white")


def loss_history_figure(history: list[float], steps: list[int] | None = None) -> go.Figure:
    """The loss at each step (``steps``: the step numbers, when not every step is kept)."""
    fig = go.Figure(go.Scatter(x=steps, y=history, mode="lines+markers", marker=dict(size=4),
                               line=dict(color=BLUE), name="loss",
                               hovertemplate="step %{x}: loss %{y:.5f}<extra></extra>"))
    fig.update_xaxes(title="training step")
    fig.update_yaxes(title="loss", rangemode="tozero")
    return _layout(fig, 300, title="The loss, step by step")

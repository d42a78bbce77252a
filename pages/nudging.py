"""Nudging a weight: move one weight up and down, watch the cost, and follow the slope downhill."""

import numpy as np
import streamlit as st

from explainer.charts import learning as charts
from explainer.concepts import backprop as bp
from explainer.concepts import descent as d
from explainer.data.mnist import load_sample
from pages.shared import end_page, start_page

start_page(__file__)

H_CHOICES = (1.0, 0.5, 0.2, 0.1, 0.05, 0.01, *(10.0 ** -k for k in range(3, 17)), 0.0)
TABLE_STEPS = tuple(10.0 ** -k for k in range(0, 16))
RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8,
         1.0, 2.0, 5.0, 10.0, 100.0, 1000.0, 1e6)
MAX_PATH = 200  # steps drawn on the curve before the page asks for a reset
VIEW_LIMIT = 25.0  # the chart widens to follow a path up to this far out
W_GRID = np.linspace(*d.W_RANGE, 400)
C_GRID = d.cost(W_GRID)

st.session_state.setdefault("nudging_lr", d.LEARNING_RATES["converge"])
st.session_state.setdefault("nudging_animate", False)


def fmt_h(h: float) -> str:
    return "0" if h == 0 else f"{h:g}"


st.title("Nudging a weight")
st.markdown(
    "A network learns by changing its weights so that the cost goes down. But which way should "
    "each weight move? The simplest idea: **nudge it and look**. Here is a small model with one "
    "weight: a cell that computes **y = softplus(w · x)** (a smooth ReLU) for seven inputs x, "
    "and a cost **C(w)**, the mean squared difference between its outputs and seven targets.")
with st.expander("The seven data points"):
    st.dataframe({"x": d.X, "target t": d.T}, hide_index=True)

# --- 1. Nudge up, nudge down ------------------------------------------------------------------
st.subheader("1. Raise it, lower it, compare")
left, right = st.columns([1, 2], gap="large")
with left:
    w = st.slider("Weight w1", -1.0, 4.5, d.START_W, step=0.1, key="nudging_w")
    step = st.slider("Nudge by", 0.1, 2.0, 1.0, step=0.1, key="nudging_step")
    result = d.nudge(w, step)
    st.metric(f"l1 = C({w + step:.2f}), one forward pass", f"{result.loss_up:.4f}")
    st.metric(f"C({w:.2f}), where we are", f"{result.loss_here:.4f}")
    st.metric(f"l2 = C({w - step:.2f}), another forward pass", f"{result.loss_down:.4f}")
    if result.direction < 0:
        st.success("l2 < l1: lowering w1 lowers the cost. Move w1 **down**.")
    elif result.direction > 0:
        st.success("l1 < l2: raising w1 lowers the cost. Move w1 **up**.")
    else:
        st.info("Both nudges cost more than staying: w1 is near the bottom, or the nudge "
                "jumps right over it. Try a smaller nudge.")
with right:
    st.plotly_chart(charts.nudge_figure(W_GRID, C_GRID, result), width="stretch")
    with st.expander(f"The forward pass at w1 = {w + step:.2f} (l1), point by point"):
        st.dataframe(d.forward_pass_rows(w + step), hide_index=True)

# --- 2. From nudge to derivative -------------------------------------------------------------
st.subheader("2. From nudge to derivative")
st.markdown("Divide the difference by the distance and you get a slope: "
            "**(C(w + h) − C(w − h)) / 2h**. Shrink h and the secant through the two points "
            "turns into the tangent, whose slope is the derivative **dC/dw**.")
left, right = st.columns([1, 2], gap="large")
exact = float(d.cost_derivative(w))
with left:
    h = st.select_slider("Nudge h", H_CHOICES, value=0.5, format_func=fmt_h, key="nudging_h")
    st.metric("Exact derivative dC/dw (chain rule)", f"{exact:.10f}")
    if h == 0:
        st.warning("h = 0: both nudges land on the same point, and (C(w) − C(w)) / 0 is 0 / 0, "
                   "undefined. The derivative is what the estimate approaches as h shrinks "
                   "towards 0, never the value at 0. Pick a small h instead.")
    else:
        estimate = d.centred_difference(d.cost, w, h)
        st.metric("Nudge estimate", f"{estimate:.10f}", delta=f"error {abs(estimate - exact):.1e}",
                  delta_color="off", delta_arrow="off")
        if h < 1e-9:
            st.warning(f"h = {h:g} is so small that C(w + h) and C(w − h) agree in almost all of "
                       "their 16 digits: the difference is mostly rounding error, and the "
                       "estimate gets worse, not better. Floating point numbers have limits.")
with right:
    if h > 0:
        half = max(1.6 * h, 0.4)
        grid = np.linspace(w - half, w + half, 200)
        st.plotly_chart(charts.secant_figure(grid, d.cost(grid), w, h, float(d.cost(w)),
                                             float(d.cost(w - h)), float(d.cost(w + h)), exact),
                        width="stretch")
    else:
        st.plotly_chart(charts.secant_figure(np.linspace(w - 0.4, w + 0.4, 200),
                                             d.cost(np.linspace(w - 0.4, w + 0.4, 200)), w, 0.4,
                                             float(d.cost(w)), float(d.cost(w - 0.4)),
                                             float(d.cost(w + 0.4)), exact),
                        width="stretch")
rows = d.derivative_table(d.cost, d.cost_derivative, w, TABLE_STEPS)
left, right = st.columns([1, 1], gap="large")
with left:
    st.dataframe([{"h": f"{r['h']:.0e}", "nudge estimate": f"{r['centred estimate']:.12f}",
                   "exact": f"{r['exact dC/dw']:.12f}", "error": f"{r['centred error']:.1e}"}
                  for r in rows], hide_index=True, height=380)
with right:
    st.plotly_chart(charts.nudge_error_figure(rows, h if h > 0 else None), width="stretch")
st.caption(f"From h = 1 down to about h = {d.best_step(rows):.0e} the error shrinks 100 times "
           "per step (it goes like h²). Below, the two costs agree in so many digits that "
           "rounding in the 16th digit, divided by a tiny 2h, takes over.")

# --- 3. Gradient descent ---------------------------------------------------------------------
st.subheader("3. Gradient descent: step downhill, again and again")
st.latex(r"w \leftarrow w - \text{learning rate} \times \frac{dC}{dw}")


def set_rate(rate: float) -> None:
    st.session_state["nudging_lr"] = rate


def new_run(start: float) -> d.DescentRun:
    return d.DescentRun([start], [float(d.cost(start))])


def advance(run: d.DescentRun, rate: float, steps: int) -> None:
    """Add ``steps`` steps to the run kept in the session."""
    steps = min(steps, MAX_PATH - run.steps)
    if run.status != "running" or steps <= 0:
        return
    more = d.descend_1d(run.weights[-1], rate, steps)
    run.weights += more.weights[1:]
    run.costs += more.costs[1:]
    run.status = more.status


@st.fragment(run_every=0.4 if st.session_state["nudging_animate"] else None)
def descent_panel() -> None:
    left, right = st.columns([1, 2], gap="large")
    with left:
        start = st.slider("Start at w", -1.0, 4.5, d.START_W, step=0.1, key="nudging_start")
        rate = st.select_slider("Learning rate", RATES, key="nudging_lr", format_func=lambda r:
                                f"{r:g}")
        st.caption("Try a rate that makes it ...")
        presets = st.columns(2) + st.columns(2)
        for column, (name, value) in zip(presets, d.LEARNING_RATES.items()):
            column.button(name, key=f"nudging_preset_{name}", on_click=set_rate, args=(value,),
                          width="stretch", help=f"learning rate {value:g}")
        settings = (start, rate)
        if st.session_state.get("nudging_settings") != settings:
            st.session_state["nudging_settings"] = settings
            st.session_state["nudging_run"] = new_run(start)
        run: d.DescentRun = st.session_state["nudging_run"]
        b1, b2 = st.columns(2)
        b3, b4 = st.columns(2)
        if b1.button("1 step", key="nudging_one", width="stretch"):
            advance(run, rate, 1)
        if b2.button("10 steps", key="nudging_ten", width="stretch"):
            advance(run, rate, 10)
        animating = st.session_state["nudging_animate"]
        if b3.button("Stop" if animating else "Play", key="nudging_play", width="stretch",
                     type="primary"):
            st.session_state["nudging_animate"] = not animating
            st.rerun()
        if b4.button("Reset", key="nudging_reset", width="stretch"):
            st.session_state["nudging_run"] = run = new_run(start)
            st.session_state["nudging_animate"] = False
        if st.session_state["nudging_animate"]:
            advance(run, rate, 1)
            if run.status != "running" or run.steps >= MAX_PATH:
                st.session_state["nudging_animate"] = False
                st.rerun()
        w_now, slope = run.weights[-1], float(d.cost_derivative(run.weights[-1]))
        st.metric(f"After {run.steps} steps: w", f"{w_now:.6g}",
                  delta=f"cost {run.costs[-1]:.6g}", delta_color="off",
                  delta_arrow="off")
        if run.status == "diverged":
            with np.errstate(all="ignore"):
                jump = w_now - rate * slope
            shown = "not a number (NaN)" if np.isnan(jump) else f"{jump:.3g}"
            st.error(f"Diverged after {run.steps} steps: the next step would throw w to {shown}. "
                     "Each step overshoots the bottom by more than it started from, so the "
                     "steps grow without end. Lower the learning rate, then press Reset.")
        elif run.status == "converged":
            st.success(f"Converged: the steps have become tiny; w = {w_now:.6f} is the bottom "
                       f"(best w = {d.best_weight():.6f}).")
        elif run.steps >= MAX_PATH:
            st.info(f"{MAX_PATH} steps drawn. Press Reset to start again.")
        if run.steps >= 5:
            kind = d.describe_run(run, d.best_weight())
            st.caption(f"So far this rate makes gradient descent **{kind}**.")
    with right:
        inside = next((k for k, v in enumerate(run.weights) if abs(v) > VIEW_LIMIT),
                      len(run.weights))
        shown_w, shown_c = run.weights[:inside], run.costs[:inside]
        grid = np.linspace(min(d.W_RANGE[0], *shown_w), max(d.W_RANGE[1], *shown_w), 400)
        st.plotly_chart(charts.descent_figure(grid, d.cost(grid), shown_w, shown_c),
                        width="stretch", key="nudging_descent_chart")
        if inside < len(run.weights):
            st.caption(f"From step {inside} on, w is beyond ±{VIEW_LIMIT:g}, off the chart.")
        st.caption(f"Next step: w = {w_now:.6g} − {rate:g} × {slope:.6g} = "
                   f"{w_now - rate * slope:.6g}. A small rate crawls, a good one converges, a "
                   "large one oscillates across the bottom, a too large one diverges.")


descent_panel()

# --- 4. Two weights --------------------------------------------------------------------------
st.subheader("4. Two weights: a cost surface, four optimizers")
st.markdown("With two weights the cost is a landscape; the gradient (dC/dw1, dC/dw2) points "
            "uphill, and every optimizer steps against it, each in its own way. **RMSprop** is "
            "what the Keras MNIST code uses.")
c1, c2 = st.columns([2, 1])
surface = d.SURFACES[c1.selectbox("Cost surface", list(d.SURFACES), key="nudging_surface")]
steps = c2.slider("Steps", 5, 300, 60, key="nudging_2d_steps")
st.caption(surface.description)
with st.expander("Learning rates"):
    columns = st.columns(4)
    rates = {}
    for column, (name, default) in zip(columns, surface.learning_rates.items()):
        options = sorted({*RATES[:-1], 0.003, 0.03, 0.3, default})
        rates[name] = column.select_slider(name, options, value=default,
                                           key=f"nudging_rate_{surface.name}_{name}",
                                           format_func=lambda r: f"{r:g}")
paths = [d.descend_2d(surface, name, rate, steps) for name, rate in rates.items()]
w1, w2, grid = d.surface_grid(surface)
st.plotly_chart(charts.contour_paths(w1, w2, grid, paths, surface.labels, surface.minimum),
                width="stretch")
left, right = st.columns(2, gap="large")
with left:
    st.plotly_chart(charts.cost_per_step({p.optimizer: list(p.costs) for p in paths}),
                    width="stretch")
with right:
    st.markdown(
        "- **Gradient descent**: step = rate × slope. Steep directions bounce, gentle ones "
        "crawl.\n- **Momentum**: keeps 90% of the last step, so it picks up speed along a "
        "valley floor.\n- **RMSprop**: divides each weight's step by its recent typical slope, "
        "so steep and gentle weights move at a similar pace.\n- **Adam**: momentum and "
        "RMSprop together.")
diverged = [p.optimizer for p in paths if p.diverged]
if diverged:
    st.warning(f"{', '.join(diverged)} diverged: the weights ran off towards infinity, so the "
               "path stops there. Lower its learning rate in *Learning rates*.")

# --- 5. The cost of nudging ------------------------------------------------------------------
st.subheader("5. Why not nudge every weight?")
passes = d.nudge_forward_passes((784, 512, 10))
st.markdown(
    f"Every weight needs two forward passes per step. The 784-512-10 network has "
    f"**{d.count_weights((784, 512, 10)):,}** weights and biases: **{passes:,} forward passes** "
    f"for one step, against **one forward and one backward pass** with backpropagation (next "
    f"page). Five epochs of 469 steps would take {passes * 469 * 5:,} forward passes.")
left, right = st.columns([1, 2], gap="large")
with left:
    st.markdown("Measure it here on a smaller network, **784-32-10** (25,450 weights), in numpy.")
    batch = st.slider("Digits in the batch", 8, 64, 32, step=8, key="nudging_time_batch")
    nudged = st.select_slider("Weights to nudge (a random sample)", (50, 100, 200, 500, 1000),
                              value=200, key="nudging_time_count")
    go = st.button("Measure both gradients", key="nudging_time_go", type="primary")
with right:
    if go:
        data = load_sample()
        net = bp.init_network((784, 32, 10), "relu", seed=0)
        bar = st.progress(0.0, text="Nudging weights ...")
        timing = bp.time_gradients(net, bp.digit_inputs(data.x_train[:batch]),
                                   data.y_train[:batch], n_nudged=nudged,
                                   progress=lambda f: bar.progress(min(f, 1.0),
                                                                   text="Nudging weights ..."))
        bar.empty()
        st.session_state["nudging_timing"] = timing
    timing = st.session_state.get("nudging_timing")
    if timing is None:
        st.info("Press **Measure both gradients**: the page computes one gradient by backprop "
                "and nudges a random sample of weights, then compares.")
    else:
        m1, m2, m3 = st.columns(3)
        m1.metric("Backprop, all 25,450 slopes", charts._seconds(timing.backprop_seconds))
        m2.metric(f"Nudging {timing.n_nudged} weights", charts._seconds(timing.nudge_seconds))
        m3.metric("Nudging all (extrapolated)", charts._seconds(timing.nudge_all_seconds),
                  delta=f"{timing.ratio:,.0f}× slower", delta_color="inverse")
        st.plotly_chart(charts.timing_figure(timing.backprop_seconds, timing.nudge_all_seconds,
                                             timing.n_parameters), width="stretch")
        st.caption(
            f"Batch of {timing.batch} digits. Nudging all 25,450 weights would take "
            f"{timing.forward_passes:,} forward passes; the page nudged {timing.n_nudged} random "
            f"weights and scaled the time up. On those weights the two gradients agree: overall "
            f"relative difference {timing.overall_relative_difference:.1e}, a typical weight to "
            f"{timing.median_matching_digits} digits.")

end_page(__file__)

"""Nudging a weight: move one weight up and down, find the rate of change, and walk downhill."""

import numpy as np
import streamlit as st

from explainer.charts import descent as charts
from explainer.concepts.lessons import descent as d
from explainer.concepts.lessons import nudging
from pages.shared import check, end_page, start_page, terms, url_state

start_page(__file__)

PAGE = "pages/nudging.py"
H_CHOICES = (1.0, 0.5, 0.2, 0.1, 0.05, 0.01, *(10.0 ** -k for k in range(3, 17)), 0.0)
TABLE_STEPS = tuple(10.0 ** -k for k in range(0, 16))
RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8,
         1.0, 2.0, 5.0, 10.0, 100.0, 1000.0, 1e6)
W_LIMITS = (-1.0, 4.5)
NUDGE_LIMITS = (0.1, 2.0)
MAX_PATH = 200  # steps drawn on the curve before the page asks for a reset
VIEW_LIMIT = 25.0  # the chart widens to follow a path up to this far out
W_GRID = np.linspace(*nudging.W_RANGE, 400)
C_GRID = nudging.cost(W_GRID)

st.session_state.setdefault("nudging_animate", False)
st.session_state.setdefault("rate", d.LEARNING_RATES["converge"])  # presets set it too


def fmt_h(h: float) -> str:
    return "0" if h == 0 else f"{h:g}"


def setter(key: str, value):
    """A callback that sets one widget's value: a task's "try it" button."""
    def action():
        st.session_state[key] = value
    return action


st.title("Nudging a weight")
st.markdown("**The idea:** to learn, a network must know which way to move each weight: nudge "
            "it a little up and a little down, run the network each time, and keep the "
            "direction that lowers the cost.")
st.markdown(
    "Meet a tiny model with a single weight, **w1**. It multiplies each of seven inputs by w1 "
    "and passes the result through a smooth ReLU. Its **cost** is the average squared "
    "difference between its seven outputs and seven targets. As in the walk-through, start at "
    "w1 = 2.5 and nudge it by 1: one forward pass at 3.5 gives the cost l1, another at 1.5 "
    "gives l2.")
terms.define("Weight", "Cost", "Forward propagation", "Derivative")
url_state.check_link({"w1": url_state.number(*W_LIMITS), "nudge": url_state.number(*NUDGE_LIMITS),
                      "h": url_state.one_of(fmt_h(h) for h in H_CHOICES),
                      "rate": url_state.one_of(f"{r:g}" for r in RATES)},
                     {"w1": "w1", "nudge": "the nudge", "h": "the nudge h",
                      "rate": "the learning rate"})

# --- 1. Nudge up, nudge down ------------------------------------------------------------------
left, right = st.columns([1, 2], gap="large")
with left:
    w = st.slider("Weight w1", *W_LIMITS, nudging.START_W, step=0.1, key="w1", bind="query-params")
    step = st.slider("Nudge by", *NUDGE_LIMITS, 1.0, step=0.1, key="nudge", bind="query-params")
    result = nudging.nudge(w, step)
    a, b = st.columns(2)
    a.metric(f"l1: cost at {w + step:.2f}", f"{result.loss_up:.4f}")
    b.metric(f"l2: cost at {w - step:.2f}", f"{result.loss_down:.4f}")
    if result.direction < 0:
        st.success("l2 < l1: lowering w1 lowers the cost. Move w1 **down**.")
    elif result.direction > 0:
        st.success("l1 < l2: raising w1 lowers the cost. Move w1 **up**.")
    else:
        st.info("Both nudges cost more than staying: w1 is near the bottom, or the nudge "
                "jumps right over it. Try a smaller nudge.")
with right:
    st.plotly_chart(charts.nudge_figure(W_GRID, C_GRID, result), width="stretch",
                    key="nudging_nudge_chart")
with st.expander("Go deeper: the model written out, and one forward pass point by point"):
    st.markdown("Each output is y = softplus(w1 · x), softplus(u) = log(1 + eᵘ) being the "
                "smooth ReLU; the cost is the mean of (y − t)² over the seven points (x, t).")
    st.dataframe(nudging.forward_pass_rows(w + step), hide_index=True)

other_w = 0.0 if w > nudging.best_weight() else 3.5
other = nudging.nudge(other_w, step)
lower = {1: "l1: raise w1", -1: "l2: lower w1", 0: "Neither: both cost more"}[other.direction]
check.task(PAGE, "other_side", f"Move w1 to {other_w:g}, on the other side of the bottom. Which "
           f"nudge by {step:g} gives the lower cost then?",
           ["l1: raise w1", "l2: lower w1", "Neither: both cost more"], lower,
           f"At w1 = {other_w:g}: l1 = {other.loss_up:.3f}, l2 = {other.loss_down:.3f}, and "
           f"staying costs {other.loss_here:.3f}. Downhill always points towards the bottom, "
           "whichever side you are on.", try_it=(f"Move w1 to {other_w:g}",
                                                 setter("w1", other_w)))

# --- 2. The instantaneous rate of change --------------------------------------------------------
st.subheader("Shrink the nudge: the instantaneous rate of change")
st.markdown(
    "Divide the change in cost by the distance between the two nudges and you get a **rate of "
    "change**: how much the cost moves per unit of w1. Now make the nudge smaller and smaller. "
    "The rate settles on one number, the **instantaneous rate of change** of the cost at w1: "
    "one of the key concepts of learning. Its sign says which way is uphill, its size how "
    "steep. Mathematicians call it the derivative.")
left, right = st.columns([1, 2], gap="large")
exact = float(nudging.cost_derivative(w))
with left:
    h = st.select_slider("Nudge h", H_CHOICES, value=0.5, format_func=fmt_h, key="h",
                         bind="query-params")
    st.metric("Instantaneous rate of change at w1", f"{exact:.4g}")
    if h == 0:
        st.warning("h = 0: both nudges land on the same point, and (C(w) − C(w)) / 0 is 0 / 0, "
                   "undefined. The instantaneous rate is what the estimate approaches as h "
                   "shrinks towards 0, never the value at 0. Pick a small h instead.")
    else:
        estimate = nudging.centred_difference(nudging.cost, w, h)
        st.metric("Rate of change with this nudge", f"{estimate:.4g}",
                  delta=f"off by {abs(estimate - exact):.1e}", delta_color="off",
                  delta_arrow="off")
        if h < 1e-9:
            st.warning(f"h = {h:g} is so small that the two costs agree in almost all of "
                       "their 16 digits: the difference is mostly rounding error, and the "
                       "estimate gets worse, not better. Floating point numbers have limits.")
with right:
    shown_h = h if h > 0 else 0.4
    half = max(1.6 * shown_h, 0.4)
    grid = np.linspace(w - half, w + half, 200)
    st.plotly_chart(charts.rate_figure(grid, nudging.cost(grid), w, shown_h,
                                       float(nudging.cost(w)), float(nudging.cost(w - shown_h)),
                                       float(nudging.cost(w + shown_h)), exact),
                    width="stretch", key="nudging_rate_chart")
with st.expander("Go deeper: the formula, and how small the nudge can get"):
    st.markdown("The rate with a nudge h, written as a formula: **(C(w1 + h) − C(w1 − h)) / 2h**. "
                "The dashed line through the two nudged points is called a *secant*; the one "
                "that only touches the curve at w1 is the *tangent*, and its slope is the "
                "derivative dC/dw1. Below, h shrinks ten times per row.")
    rows = nudging.derivative_table(nudging.cost, nudging.cost_derivative, w, TABLE_STEPS)
    c1, c2 = st.columns(2, gap="large")
    c1.dataframe([{"h": f"{r['h']:.0e}", "rate with this nudge": f"{r['centred estimate']:.12f}",
                   "instantaneous rate": f"{r['exact dC/dw']:.12f}",
                   "error": f"{r['centred error']:.1e}"} for r in rows],
                 hide_index=True, height=380)
    c2.plotly_chart(charts.nudge_error_figure(rows, h if h > 0 else None), width="stretch",
                    key="nudging_error_chart")
    st.caption(f"From h = 1 down to about h = {nudging.best_step(rows):.0e} the error shrinks 100 "
               "times per row (it goes like h²). Below, the two costs agree in so many digits "
               "that rounding in the 16th digit, divided by a tiny 2h, takes over.")

tiny, usual = 1e-12, 1e-3
errors = [abs(nudging.centred_difference(nudging.cost, w, step) - exact) for step in (tiny, usual)]
closer = ("Further off" if errors[0] > 3 * errors[1] else
          "Closer" if errors[0] < errors[1] / 3 else "About as close")
check.task(PAGE, "tiny_h", "Make the nudge h tiny: 1e-12 instead of 0.001. Compared with the "
           "instantaneous rate, the rate it gives is ...", ["Closer", "About as close",
                                                           "Further off"], closer,
           f"Off by {errors[0]:.1e} with h = 1e-12, by {errors[1]:.1e} with h = 0.001. The two "
           "costs then agree in almost all of their 16 digits, and the rounding in the last "
           "one, divided by a tiny 2h, swamps the answer.",
           try_it=("Set h to 1e-12", setter("h", tiny)))

# --- 3. Gradient descent -----------------------------------------------------------------------
st.subheader("Gradient descent: step downhill, again and again")
st.markdown(
    "Now walk. Each step moves w1 against the instantaneous rate of change, by that rate times "
    "a small number, the **learning rate**: downhill, and farther where the slope is steep. "
    "Repeat until the steps become tiny. That is **gradient descent**; it starts from your w1.")
terms.define("Learning rate", "Gradient")


def set_rate(rate: float) -> None:
    st.session_state["rate"] = rate


def new_run(start: float) -> d.DescentRun:
    return d.DescentRun([start], [float(nudging.cost(start))])


def advance(run: d.DescentRun, rate: float, steps: int) -> None:
    """Add ``steps`` steps to the run kept in the session."""
    steps = min(steps, MAX_PATH - run.steps)
    if run.status != "running" or steps <= 0:
        return
    more = d.descend_1d(run.weights[-1], rate, steps)
    run.weights += more.weights[1:]
    run.costs += more.costs[1:]
    run.status = more.status


def report(run: d.DescentRun, rate: float) -> None:
    """Where the walk is, and what it did so far."""
    w_now, slope = run.weights[-1], float(nudging.cost_derivative(run.weights[-1]))
    st.metric(f"After {run.steps} steps: w1", f"{w_now:.4g}", delta=f"cost {run.costs[-1]:.4g}",
              delta_color="off", delta_arrow="off")
    if run.status == "diverged":
        with np.errstate(all="ignore"):
            jump = w_now - rate * slope
        shown = "not a number (NaN)" if np.isnan(jump) else f"{jump:.3g}"
        st.error(f"Diverged after {run.steps} steps: the next step would throw w1 to {shown}. "
                 "Each step overshoots the bottom by more than it started from, so the steps "
                 "grow without end. Lower the learning rate.")
    elif run.status == "converged":
        st.success(f"Converged: the steps have become tiny; w1 = {w_now:.4g} is the bottom "
                   f"(best w1 = {nudging.best_weight():.4g}).")
    elif run.steps >= MAX_PATH:
        st.info(f"{MAX_PATH} steps drawn. Press Reset (under More) to start again.")
    if run.steps >= 5:
        kind = d.describe_run(run, nudging.best_weight())
        st.caption(f"So far this rate makes gradient descent **{kind}**.")


@st.fragment(run_every=0.4 if st.session_state["nudging_animate"] else None)
def descent_panel(start: float) -> None:
    left, right = st.columns([1, 2], gap="large")
    with left:
        rate = st.select_slider("Learning rate", RATES, key="rate", bind="query-params",
                                format_func=lambda r: f"{r:g}")
        st.caption("A rate that makes it " + " · ".join(
            f"**{name}**: {value:g}" for name, value in d.LEARNING_RATES.items()))
        settings = (start, rate)
        if st.session_state.get("nudging_settings") != settings:
            st.session_state["nudging_settings"] = settings
            st.session_state["nudging_run"] = new_run(start)
            st.session_state["nudging_animate"] = False
        run: d.DescentRun = st.session_state["nudging_run"]
        b1, b2 = st.columns(2)
        if b1.button("1 step", key="nudging_one", width="stretch", type="primary"):
            advance(run, rate, 1)
        if b2.button("10 steps", key="nudging_ten", width="stretch"):
            advance(run, rate, 10)
        with st.expander("More: play, reset, the four rates in one click"):
            animating = st.session_state["nudging_animate"]
            b3, b4 = st.columns(2)
            if b3.button("Stop" if animating else "Play", key="nudging_play", width="stretch"):
                st.session_state["nudging_animate"] = not animating
                st.rerun()
            if b4.button("Reset", key="nudging_reset", width="stretch"):
                st.session_state["nudging_run"] = run = new_run(start)
                st.session_state["nudging_animate"] = False
            with st.container(horizontal=True, gap="small"):
                for name, value in d.LEARNING_RATES.items():
                    st.button(name, key=f"nudging_preset_{name}", on_click=set_rate,
                              args=(value,), help=f"learning rate {value:g}")
        if st.session_state["nudging_animate"]:
            advance(run, rate, 1)
            if run.status != "running" or run.steps >= MAX_PATH:
                st.session_state["nudging_animate"] = False
                st.rerun()
        report(run, rate)
    with right:
        inside = next((k for k, v in enumerate(run.weights) if abs(v) > VIEW_LIMIT),
                      len(run.weights))
        shown_w, shown_c = run.weights[:inside], run.costs[:inside]
        grid = np.linspace(min(nudging.W_RANGE[0], *shown_w), max(nudging.W_RANGE[1], *shown_w),
                           400)
        st.plotly_chart(charts.descent_figure(grid, nudging.cost(grid), shown_w, shown_c),
                        width="stretch", key="nudging_descent_chart")
        if inside < len(run.weights):
            st.caption(f"From step {inside} on, w1 is beyond ±{VIEW_LIMIT:g}, off the chart.")
        w_now, slope = run.weights[-1], float(nudging.cost_derivative(run.weights[-1]))
        st.caption(f"Next step: w1 = {w_now:.4g} − {rate:g} × {slope:.4g} = "
                   f"{w_now - rate * slope:.4g} (w1 minus learning rate times the rate of "
                   "change).")


descent_panel(w)

rate_now = st.session_state.get("rate", d.LEARNING_RATES["converge"])
doubled = next((r for r in RATES if r >= 2 * rate_now), RATES[-1])
outcome = d.describe_run(d.descend_1d(w, doubled, 50), nudging.best_weight())
check.task(PAGE, "double_rate", f"Raise the learning rate from {rate_now:g} to {doubled:g}, "
           f"starting at w1 = {w:g}. What will 50 steps of gradient descent do?",
           ["crawl", "converge", "oscillate", "diverge"], outcome,
           f"With {doubled:g} they {outcome}. Too small a rate crawls, a good one converges, a "
           "large one jumps across the bottom and back, too large jumps further each time and "
           "runs away.", try_it=(f"Set the rate to {doubled:g}", setter("rate", doubled)))
check.progress(PAGE, 3)

end_page(__file__)

"""Optimizers: smarter steps downhill; momentum, RMSprop and Adam race on one two-weight cost."""

import numpy as np
import streamlit as st

from explainer.charts import optimizers as charts
from explainer.concepts.lessons import descent as d
from pages.shared import check, end_page, start_page, terms, url_state

start_page(__file__)

PAGE = "pages/optimizers.py"
RATES = (0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.18, 0.2, 0.3, 0.4,
         0.5, 0.6, 0.7, 0.8, 1.0, 2.0, 5.0, 10.0)
STEP_LIMITS = (5, 300)
WHAT_EACH_ADDS = {
    "Gradient descent": "steps against the slope, by the learning rate times the slope: steep "
                        "directions bounce, gentle ones crawl.",
    "Momentum": "keeps most of its last step, like a rolling ball, so it picks up speed along a "
                "long gentle valley floor.",
    "RMSprop": "divides each weight's step by that weight's recent typical slope, so steep and "
               "gentle weights move at a similar pace. The Keras code of this journey trains "
               "with it.",
    "Adam": "does both: momentum's speed and RMSprop's even pace.",
}

def rate_key(surface: d.Surface, name: str) -> str:
    return f"optimizers_rate_{surface.name}_{name}"


def setter(key: str, value):
    """A callback that sets one widget's value: a task's "try it" button."""
    def action():
        st.session_state[key] = value
    return action


def rmsprop_pace(surface: d.Surface, rate: float) -> str:
    """Why RMSprop's path is short: each of its steps moves a weight by about its learning rate."""
    text = (f"each of its steps moves a weight by about its learning rate, {rate:g}, however "
            "steep or gentle the slope: that is what dividing by the typical slope does.")
    if np.all(np.isfinite(surface.minimum)):
        far = float(np.max(np.abs(np.subtract(surface.start, surface.minimum))))
        text += (f" The start is {far:g} from the bottom along one weight: at {rate:g} a step, "
                 f"at least {far / rate:.0f} steps.")
    return text + (" Its pace is set by its learning rate, not by the landscape: raise it under "
                   "Go deeper. Keras' default, 0.001, is made for networks whose weights need "
                   "only small moves.")


st.title("Optimizers")
st.markdown("**The idea:** an **optimizer** is the rule that turns each weight's rate of change "
            "into a step; smarter rules than plain gradient descent reach the bottom of the cost "
            "in fewer steps.")
terms.define("Optimizer", "Gradient", "Learning rate")

url_state.check_link({"surface": url_state.one_of(d.SURFACES),
                      "steps": url_state.whole(*STEP_LIMITS)},
                     {"surface": "the cost", "steps": "the number of steps"})
c1, c2 = st.columns([2, 1])
surface = d.SURFACES[c1.selectbox("The cost landscape", list(d.SURFACES), key="surface",
                                  bind="query-params")]
steps = c2.slider("Steps", *STEP_LIMITS, 60, key="steps", bind="query-params")
rates = {name: st.session_state.get(rate_key(surface, name), default)
         for name, default in surface.learning_rates.items()}
paths = [d.descend_2d(surface, name, rate, steps) for name, rate in rates.items()]
w1, w2, grid = d.surface_grid(surface)
st.plotly_chart(charts.contour_paths(w1, w2, grid, paths, surface.labels, surface.minimum),
                width="stretch", key="optimizers_race_chart")
st.caption("Backpropagation gives every weight its slope; the optimizer decides how far to "
           "move. Here the cost depends on two weights, w1 and w2: a landscape seen from above, "
           "each grey line joining points of equal cost, like a map's contour lines. Four "
           f"optimizers start at the same ◯ and race to the ★ at the bottom. {surface.description} "
           "Under each name, its learning rate: how far one step moves for a given slope.")
diverged = [p.optimizer for p in paths if p.diverged]
if diverged:
    st.warning(f"{', '.join(diverged)} diverged: the weights ran off towards infinity, so the "
               "path stops there. Lower its learning rate under Go deeper.")

left, right = st.columns([1, 1], gap="large")
with left:
    st.markdown("What each one adds:\n\n" + "\n".join(
        f"- **{name}** {text}" for name, text in WHAT_EACH_ADDS.items()))
    st.markdown(f"**Why RMSprop looks slow here:** {rmsprop_pace(surface, rates['RMSprop'])}")
with right:
    st.plotly_chart(charts.cost_per_step({p.optimizer: list(p.costs) for p in paths}),
                    width="stretch", key="optimizers_cost_chart")

with st.expander("Go deeper: each optimizer's learning rate"):
    st.caption("Each optimizer has its own learning rate; the defaults suit this landscape.")
    columns = st.columns(4)
    for column, (name, default) in zip(columns, surface.learning_rates.items()):
        options = sorted({*RATES, default})
        column.select_slider(name, options, value=default,
                             key=rate_key(surface, name),
                             format_func=lambda r: f"{r:g}")
with st.expander("Go deeper: the rules written out, as Keras computes them"):
    st.markdown(
        "With g the slope of a weight and lr the learning rate, one step of each:\n\n"
        "- **Gradient descent:** w ← w − lr · g\n"
        "- **Momentum:** v ← 0.9 · v − lr · g, then w ← w + v (v, the velocity, starts at 0)\n"
        "- **RMSprop:** s ← 0.9 · s + 0.1 · g², then w ← w − lr · g / √(s + 1e-7): a weight "
        "with steep slopes has a large s and takes smaller steps\n"
        "- **Adam:** m ← 0.9 · m + 0.1 · g and s ← 0.999 · s + 0.001 · g², both corrected for "
        "their start at 0, then w ← w − lr · m / (√s + 1e-7)\n\n"
        "These are Keras' defaults (`keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9)`, "
        "`Adam(beta_1=0.9, beta_2=0.999)`). On a real network every one of the 407,050 weights "
        "keeps its own v, s or m.")
    final = {p.optimizer: float(p.costs[-1]) for p in paths}
    st.dataframe([{"optimizer": name, "learning rate": f"{rates[name]:g}",
                   "steps taken": len(p.costs) - 1, "cost at the end": f"{final[name]:.3g}"}
                  for name, p in zip(rates, paths)], hide_index=True)

# --- Check yourself ------------------------------------------------------------------------------
other_name = next(name for name in d.SURFACES if name != surface.name)
other = d.SURFACES[other_name]
other_paths = [d.descend_2d(other, name, rate, steps)
               for name, rate in other.learning_rates.items()]
finished = [p for p in other_paths if not p.diverged] or other_paths
leader = min(finished, key=lambda p: p.costs[-1]).optimizer
check.task(PAGE, "other_landscape", f"Switch to the {other_name.lower()}, each optimizer at its "
           f"own default rate. After {steps} steps, which one will be lowest?",
           list(WHAT_EACH_ADDS), leader,
           f"{leader} ends lowest there, at a cost of "
           f"{min(p.costs[-1] for p in finished):.3g}. No rule wins on every landscape: that is "
           "why Keras offers several.", try_it=(f"Switch to the {other_name.lower()}",
                                                setter("surface", other_name)))
gd_rate = rates["Gradient descent"]
raised = next((r for r in RATES if r >= 1.6 * gd_rate), RATES[-1])
runs_away = d.descend_2d(surface, "Gradient descent", raised, steps).diverged
check.task(PAGE, "too_large", f"Raise plain gradient descent's learning rate from {gd_rate:g} to "
           f"{raised:g}: does its path stay on this landscape or run away?",
           ["It stays on the landscape", "It runs away (diverges)"],
           "It runs away (diverges)" if runs_away else "It stays on the landscape",
           "Once a step overshoots the steep direction by more than it started from, each step "
           "grows and the path runs away." if runs_away else
           "The rate is still small enough for the steepest direction: each step lands closer.",
           try_it=(f"Set it to {raised:g}", setter(rate_key(surface, "Gradient descent"),
                                                   raised)))
rms_rate = rates["RMSprop"]
faster = next((r for r in RATES if r >= 3.9 * rms_rate), RATES[-1])
now_cost = next(p for p in paths if p.optimizer == "RMSprop").costs[-1]
then = d.descend_2d(surface, "RMSprop", faster, steps)
better = "Lower than now" if then.costs[-1] < now_cost and not then.diverged else \
    "Higher than now"
check.task(PAGE, "rmsprop", f"Give RMSprop a learning rate of {faster:g} instead of "
           f"{rms_rate:g}. After {steps} steps, its cost is ...",
           ["Lower than now", "Higher than now"], better,
           f"{then.costs[-1]:.3g} against {now_cost:.3g} now. Each RMSprop step moves a weight by "
           "about its learning rate, whatever the slope: bigger steps get there sooner, but "
           "near the bottom they keep jumping across it.",
           try_it=(f"Set it to {faster:g}", setter(rate_key(surface, "RMSprop"), faster)))
check.progress(PAGE, 3)

end_page(__file__)

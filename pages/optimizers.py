"""Optimizers: smarter steps downhill; momentum, RMSprop and Adam race on one two-weight cost."""

import streamlit as st

from explainer.charts import optimizers as charts
from explainer.concepts.lessons import descent as d
from pages.shared import check, end_page, start_page, terms, url_state

start_page(__file__)

PAGE = "optimizers"
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

st.title("Optimizers")
st.markdown("**The idea:** an **optimizer** is the rule that turns each weight's rate of change "
            "into a step; smarter rules than plain gradient descent reach the bottom of the cost "
            "in fewer steps.")
st.markdown("Backpropagation gives every weight its slope; the optimizer decides how far to "
            "move. Here the cost depends on two weights, w1 and w2, so it is a landscape seen "
            "from above (darker is lower). Four optimizers start at the same ◯ and race to the "
            "★ at the bottom.")
terms.define("Optimizer", "Gradient", "Learning rate")

url_state.check_link({"surface": url_state.one_of(d.SURFACES),
                      "steps": url_state.whole(*STEP_LIMITS)},
                     {"surface": "the cost", "steps": "the number of steps"})
c1, c2 = st.columns([2, 1])
surface = d.SURFACES[c1.selectbox("The cost landscape", list(d.SURFACES), key="surface",
                                  bind="query-params")]
steps = c2.slider("Steps", *STEP_LIMITS, 60, key="steps", bind="query-params")
rates = {name: st.session_state.get(f"optimizers_rate_{surface.name}_{name}", default)
         for name, default in surface.learning_rates.items()}
paths = [d.descend_2d(surface, name, rate, steps) for name, rate in rates.items()]
w1, w2, grid = d.surface_grid(surface)
st.plotly_chart(charts.contour_paths(w1, w2, grid, paths, surface.labels, surface.minimum),
                width="stretch", key="optimizers_race_chart")
st.caption(surface.description)
diverged = [p.optimizer for p in paths if p.diverged]
if diverged:
    st.warning(f"{', '.join(diverged)} diverged: the weights ran off towards infinity, so the "
               "path stops there. Lower its learning rate under Go deeper.")

left, right = st.columns([1, 1], gap="large")
with left:
    st.markdown("What each one adds:\n\n" + "\n".join(
        f"- **{name}** {text}" for name, text in WHAT_EACH_ADDS.items()))
with right:
    st.plotly_chart(charts.cost_per_step({p.optimizer: list(p.costs) for p in paths}),
                    width="stretch", key="optimizers_cost_chart")

with st.expander("Go deeper: each optimizer's learning rate"):
    st.caption("Each optimizer has its own learning rate; the defaults suit this landscape.")
    columns = st.columns(4)
    for column, (name, default) in zip(columns, surface.learning_rates.items()):
        options = sorted({*RATES, default})
        column.select_slider(name, options, value=default,
                             key=f"optimizers_rate_{surface.name}_{name}",
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
st.subheader("Try this, then check yourself")
finished = [p for p in paths if not p.diverged]
leader = min(finished, key=lambda p: p.costs[-1]).optimizer if finished else paths[0].optimizer
check.task(PAGE, "winner", f"On the {surface.name.lower()}, after {steps} steps, which optimizer "
           "has the lowest cost?", list(WHAT_EACH_ADDS), leader,
           f"{leader} ends lowest: look at the right end of the cost chart "
           "(each line is one optimizer).")
check.task(PAGE, "momentum", "On a long, gentle slope the slope stays the same step after step. "
           "What does momentum do there?", ["Speeds up", "Keeps the same pace", "Slows down"],
           "Speeds up", "Each step keeps 90% of the last one and adds a new push, so the steps "
           "grow, up to ten times plain gradient descent's.")
gd = next(p for p in paths if p.optimizer == "Gradient descent")
check.task(PAGE, "too_large", f"Plain gradient descent with learning rate "
           f"{rates['Gradient descent']:g} on this landscape: does it stay on it or "
           "run away?", ["It stays on the landscape", "It runs away (diverges)"],
           "It runs away (diverges)" if gd.diverged else "It stays on the landscape",
           "Raise its rate under Go deeper and watch: once a step overshoots the steep "
           "direction by more than it started from, each step grows and the path runs away.")
check.progress(PAGE, 3)

end_page(__file__)

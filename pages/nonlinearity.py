"""Why nonlinearity: a line cannot bend, stacked lines stay a line, ReLU units bend."""

import numpy as np
import streamlit as st

from explainer.charts import curves as charts
from explainer.concepts.lessons import lines, relu_chain
from explainer.content import journey
from pages.shared import check, end_page, start_page, url_state
from pages.shared.terms import define

start_page(__file__)

LIMITS = relu_chain.CHAIN_LIMITS
# A first hand-made try at the sine: three bends, close but not quite. More units start small.
DEFAULT_HINGES = (-2.5, -1.0, 1.0, 2.5, -2.0, 0.25, -1.25, 1.75, -1.75, 0.75, -0.25, 2.0)
DEFAULT_OUT = (-0.8, 1.6, -1.8, 0.5, -0.5, 0.5, -0.5, 0.5, -0.5, 0.5, -0.5, 0.5)
STACK_DEFAULTS = ((1.5, 0.5), (-0.8, 1.0), (1.2, -0.3))
PAGE = "pages/nonlinearity.py"
TARGETS = list(lines.TARGETS)
DEFAULT_UNITS = 3

defaults = {"nonlin_c": 0.6, "nonlin_steps": 3, "nonlin_relu_between": False}
for i in range(relu_chain.MAX_UNITS):
    defaults.update({f"nonlin_w{i}": 1.0, f"nonlin_b{i}": -DEFAULT_HINGES[i],
                     f"nonlin_v{i}": DEFAULT_OUT[i]})
for i, (w, b) in enumerate(STACK_DEFAULTS):
    defaults.update({f"nonlin_sw{i}": w, f"nonlin_sb{i}": b})
for key, value in defaults.items():
    st.session_state.setdefault(key, value)
    st.session_state[key] = st.session_state[key]  # keep hidden units' sliders between runs


@st.cache_data(show_spinner=False, max_entries=8)
def fitted(target: str, units: int) -> relu_chain.ChainFit:
    """What "Fit for me" reaches for this target and number of units (it does not depend on the
    sliders' starting values), with the frames of the way there."""
    x, y = lines.target_curve(target)
    return relu_chain.fit_relu_chain(x, y, units)


@st.cache_data(show_spinner=False, max_entries=8)
def lowest_errors(target: str) -> list[float]:
    x, y = lines.target_curve(target)
    return relu_chain.errors_by_units(x, y)


def in_plain_words(label: str) -> str:
    """A frame of the fit, named in this page's words: gradients and least squares come later."""
    return (label.replace("hinge placed, output weights by least squares",
                          "a new bend placed where it helps most")
            .replace("gradient steps", "small steps").replace("gradient step", "step")
            .replace("1 units,", "1 unit,"))


def current_chain(units: int) -> relu_chain.ReluChain:
    s = st.session_state
    return relu_chain.ReluChain([s[f"nonlin_w{i}"] for i in range(units)],
                            [s[f"nonlin_b{i}"] for i in range(units)],
                            [s[f"nonlin_v{i}"] for i in range(units)], s["nonlin_c"])


def fit_for_me():
    """Put the fit for the current target and number of units into the sliders."""
    s = st.session_state
    units, target = s["units"], s["target"]
    fit = fitted(target, units)
    for i in range(units):
        s[f"nonlin_w{i}"] = float(fit.chain.weights[i])
        s[f"nonlin_b{i}"] = float(fit.chain.biases[i])
        s[f"nonlin_v{i}"] = float(fit.chain.out_weights[i])
    s["nonlin_c"] = float(np.clip(fit.chain.out_bias, -LIMITS["out_bias"], LIMITS["out_bias"]))
    s["nonlin_fit"] = {"target": target, "units": units}


def pick_abs():
    st.session_state["target"] = "|x|"


def take_200_steps():
    st.session_state["nonlin_steps"] = 200


def put_relu_between():
    st.session_state["nonlin_relu_between"] = True


st.title("Why nonlinearity")
st.markdown(f"**{journey.find(PAGE).summary}** Training is a search for a rule that turns each x "
            "into its y. A network whose cells have no bend can only ever find a straight line.")
define("ReLU", "Activation function")
url_state.check_link({"target": url_state.one_of(TARGETS),
                      "units": url_state.whole(0, relu_chain.MAX_UNITS)},
                     {"target": "the target", "units": "the number of units"})

# ---- the main interactive: a chain of ReLU units follows a curve -------------------------------
left, right = st.columns([1, 2.1], gap="large")
with left:
    target = st.radio("The curve to follow", TARGETS, key="target", bind="query-params")
    st.caption(f"The {target}: {lines.TARGET_FORMULAS[target]}")
    units = st.slider("ReLU units: how many bends", 0, relu_chain.MAX_UNITS, DEFAULT_UNITS,
                      key="units", bind="query-params")
    st.button("Fit for me", key="nonlin_fit_button", on_click=fit_for_me, type="primary",
              icon=":material/auto_fix_high:")
x, y = lines.target_curve(target)
line = lines.fit_line(x, y)
line_error = lines.mse(line[0] * x + line[1], y)
chain = current_chain(units)
chain_error = lines.mse(chain(x), y)
errors = lowest_errors(target)
with left:
    a, b = st.columns(2)
    a.metric("Error of your chain", f"{chain_error:.4f}")
    b.metric("Best straight line", f"{line_error:.4f}")
    st.caption("The error is how far the curve misses the dots: the average of the squared "
               "distances, 0 when it passes through every dot.")
with right:
    st.plotly_chart(charts.relu_chain(x, y, chain, line=line), key="nonlin_chain_chart")
    st.caption("Grey dots: the target. Green: your chain, the sum of its units' ramps, each "
               "flat and then rising or falling from its bend (the thin pieces: blue push the "
               "sum up, orange down). Dotted: the best straight line, which cannot bend.")
if units == 0:
    st.info("With no units the chain is only its output bias: a flat line. Add a unit with the "
            "slider to get a first bend.")
elif not np.isfinite(chain_error) or chain_error > 100 * max(line_error, 0.01):
    st.warning("The chain shoots far away from the target. Try smaller output weights, or press "
               "Fit for me.")

with st.expander("Go deeper: set each unit by hand"):
    st.markdown("Each unit has three numbers. Its **weight** w sets how steep its ramp is and "
                "which way it points; its **bias** b sets where it bends, at x = −b / w; its "
                "**output weight** v sets how much of the ramp goes into the sum. The output bias "
                "c lifts the whole sum. The chain is c + v₁ · max(0, w₁ x + b₁) + …")
    st.slider("output bias c", -LIMITS["out_bias"], LIMITS["out_bias"], step=0.01,
              key="nonlin_c")
    for i in range(units):
        a, b, c = st.columns(3)
        a.slider(f"unit {i + 1}: weight w", -LIMITS["weight"], LIMITS["weight"], step=0.01,
                 key=f"nonlin_w{i}")
        b.slider(f"unit {i + 1}: bias b", -LIMITS["bias"], LIMITS["bias"], step=0.01,
                 key=f"nonlin_b{i}")
        c.slider(f"unit {i + 1}: output weight v", -LIMITS["out_weight"], LIMITS["out_weight"],
                 step=0.01, key=f"nonlin_v{i}")
    hinges = chain.hinges()
    outside = int(np.sum(~np.isfinite(hinges) | (hinges <= x.min()) | (hinges >= x.max())))
    if units and outside:
        st.caption(f"{outside} unit(s) bend outside the picture (or have weight 0): on the "
                   "plotted range they are a plain line or flat.")

# ---- how the fit got there, and more units ---------------------------------------------------
abs_errors = lowest_errors("|x|")
needed = next(n for n, e in enumerate(abs_errors) if e < 1e-3 or n == relu_chain.MAX_UNITS)
abs_answered = check.task(
    PAGE, "abs", "Now the curve |x|, a V. How many ReLU units does the chain need to follow it "
    "almost exactly (an error below 0.001)?", sorted({"1", "2", "3", "12", str(needed)}, key=int),
    str(needed),
    f"The fit on |x| reaches an error of {abs_errors[needed]:.6f} with {needed} units (and "
    f"{abs_errors[needed - 1]:.4f} with one fewer): |x| is a ramp going up to the right of 0 "
    "plus one going up to the left.", try_it=("Pick |x|", pick_abs))
fit = fitted(target, units)
frames = [("your chain", chain, chain_error),
          *((in_plain_words(label), c, e) for label, c, e in fit.snapshots)]
left, right = st.columns(2, gap="large")
with left:
    st.subheader("How the fit got there")
    st.plotly_chart(charts.fit_animation(x, y, frames), key="nonlin_fit_chart",
                    config={"displayModeBar": False})
    done = st.session_state.get("nonlin_fit") == {"target": target, "units": units}
    st.caption("Press Play or drag the slider. Fit for me adds one unit at a time, puts its bend "
               "where it helps most, then moves every number in small steps closer to the dots. "
               f"It ends at an error of {fit.error:.4f}"
               + ("; the sliders now hold the result." if done else "."))
with right:
    st.subheader("More units, lower error")
    if target == "|x|" and not abs_answered:
        st.info("This chart answers the question above for |x|: answer it first, or press "
                "Show me.", icon=":material/visibility_off:")
    else:
        st.plotly_chart(charts.errors_by_units(errors, units, chain_error),
                        key="nonlin_units_chart")
        st.caption(f"The lowest error the fit reaches on the {target} with 0 to "
                   f"{relu_chain.MAX_UNITS} units (log scale). With {units} units it reaches "
                   f"{errors[units]:.4f}; the star is your chain.")

# ---- learning a line -----------------------------------------------------------------------------
st.header("How a line is learned")
noise = st.session_state.get("nonlin_noise", 0.4)
x_dots, y_dots = lines.line_points(noise=noise)
best = lines.fit_line(x_dots, y_dots)
best_error = lines.mse(best[0] * x_dots + best[1], y_dots)
through = "Yes" if best_error < 1e-9 else "No"
check.task(PAGE, "noise", "Below, a line is learned from grey dots, step by step. After 200 "
           "steps, will it pass through every dot?", ["Yes", "No"], through,
           f"The best straight line there is misses the dots by an error of {best_error:.4f}"
           + (": the dots are noisy, and no straight line passes through them all. Set the "
              "noise to 0 under Go deeper and it can." if through == "No" else
              ": with no noise the dots lie on one line, and the steps reach it."),
           try_it=("Take 200 steps", take_200_steps))
left, right = st.columns([1, 2], gap="large")
with left:
    st.markdown("The grey dots are training examples, pairs (x, y). The green line starts flat "
                "and is moved **step by step closer to the dots**. Drag the slider to take more "
                "steps.")
    steps = st.slider("Steps taken", 0, 200, key="nonlin_steps")
    w, b, error = lines.line_descent(x_dots, y_dots, steps)[-1]
    st.metric("The learned line", lines.line_equation(w, b))
    st.metric("Error", f"{error:.4f}", delta=f"{error - best_error:+.4f} vs the best line",
              delta_color="inverse")
    if steps >= 100:
        st.caption(f"The steps have reached the best line there is, "
                   f"{lines.line_equation(*best)}: no straight line gets closer.")
    nudging = journey.find("pages/nudging.py")
    if nudging is not None and nudging.exists:
        st.page_link(nudging.page, label="Each step: Nudging a weight",
                     icon=nudging.icon)
    with st.expander("Go deeper: noisier dots"):
        st.slider("Noise in the dots", 0.0, 2.0, 0.4, 0.1, key="nonlin_noise")
with right:
    st.plotly_chart(charts.line_fit(x_dots, y_dots, w, b, best=best), key="nonlin_line_chart")

# ---- stacking lines ------------------------------------------------------------------------------
st.header("Stacking lines gives a line")
depth = st.session_state.get("nonlin_depth", 2)
relu_between = st.session_state.get("nonlin_relu_between", False)
layers = [(st.session_state[f"nonlin_sw{i}"], st.session_state[f"nonlin_sb{i}"])
          for i in range(depth)]
weight, bias = lines.compose_linear(layers)
bent = lines.apply_stack(layers, x, True)
slope, intercept = lines.fit_line(x, bent)
bends = lines.mse(slope * x + intercept, bent) > 1e-9
check.task(PAGE, "relu", "A ReLU between the layers: put one there (under Go deeper). What "
           "comes out then?", ["Still one straight line", "A line with a bend"],
           "A line with a bend" if bends else "Still one straight line",
           "ReLU turns the first layer's negative values into 0, so the result is flat on one "
           "side of that point and a line on the other: a bend no stack of lines can make."
           if bends else "With these numbers the first layer's value never crosses 0 on the "
           "plotted range, so ReLU never bends it there. Change a layer's bias and ask again.",
           try_it=("Put a ReLU between the layers", put_relu_between))
left, right = st.columns([1, 2], gap="large")
with left:
    st.markdown("A layer without an activation multiplies by a weight and adds a bias. Put one "
                "such layer after another and the result is again one multiply and one add: "
                "**one straight line**, whatever the numbers.")
    product = " × ".join(f"({w:g})" for w, _ in layers)
    if relu_between:
        st.caption("With a ReLU between the layers the result bends where a layer's value "
                   "crosses 0: that bend is what a line cannot do.")
    else:
        st.caption(f"The {depth} layers equal one line: weight {product} = "
                   f"{weight[0, 0]:.3f}, bias {bias[0]:.3f}.")
    with st.expander("Go deeper: change the stacked layers"):
        st.markdown("Two layers give w₂(w₁x + b₁) + b₂ = (w₂w₁)x + (w₂b₁ + b₂): the weights "
                    "multiply, and no bend ever appears.")
        st.radio("Linear layers stacked", [2, 3], key="nonlin_depth", horizontal=True)
        for i in range(depth):
            a, c = st.columns(2)
            a.slider(f"layer {i + 1} weight", -3.0, 3.0, step=0.1, key=f"nonlin_sw{i}")
            c.slider(f"layer {i + 1} bias", -3.0, 3.0, step=0.1, key=f"nonlin_sb{i}")
        st.checkbox("Put a ReLU between the layers", key="nonlin_relu_between")
with right:
    st.plotly_chart(charts.stacked_lines(x, layers, relu_between, target=(x, y)),
                    key="nonlin_stack_chart")

# ---- activations ---------------------------------------------------------------------------
st.header("Other bends")
st.markdown("**ReLU** is the bend the MNIST network uses: cheap, and its slope is 1 wherever it "
            "is on. **Leaky ReLU** keeps a small slope below 0; **sigmoid** and **tanh** squash "
            "everything into 0 to 1 and −1 to 1. All of them bend.")
st.plotly_chart(charts.activation_gallery(), key="nonlin_gallery_chart")
check.progress(PAGE, 3)

end_page(__file__)

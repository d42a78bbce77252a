"""Why nonlinearity: a line is learned, stacked lines stay a line, ReLU units bend."""

import numpy as np
import streamlit as st

from explainer.charts import building as charts
from explainer.concepts import curves, neuron
from pages.shared import use_router

use_router()

LIMITS = curves.LIMITS
# A first hand-made try at the sine: three bends, close but not quite. More units start small.
DEFAULT_HINGES = (-2.5, -1.0, 1.0, 2.5, -2.0, 0.25, -1.25, 1.75, -1.75, 0.75, -0.25, 2.0)
DEFAULT_OUT = (-0.8, 1.6, -1.8, 0.5, -0.5, 0.5, -0.5, 0.5, -0.5, 0.5, -0.5, 0.5)
STACK_DEFAULTS = ((1.5, 0.5), (-0.8, 1.0), (1.2, -0.3))

defaults = {"nonlin_units": 3, "nonlin_c": 0.6}
for i in range(curves.MAX_UNITS):
    defaults.update({f"nonlin_w{i}": 1.0, f"nonlin_b{i}": -DEFAULT_HINGES[i],
                     f"nonlin_v{i}": DEFAULT_OUT[i]})
for i, (w, b) in enumerate(STACK_DEFAULTS):
    defaults.update({f"nonlin_sw{i}": w, f"nonlin_sb{i}": b})
for key, value in defaults.items():
    st.session_state.setdefault(key, value)
    st.session_state[key] = st.session_state[key]  # keep hidden units' sliders between runs


@st.cache_data(show_spinner=False, max_entries=8)
def best_errors(target: str) -> list[float]:
    x, y = curves.target_curve(target)
    return curves.errors_by_units(x, y)


def current_chain(units: int) -> curves.ReluChain:
    s = st.session_state
    return curves.ReluChain([s[f"nonlin_w{i}"] for i in range(units)],
                            [s[f"nonlin_b{i}"] for i in range(units)],
                            [s[f"nonlin_v{i}"] for i in range(units)], s["nonlin_c"])


def fit_for_me():
    """Fit the chain to the target and put the result into the sliders."""
    s = st.session_state
    units, target = s["nonlin_units"], s["nonlin_target"]
    x, y = curves.target_curve(target)
    fit = curves.fit_relu_chain(x, y, units, start=current_chain(units))
    for i in range(units):
        s[f"nonlin_w{i}"] = float(fit.chain.weights[i])
        s[f"nonlin_b{i}"] = float(fit.chain.biases[i])
        s[f"nonlin_v{i}"] = float(fit.chain.out_weights[i])
    s["nonlin_c"] = float(np.clip(fit.chain.out_bias, -LIMITS["out_bias"], LIMITS["out_bias"]))
    s["nonlin_fit"] = {"target": target, "units": units, "snapshots": fit.snapshots,
                       "error": fit.error}


st.title("Why nonlinearity")
st.markdown("Training a network is a **search for a transformation**: a function that turns each "
            "x into its y. A straight line can only do so much. Here you see why a network "
            "needs a bend, and how a handful of ReLU bends can follow any curve.")

# ---- learning a line ---------------------------------------------------------------------------
st.header("Learning a line")
left, right = st.columns([1, 2], gap="large")
with left:
    st.markdown("The blue dots are training examples (x, y). The red line y = w x + b starts "
                "flat and takes gradient steps downhill on the mean squared error.")
    steps = st.slider("Gradient steps", 0, 200, 3, key="nonlin_steps")
    noise = st.slider("Noise in the dots", 0.0, 2.0, 0.4, 0.1, key="nonlin_noise")
    x_dots, y_dots = curves.line_points(noise=noise)
    w, b, error = curves.line_descent(x_dots, y_dots, steps)[-1]
    best = curves.fit_line(x_dots, y_dots)
    best_error = curves.mse(best[0] * x_dots + best[1], y_dots)
    st.metric("The learned line", curves.line_equation(w, b))
    st.metric("Mean squared error", f"{error:.4f}", delta=f"{error - best_error:+.4f} vs best",
              delta_color="inverse")
    if steps >= 100:
        st.caption(f"The steps have reached the least-squares line, "
                   f"{curves.line_equation(*best)}: no straight line does better.")
with right:
    st.plotly_chart(charts.line_fit(x_dots, y_dots, w, b, best=best), key="nonlin_line_chart")

# ---- a target the line cannot follow ------------------------------------------------------------
st.header("A target the line cannot follow")
target = st.radio("Target", list(curves.TARGETS), key="nonlin_target", horizontal=True,
                  format_func=lambda t: f"{t}  ({curves.TARGET_FORMULAS[t]})")
x, y = curves.target_curve(target)
line = curves.fit_line(x, y)
line_error = curves.mse(line[0] * x + line[1], y)
left, right = st.columns([1, 2], gap="large")
with left:
    st.markdown(f"The best straight line for the **{target}** is {curves.line_equation(*line)}. "
                f"It still misses by a mean squared error of **{line_error:.3f}**: a line "
                "cannot bend.")
    st.markdown("**Stacking lines does not help.** Each layer computes w·h + b; two layers give "
                "w₂(w₁x + b₁) + b₂ = (w₂w₁)x + (w₂b₁ + b₂), again one line.")
    depth = st.radio("Linear layers stacked", [2, 3], key="nonlin_depth", horizontal=True)
    for i in range(depth):
        a, c = st.columns(2)
        a.slider(f"layer {i + 1} weight", -3.0, 3.0, step=0.1, key=f"nonlin_sw{i}")
        c.slider(f"layer {i + 1} bias", -3.0, 3.0, step=0.1, key=f"nonlin_sb{i}")
    relu_between = st.checkbox("Put a ReLU between the layers", key="nonlin_relu_between")
layers = [(st.session_state[f"nonlin_sw{i}"], st.session_state[f"nonlin_sb{i}"])
          for i in range(depth)]
weight, bias = curves.compose_linear(layers)
with right:
    st.plotly_chart(charts.stacked_lines(x, layers, relu_between, target=(x, y)),
                    key="nonlin_stack_chart")
    product = " × ".join(f"({w:g})" for w, _ in layers)
    if relu_between:
        st.caption("With a ReLU between the layers the result bends where a layer's value "
                   "crosses 0: that bend is what a line cannot do.")
    else:
        st.caption(f"The {depth} layers equal one line: weight {product} = "
                   f"{weight[0, 0]:.3f}, bias {bias[0]:.3f}.")

# ---- a chain of ReLUs --------------------------------------------------------------------------
st.header("Chaining ReLU units")
st.markdown("Each ReLU unit computes v · max(0, w x + b): flat, then a straight ramp from the "
            "hinge x = −b / w on. Add the units' pieces and an output bias, and the sum bends at "
            "every hinge. Move the sliders to follow the target, or press **Fit for me**.")
left, right = st.columns([1, 1.7], gap="large")
with left:
    units = st.slider("ReLU units", 0, curves.MAX_UNITS, key="nonlin_units")
    st.button("Fit for me", key="nonlin_fit_button", on_click=fit_for_me, type="primary",
              icon=":material/auto_fix_high:")
    st.slider("output bias c", -LIMITS["out_bias"], LIMITS["out_bias"], step=0.01,
              key="nonlin_c")
    with st.container(height=380):
        for i in range(units):
            st.markdown(f"**unit {i + 1}**")
            a, c, d = st.columns(3)
            a.slider(f"w{i + 1}", -LIMITS["weight"], LIMITS["weight"], step=0.01,
                     key=f"nonlin_w{i}")
            c.slider(f"b{i + 1}", -LIMITS["bias"], LIMITS["bias"], step=0.01,
                     key=f"nonlin_b{i}")
            d.slider(f"v{i + 1}", -LIMITS["out_weight"], LIMITS["out_weight"], step=0.01,
                     key=f"nonlin_v{i}")
        if units == 0:
            st.caption("No units yet.")
chain = current_chain(units)
chain_error = curves.mse(chain(x), y)
with right:
    st.plotly_chart(charts.relu_chain(x, y, chain), key="nonlin_chain_chart")
    a, c = st.columns(2)
    a.metric("Mean squared error of your chain", f"{chain_error:.4f}")
    c.metric("Best straight line", f"{line_error:.4f}")
    if units == 0:
        st.info("With no units the chain is only its output bias: a flat line. Add a unit with "
                "the slider above to get a first bend.")
    elif not np.isfinite(chain_error) or chain_error > 100 * max(line_error, 0.01):
        st.warning("The chain shoots far away from the target. Try smaller output weights v, or "
                   "press Fit for me.")
    hinges = chain.hinges()
    outside = int(np.sum(~np.isfinite(hinges) | (hinges <= x.min()) | (hinges >= x.max())))
    if units and outside:
        st.caption(f"{outside} unit(s) bend outside the picture (or have weight 0): on the "
                   "plotted range they are a plain line or flat.")

fit = st.session_state.get("nonlin_fit")
errors = best_errors(target)
left, right = st.columns(2, gap="large")
with left:
    st.subheader("How the fit got there")
    if fit and fit["target"] == target and fit["units"] == units and units > 0:
        st.plotly_chart(charts.fit_animation(x, y, fit["snapshots"]), key="nonlin_fit_chart",
                        config={"displayModeBar": False})
        st.caption(f"Blue: the target, red: the chain. Press Play or drag the slider. The fit "
                   f"grows the chain one unit at a time: each new unit gets the hinge that helps "
                   f"most, then gradient steps move every weight. Final mean squared error "
                   f"{fit['error']:.4f}; the sliders now hold the result.")
    else:
        st.info("Press **Fit for me** to watch the units being fitted to the target, frame by "
                "frame." if units else "Add at least one unit, then press Fit for me.")
with right:
    st.subheader("More units, lower error")
    st.plotly_chart(charts.errors_by_units(errors, units, chain_error), key="nonlin_units_chart")
    st.caption(f"The best error the fit reaches on the {target} with 0 to {curves.MAX_UNITS} "
               f"units (log scale). With {units} units it reaches {errors[units]:.4f}; the star "
               "is your chain.")

# ---- activations -------------------------------------------------------------------------------
st.header("A gallery of activations")
chosen = st.pills("Activations", list(neuron.GALLERY), selection_mode="multi",
                  default=list(neuron.GALLERY), key="nonlin_gallery")
left, right = st.columns([1, 2], gap="large")
with left:
    st.markdown("All of them bend. **ReLU** is the one the MNIST network uses: cheap, and its "
                "slope is 1 wherever it is on. **Leaky ReLU** keeps a small slope below 0; "
                "**sigmoid** and **tanh** squash everything into (0, 1) and (−1, 1).")
with right:
    if chosen:
        st.plotly_chart(charts.activation_gallery(chosen), key="nonlin_gallery_chart")
    else:
        st.info("Pick at least one activation to draw.")

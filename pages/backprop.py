"""Backpropagation: walk backward through the layers and get every weight's slope in one pass."""

import numpy as np
import streamlit as st

from explainer.charts import learning as charts
from explainer.concepts import backprop as bp
from explainer.concepts import descent as d
from explainer.concepts.loss_history import LossHistory
from explainer.content import journey
from pages.shared import use_router

use_router()

SIZES = (2, 3, 2)
RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0, 100.0, 1e4, 1e8)
DEFAULT_RATE = {"Gradient descent": 0.5, "Momentum": 0.1, "RMSprop": 0.03, "Adam": 0.03}
STAGE_TEXT = (
    "The **forward pass**: each cell adds up its weighted inputs plus its bias (z), then applies "
    "its activation (a). The output cells apply softmax: two probabilities p that add up to 1.",
    "**Step 1, the output.** How does the loss change with each output score z? For softmax "
    "with cross-entropy the chain rule collapses to **∂L/∂z = p − y**: the probability minus "
    "the correct answer. Too high: positive, push the score down. Too low: negative.",
    "**Step 2, the output weights.** The score z = Σ a·w + b, so ∂z/∂w = a, the activation "
    "the weight carries. Chain rule: **∂L/∂w = a × ∂L/∂z**. A weight fed by a silent cell "
    "(a = 0) gets no blame. For a bias ∂z/∂b = 1, so ∂L/∂b = ∂L/∂z.",
    "**Step 3, back into the hidden layer.** A hidden cell's activation reaches the loss "
    "through every output it feeds: **∂L/∂a = Σ w × ∂L/∂z** over those outputs. That is the "
    "backward pass: the same weights, used in reverse.",
    "**Step 4, through the activation.** a = f(z), so **∂L/∂z = ∂L/∂a × f′(z)**, the slope of "
    "the activation where the cell is. A ReLU that is off (z < 0) has slope 0 and stops the "
    "signal; a saturated sigmoid passes very little.",
    "**Step 5, the input weights.** As in step 2: **∂L/∂w = x × ∂L/∂z**. Every weight now has "
    "its slope, from one forward and one backward pass. The largest (in orange) matter most: "
    "a change there moves the loss the most.",
)

st.title("Backpropagation")
st.caption("A network small enough to print every number: 2 inputs, 3 hidden cells, 2 outputs. "
           "Follow the forward pass, then walk backward, one chain-rule step at a time.")

c1, c2, c3, c4, c5, c6 = st.columns([1.2, 1.2, 0.8, 1, 1, 1])
activation = c1.selectbox("Hidden activation", list(bp.ACTIVATIONS), index=1,
                          key="backprop_activation")
loss_name = c2.selectbox("Loss", list(bp.LOSSES), format_func=bp.LOSSES.get,
                         key="backprop_loss")
seed = int(c3.number_input("Seed", 0, 999, 1, key="backprop_seed",
                           help="Which random starting weights"))
x1 = c4.slider("Input x1", -2.0, 2.0, 0.5, step=0.1, key="backprop_x1")
x2 = c5.slider("Input x2", -2.0, 2.0, -1.0, step=0.1, key="backprop_x2")
target = c6.radio("Correct output", ["o1", "o2"], index=1, key="backprop_target",
                  horizontal=True)
label = int(target[1]) - 1
x = np.array([[x1, x2]])

config = (activation, loss_name, seed)
if st.session_state.get("backprop_config") != config:
    st.session_state["backprop_config"] = config
    st.session_state["backprop_params"] = bp.init_network(
        SIZES, activation, loss_name, seed=seed, bias_scale=0.5, decimals=2).parameters()
    st.session_state["backprop_history"] = LossHistory()  # a fixed number of points at most
    st.session_state["backprop_optimizer"] = None
    st.session_state["backprop_last_step"] = None
net = bp.init_network(SIZES, activation, loss_name).with_parameters(
    st.session_state["backprop_params"])
fp = bp.forward(net, x, [label])
back = bp.backward(net, fp, [label])
names = bp.cell_names(SIZES)

# --- Forward and backward, step by step ------------------------------------------------------
st.subheader("Forward, then backward")
stage = st.select_slider("Step", range(len(charts.BACKWARD_STAGES)), value=0,
                         format_func=lambda s: charts.BACKWARD_STAGES[s], key="backprop_stage")
left, right = st.columns([2, 1], gap="large")
with left:
    st.plotly_chart(charts.network_diagram(net, fp, back, stage, names), width="stretch",
                    key="backprop_diagram")
    st.caption("Blue connections carry positive weights, red negative; thicker means larger. "
               "In the backward steps g is the weight's gradient ∂L/∂w; the three largest are "
               "orange. Hover for all digits.")
with right:
    st.markdown(STAGE_TEXT[stage])
    m1, m2 = st.columns(2)
    m1.metric(f"p({target}), correct", f"{fp.probabilities[0, label]:.4f}")
    m2.metric(f"Loss ({bp.LOSSES[loss_name].lower()})", f"{fp.loss:.5f}")
    if stage == 0:
        j = 0
        st.markdown(f"For example h1: z = ({x1:g})·({net.weights[0][0, j]:.2f}) + "
                    f"({x2:g})·({net.weights[0][1, j]:.2f}) + ({net.biases[0][j]:.2f}) = "
                    f"{fp.z[1][0, j]:.4f}, a = {activation}(z) = {fp.a[1][0, j]:.4f}.")
    elif stage == 1:
        p, dz = fp.probabilities[0], back.dloss_dz[2][0]
        if loss_name == "cross_entropy":
            st.markdown("  \n".join(f"{n}: {p[k]:.4f} − {int(k == label)} = {dz[k]:.4f}"
                                    for k, n in enumerate(names[2])))
        else:
            st.markdown("With squared error the softmax does not cancel: ∂L/∂z = "
                        "p · (g − Σ g·p) with g = 2(p − y). "
                        + ", ".join(f"{n}: {dz[k]:.4f}" for k, n in enumerate(names[2])))
    elif stage == 2:
        i, j = np.unravel_index(np.argmax(np.abs(back.weight_grads[1])), net.weights[1].shape)
        st.markdown(f"Largest here, {names[1][i]}→{names[2][j]}: a = {fp.a[1][0, i]:.4f} × "
                    f"∂L/∂z = {back.dloss_dz[2][0, j]:.4f} → **{back.weight_grads[1][i, j]:.5f}**")
    elif stage == 3:
        i = 0
        terms = " + ".join(f"({net.weights[1][i, j]:.2f})·({back.dloss_dz[2][0, j]:.4f})"
                           for j in range(SIZES[2]))
        st.markdown(f"h1: ∂L/∂a = {terms} = **{back.dloss_da[1][0, i]:.5f}**")
    elif stage == 4:
        slope_name = {"relu": "1 if z > 0 else 0", "sigmoid": "a(1 − a)",
                      "tanh": "1 − a²"}[activation]
        st.markdown(f"Slope of {activation}: {slope_name}. "
                    + ", ".join(f"{n}: {s:.4f}" for n, s in zip(names[1], back.slopes[1][0])))
    else:
        grads = bp.flatten(back.gradients())
        param_names = bp.parameter_names(net)
        weights_only = [k for k, n in enumerate(param_names) if n.startswith("w ")]
        top = sorted(weights_only, key=lambda k: -abs(grads[k]))[:3]
        st.markdown("The connections that matter most right now:  \n" + "  \n".join(
            f"**{param_names[k]}**: ∂L/∂w = {grads[k]:+.5f}" for k in top))

# --- Check -------------------------------------------------------------------------------------
st.subheader("Check: backprop against the nudge")
rows = bp.gradient_check_rows(net, x, [label])
worst = min(r["matching digits"] for r in rows)
if worst >= 6:
    st.success(f"All {len(rows)} gradients from the backward pass agree with the nudge "
               f"estimate (L(w + h) − L(w − h)) / 2h, h = 1e-5, to at least {worst} digits. "
               f"Backprop needed 1 forward and 1 backward pass; the nudges needed "
               f"{2 * len(rows)} forward passes.")
else:
    st.warning(f"Some gradients agree only to {worst} digits: a ReLU sits exactly at its kink "
               "(z = 0), where the slope jumps and a nudge straddles it. Move an input a little.")
with st.expander("Every weight: backprop beside nudge", expanded=True):
    st.dataframe([{"parameter": r["parameter"], "value": f"{r['value']:.4f}",
                   "backprop": f"{r['backprop dL/dw']:.10f}",
                   "nudge": f"{r['nudge estimate']:.10f}",
                   "digits that agree": r["matching digits"]} for r in rows],
                 hide_index=True, height=400)

# --- Train ---------------------------------------------------------------------------------------
st.subheader("Train: step downhill on this example")
left, right = st.columns([1, 2], gap="large")
with left:
    optimizer_name = st.selectbox("Optimizer", list(d.OPTIMIZERS), key="backprop_optimizer_name")
    rate = st.select_slider("Learning rate", RATES, value=DEFAULT_RATE[optimizer_name],
                            format_func=lambda r: f"{r:g}",
                            key=f"backprop_rate_{optimizer_name}")
    optimizer = st.session_state["backprop_optimizer"]
    if optimizer is None or (optimizer.name, optimizer.learning_rate) != (optimizer_name, rate):
        optimizer = d.make_optimizer(optimizer_name, rate)
        st.session_state["backprop_optimizer"] = optimizer
    b1, b2 = st.columns(2)
    b3, b4 = st.columns(2)
    clicked = {1: b1.button("1 step", key="backprop_step_1", width="stretch", type="primary"),
               10: b2.button("10 steps", key="backprop_step_10", width="stretch"),
               100: b3.button("100 steps", key="backprop_step_100", width="stretch")}
    if b4.button("Reset", key="backprop_reset", width="stretch"):
        st.session_state["backprop_config"] = None
        st.rerun()
    steps = next((n for n, pressed in clicked.items() if pressed), 0)
    if steps:
        before = net.parameters()
        trained, history = bp.train(net, x, [label], optimizer, steps)
        st.session_state["backprop_params"] = trained.parameters()
        st.session_state["backprop_history"] += history
        st.session_state["backprop_last_step"] = (before, trained.parameters(),
                                                  len(history) < steps)
        st.rerun()
    history = st.session_state["backprop_history"]
    st.metric("Steps taken", len(history),
              delta=f"loss {fp.loss:.5f}" if np.isfinite(fp.loss) else None, delta_color="off",
              delta_arrow="off")
    last = st.session_state["backprop_last_step"]
    biggest = float(np.max(np.abs(bp.flatten(net.parameters()))))
    if biggest > 1e3:
        st.warning(f"Some weights have grown to {biggest:.3g}: the learning rate is far too "
                   "large. On this one example the loss still looks fine, but every step now "
                   "jumps wildly; with more examples such a network stops learning. Lower the "
                   "rate and press Reset.")
    if last is not None and last[2]:
        st.error("Diverged: with this learning rate the weights grew so large that the loss "
                 "is no longer a number. Training stopped at the last good weights. Lower the "
                 "rate and press Reset.")
    st.caption("Training repeats: forward pass, backward pass, then the optimizer turns each "
               "gradient into a change. Plain gradient descent moves each weight by rate × "
               "gradient; RMSprop divides by the gradient's recent size first.")
with right:
    if history:
        st.plotly_chart(charts.loss_history_figure(history.losses + [fp.loss],
                                                   history.steps + [len(history)]),
                        width="stretch")
    else:
        st.info("Press **1 step** to train: the weights on the diagram change and the loss "
                "falls.")
    if last is not None:
        before, after, _ = last
        start_grads = bp.gradients(net.with_parameters(before), x, [label])
        changes = [{"parameter": n, "before": f"{b:.4f}", "gradient": f"{g:+.5f}",
                    "change": f"{a - b:+.5f}", "after": f"{a:.4f}"}
                   for n, b, a, g in zip(bp.parameter_names(net), bp.flatten(before),
                                         bp.flatten(after), bp.flatten(start_grads))]
        with st.expander("What the last click did to each weight"):
            st.dataframe(changes, hide_index=True, height=300)

# --- On to MNIST -------------------------------------------------------------------------------
st.divider()
st.markdown("The same algorithm trains the 784-512-10 network: "
            f"{d.count_weights((784, 512, 10)):,} weights, one forward and one backward pass per "
            "batch, done by Keras (TensorFlow computes the backward pass for you).")
mnist = journey.find("pages/train_mnist.py")
if mnist is not None and mnist.exists:
    st.page_link(mnist.page, label=f"Next: {mnist.title}", icon=mnist.icon)

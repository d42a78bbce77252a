"""Backpropagation: walk backward from the loss and find how much each weight is to blame."""

import numpy as np
import streamlit as st

from explainer.charts import network_diagram as charts
from explainer.charts.descent import timing_figure
from explainer.charts.numbers import seconds
from explainer.concepts.lessons import backprop as bp
from explainer.concepts.lessons.loss_history import LossHistory
from explainer.concepts.nn import backward_pass, gradient_check, network, optimizers, parameters
from explainer.content import chain_rule
from explainer.data.mnist import load_sample
from pages.shared import check, end_page, start_page, terms, url_state

start_page(__file__)

PAGE = "pages/backprop.py"
SIZES = (2, 3, 2)
NETWORK = (784, 512, 10)
RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 3.0, 10.0, 100.0, 1e4, 1e8)
DEFAULT_RATE = {"Gradient descent": 0.5, "Momentum": 0.1, "RMSprop": 0.03, "Adam": 0.03}
INPUT_LIMITS = (-2.0, 2.0)
OUTPUTS = ("o1", "o2")
STAGE_TEXT = (
    "**The forward pass.** Each cell adds up its inputs times their weights, plus its bias (its "
    "sum), then applies its activation (its output). The two output cells turn their sums into "
    "two probabilities that add up to 1.",
    "**Start at the output.** How much is each output to blame? Its probability minus the right "
    "answer (1 for the correct output, 0 for the other). Too high: positive blame, its sum "
    "should go down. Too low: negative blame, it should go up.",
    "**The output weights.** A weight's blame is the blame of the cell it feeds times the value "
    "it carries, the output of the cell it comes from. A weight fed by a silent cell (output 0) "
    "gets no blame.",
    "**Back into the hidden layer.** A hidden cell reaches the loss through every output it "
    "feeds, so its blame is the sum of their blame, each times the weight between them: the "
    "same weights, walked backward.",
    "**Through the activation.** The blame is multiplied by how steeply the activation rises "
    "where the cell is, its slope. A ReLU that is off has slope 0 and stops the blame; a "
    "saturated sigmoid passes very little.",
    "**The input weights.** As for the output weights: the hidden cell's blame times the input "
    "the weight carries. Every weight now has its blame, its gradient, from one forward and one "
    "backward pass. The ★ ones matter most: changing them moves the loss the most.",
)


def setter(key: str, value):
    """A callback that sets one widget's value: a task's "try it" button."""
    def action():
        st.session_state[key] = value
    return action


st.title("Backpropagation")
st.markdown("**The idea:** start at the output, walk backward through the layers, and ask at "
            "each weight how much it is to blame for the loss; that blame says which way and "
            "how much to change it. Here on a network small enough to print every number: 2 "
            "inputs, 3 hidden cells, 2 outputs.")
terms.define("Backward propagation", "Gradient", "Hidden layer", "Chain rule")

ACTIVATIONS = list(network.HIDDEN_ACTIVATIONS)
url_state.check_link({"act": url_state.one_of(ACTIVATIONS),
                      "loss": url_state.one_of(network.LOSS_LABELS.values()),
                      "seed": url_state.whole(0, 999), "x1": url_state.number(*INPUT_LIMITS),
                      "x2": url_state.number(*INPUT_LIMITS), "out": url_state.one_of(OUTPUTS)},
                     {"act": "the activation", "loss": "the loss", "seed": "the seed",
                      "x1": "input x1", "x2": "input x2", "out": "the correct output"})
left, right = st.columns([3, 2], gap="large")
with left:
    stage = st.select_slider("Walk through it: forward, then backward",
                             range(len(charts.BACKWARD_STAGES)), value=0,
                             format_func=lambda s: charts.BACKWARD_STAGES[s], key="backprop_stage")
with right:  # the step's words beside the diagram (on a phone, right under it)
    st.markdown(STAGE_TEXT[stage])
    stats = st.container()
    with st.expander("Change the example"):
        c1, c2 = st.columns(2)
        x1 = c1.slider("Input x1", *INPUT_LIMITS, 0.5, step=0.1, key="x1", bind="query-params")
        x2 = c2.slider("Input x2", *INPUT_LIMITS, -1.0, step=0.1, key="x2", bind="query-params")
        target = c1.radio("Correct output", OUTPUTS, index=1, key="out", horizontal=True,
                          bind="query-params")
        seed = int(c2.number_input("Starting weights (seed)", 0, 999, 1, key="seed",
                                   bind="query-params"))
        activation = c1.selectbox("Hidden activation", ACTIVATIONS, index=0, key="act",
                                  bind="query-params")
        loss_name = c2.selectbox("Loss", list(network.LOSS_LABELS),
                                 format_func=network.LOSS_LABELS.get,
                                 key="loss", bind="query-params")
label = OUTPUTS.index(target)
x = np.array([[x1, x2]])

config = (activation, loss_name, seed)
if st.session_state.get("backprop_config") != config:
    st.session_state["backprop_config"] = config
    st.session_state["backprop_params"] = network.init_network(
        SIZES, activation, loss_name, seed=seed, bias_scale=0.5, decimals=2).parameters()
    st.session_state["backprop_history"] = LossHistory()  # a fixed number of points at most
    st.session_state["backprop_optimizer"] = None
    st.session_state["backprop_last_step"] = None
net = network.init_network(SIZES, activation, loss_name).with_parameters(
    st.session_state["backprop_params"])
fp = network.forward(net, x, [label])
back = backward_pass.backward(net, fp, [label])
names = network.cell_names(SIZES)

# --- Forward, then backward --------------------------------------------------------------------
with left:
    st.plotly_chart(charts.network_diagram(net, fp, back, stage, names, label), width="stretch",
                    key="backprop_diagram")
with stats:
    m1, m2 = st.columns(2)
    m1.metric(f"Probability of {target}, correct", f"{fp.probabilities[0, label]:.4f}")
    m2.metric(f"Loss ({network.LOSS_LABELS[loss_name].lower()})", f"{fp.loss:.5f}")
    st.caption("The number on each wire is its weight: blue positive, orange negative, thicker "
               "larger. Each cell shows its sum and its output; the correct output is marked "
               "✓. From step 1 on, blame appears under cells and weights; ★ and purple mark the "
               "three weights with the most.")
    check.task(PAGE, "relu_off", "A hidden cell whose ReLU is off (its sum is below 0, so its "
               "output is 0): how much blame passes back through it to the weights that feed "
               "it? Guess, then walk to step 4.", ["All of it", "Half of it", "None"], "None",
               "A ReLU that is off has slope 0, and step 4 multiplies the blame by the slope: "
               "nothing gets through, so the weights that feed it get blame 0 (step 5).")
with st.expander("Go deeper: the chain rule behind each step, with this example's numbers"):
    st.markdown("In the formulas each number has a letter: **z** a cell's sum, **a** its output "
                "(after the activation), **p** an output's probability, **y** the right answer "
                "(1 or 0), **w** a weight, **b** a bias, and **∂L/∂z** (say \"the blame on z\") "
                "how much the loss L moves when z does.")
    st.markdown("Each step's blame is a rate of change, and rates of change multiply through "
                "a chain of steps: that is the **chain rule**.")
    st.markdown(chain_rule.FORMULAS[stage])
    st.markdown(chain_rule.stage_numbers(stage, net, fp, back, names, activation, loss_name,
                                         (x1, x2)))
check.task(PAGE, "input_zero", "Set input x1 to 0 (under Change the example). Which weights "
           "then get no blame at all?", ["The weights leaving x1", "The weights leaving x2",
                                         "The output weights", "None of them"],
           "The weights leaving x1",
           "A weight's blame is the blame of the cell it feeds times the value it carries; x1's "
           "weights carry 0, so their blame is 0, whatever the rest. Walk to step 5 to see it.",
           try_it=("Set x1 to 0", setter("x1", 0.0)))

# --- Check -------------------------------------------------------------------------------------
rows = gradient_check.gradient_check_rows(net, x, [label])
worst = min(r["matching digits"] for r in rows)
if worst >= 6:
    st.success(f"Checked: all {len(rows)} gradients from the backward pass agree with the "
               f"nudge estimates to at least {worst} digits. Backprop needed 1 forward and 1 "
               f"backward pass; the nudges needed {2 * len(rows)} forward passes. For the "
               f"784-512-10 network's {parameters.total_parameters(NETWORK):,} weights and biases, "
               f"nudging would take **{gradient_check.nudge_forward_passes(NETWORK):,} forward "
               "passes** per step.")
else:
    st.warning(f"Some gradients agree with their nudge only to {worst} digits: a ReLU sits "
               "exactly at its kink (z = 0), where the slope jumps and a nudge straddles it. "
               "Move an input a little.")
with st.expander(f"Go deeper: all {len(rows)} gradients beside their nudge estimates"):
    st.dataframe([{"parameter": r["parameter"], "value": f"{r['value']:.4f}",
                   "backprop": f"{r['backprop dL/dw']:.10f}",
                   "nudge": f"{r['nudge estimate']:.10f}",
                   "digits that agree": r["matching digits"]} for r in rows],
                 hide_index=True, height=400)

# --- Train ---------------------------------------------------------------------------------------
st.subheader("Train: step downhill on this example")
st.markdown("Training repeats three things: a forward pass, a backward pass, then every weight "
            "moves against its blame, by the learning rate times the blame.")
optimizer_name = st.session_state.get("backprop_optimizer_name", "Gradient descent")
rate_now = st.session_state.get(f"backprop_rate_{optimizer_name}", DEFAULT_RATE[optimizer_name])
trial, trial_history = bp.train(net, x, [label],
                                optimizers.make_optimizer(optimizer_name, rate_now), 1)
after = network.loss(trial, x, [label]) if trial_history else float("inf")
check.task(PAGE, "one_step", f"Predict, then press 1 step: with learning rate {rate_now:g}, will "
           "the loss go up or down?", ["Down", "Up"], "Down" if after < fp.loss else "Up",
           f"One step takes the loss from {fp.loss:.5f} to {after:.5f}. A modest rate steps "
           "downhill; a huge one jumps past the bottom and can land higher.")
check.progress(PAGE, 3)
left, right = st.columns([1, 2], gap="large")
with left:
    rate = st.select_slider("Learning rate", RATES, value=DEFAULT_RATE[optimizer_name],
                            format_func=lambda r: f"{r:g}",
                            key=f"backprop_rate_{optimizer_name}")
    b1, b2, b3 = st.columns(3)
    clicked = {1: b1.button("1 step", key="backprop_step_1", width="stretch", type="primary"),
               10: b2.button("10 steps", key="backprop_step_10", width="stretch")}
    if b3.button("Reset", key="backprop_reset", width="stretch"):
        st.session_state["backprop_config"] = None
        st.rerun()
    with st.expander("Go deeper: another optimizer, 100 steps"):
        st.selectbox("Optimizer", list(optimizers.DESCENT_METHODS), key="backprop_optimizer_name",
                     help="What each one adds is on the next page, Optimizers.")
        clicked[100] = st.button("100 steps", key="backprop_step_100", width="stretch")
    optimizer = st.session_state["backprop_optimizer"]
    if optimizer is None or (optimizer.name, optimizer.learning_rate) != (optimizer_name, rate):
        optimizer = optimizers.make_optimizer(optimizer_name, rate)
        st.session_state["backprop_optimizer"] = optimizer
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
    biggest = float(np.max(np.abs(gradient_check.flatten(net.parameters()))))
    if biggest > 1e3:
        st.warning(f"Some weights have grown to {biggest:.3g}: the learning rate is far too "
                   "large. On this one example the loss still looks fine, but every step now "
                   "jumps wildly; with more examples such a network stops learning. Lower the "
                   "rate and press Reset.")
    if last is not None and last[2]:
        st.error("Diverged: with this learning rate the weights grew so large that the loss "
                 "is no longer a number. Training stopped at the last good weights. Lower the "
                 "rate and press Reset.")
with right:
    st.plotly_chart(charts.loss_history_figure(history.losses + [fp.loss],
                                               history.steps + [len(history)]),
                    width="stretch", key="backprop_loss_chart")
    if not len(history):
        st.caption("Press **1 step**: the weights on the diagram change and the loss falls.")
    if last is not None:
        before, after, _ = last
        start_grads = backward_pass.gradients(net.with_parameters(before), x, [label])
        changes = [{"parameter": n, "before": f"{b:.4f}", "blame": f"{g:+.5f}",
                    "change": f"{a - b:+.5f}", "after": f"{a:.4f}"}
                   for n, b, a, g in zip(network.parameter_names(net),
                                         gradient_check.flatten(before),
                                         gradient_check.flatten(after),
                                         gradient_check.flatten(start_grads))]
        with st.expander("What the last click did to each weight"):
            st.dataframe(changes, hide_index=True, height=300)

# --- Millions of weights ---------------------------------------------------------------------
st.subheader("Millions of weights")
batch, pixels, hidden = 128, NETWORK[0], NETWORK[1]
st.markdown(
    f"The same walk trains the 784-512-10 network's {parameters.total_parameters(NETWORK):,} "
    "weights, and real networks have millions. It stays fast because each layer's work is one "
    f"matrix multiplication: a batch of {batch} digits entering the hidden layer is one {batch} × "
    f"{pixels} by {pixels} × {hidden} product, {batch * pixels * hidden:,} multiply-adds. A "
    "**GPU** does thousands of them at once, in parallel; the backward pass is the same kind of "
    "product, walked in reverse.")
terms.define("GPU", "Batch")
with st.expander("Go deeper: nudging against backprop, timed here"):
    st.markdown("On a smaller network, **784-32-10** (25,450 weights), in numpy: one gradient "
                "by backprop, and a random sample of weights nudged one by one, scaled up.")
    c1, c2, c3 = st.columns(3)
    n_digits = c1.slider("Digits in the batch", 8, 64, 32, step=8, key="backprop_time_batch")
    nudged = c2.select_slider("Weights to nudge", (50, 100, 200, 500, 1000), value=200,
                              key="backprop_time_count")
    if c3.button("Measure both gradients", key="backprop_time_go", type="primary"):
        data = load_sample()
        bar = st.progress(0.0, text="Nudging weights ...")
        st.session_state["backprop_timing"] = gradient_check.time_gradients(
            network.init_network((784, 32, 10), "relu", seed=0),
            network.digit_inputs(data.x_train[:n_digits]), data.y_train[:n_digits], n_nudged=nudged,
            progress=lambda f: bar.progress(min(f, 1.0), text="Nudging weights ..."))
        bar.empty()
    timing = st.session_state.get("backprop_timing")
    if timing is not None:
        m1, m2, m3 = st.columns(3)
        m1.metric("Backprop, all 25,450 slopes", seconds(timing.backprop_seconds))
        m2.metric(f"Nudging {timing.n_nudged} weights", seconds(timing.nudge_seconds))
        m3.metric("Nudging all (extrapolated)", seconds(timing.nudge_all_seconds),
                  delta=f"{timing.ratio:,.0f}× slower", delta_color="inverse")
        st.plotly_chart(timing_figure(timing.backprop_seconds, timing.nudge_all_seconds,
                                      timing.n_parameters), width="stretch")
        st.caption(f"Batch of {timing.batch} digits. On the nudged weights the two gradients "
                   f"agree: overall relative difference {timing.overall_relative_difference:.1e}"
                   f", a typical weight to {timing.median_matching_digits} digits.")

end_page(__file__)
